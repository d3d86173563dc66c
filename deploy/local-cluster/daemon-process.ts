/**
 * Starting the local cluster's long-running processes (node dockerds, the
 * registry): detached from this process, so `skiff up` can exit and leave
 * them running, with output appended to a log file and no proxy settings
 * (a proxy from the environment would send registry traffic off the
 * machine). They are stopped later by PID (see processes.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Spawns `cmd args` detached with stdout and stderr appended to `logPath` and `env` added; returns its PID. */
export function spawnDaemon(
  cmd: string,
  args: readonly string[],
  logPath: string,
  env: Record<string, string> = {},
): number {
  const logFd = openSync(logPath, 'a');
  try {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...withoutProxies(process.env), ...env },
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${cmd}: spawn failed`);
    // Spawn errors (ENOENT) arrive as an event; the caller's readiness wait reports them.
    child.on('error', () => {});
    return child.pid;
  } finally {
    closeSync(logFd);
  }
}

/** The last `lines` lines of a log file, or "(no log)". */
export function tailFile(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function withoutProxies(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!/^(https?|no|all)_proxy$/i.test(k)) out[k] = v;
  return out;
}
