/**
 * A cold start of `skiff agent` runs itself once more, warm, in the same
 * process. Node strips the agent's types with amaro, a WebAssembly build
 * of swc that stays resident once instantiated (about 17 MB with 20 pods,
 * test/bench/pod-startup.ts); control-plane/cli/skiff-bin.js gives the
 * agent a compile cache so that a later start never instantiates it. On a
 * start that had to (the first after install or upgrade), the agent writes
 * the cache and replaces its own process image (process.execve: same PID,
 * same arguments, environment and open log) before it has done anything,
 * so that even the first start runs without amaro. Costs one more module
 * load, about a second, once per install or upgrade.
 */
import { flushCompileCache, getCompileCacheDir } from 'node:module';

/** Set in the environment of the second image: it never restarts again. */
export const WARM_RESTART_ENV = 'SKIFF_AGENT_WARM_RESTART';

/**
 * Whether this process loaded amaro, Node's type stripper, as Node's list
 * of its own loaded modules says (process.moduleLoadList: long-standing but
 * undocumented; false when absent, so the agent then just runs on).
 */
export function typeStripperLoaded(): boolean {
  const list = (process as { moduleLoadList?: unknown }).moduleLoadList;
  return Array.isArray(list) && list.some((m) => String(m).includes('internal/deps/amaro'));
}

/**
 * Replaces this process with a fresh start of the same command when the
 * compile cache is on, the type stripper was loaded, and this is not
 * already the restarted image; returns (doing nothing) otherwise, or when
 * the platform has no execve. Call once the agent's modules are loaded
 * and before it starts anything.
 */
export function restartWarmIfCold(): void {
  if (process.env[WARM_RESTART_ENV] === '1') return;
  // Typed optional: only some platforms have it (not Windows).
  const execve = process.execve;
  if (!execve || getCompileCacheDir() === undefined || !typeStripperLoaded()) return;
  flushCompileCache();
  try {
    execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      ...process.env,
      [WARM_RESTART_ENV]: '1',
    });
  } catch {
    // No execve here (an experimental API in Node 24): run on, cold.
  }
}
