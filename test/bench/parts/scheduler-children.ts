/**
 * The child processes of the scheduler benchmark (test/bench/scheduler.ts),
 * so that the benchmark's own process holds only what is measured (the
 * scheduler, or the raw binder) and its client:
 * - `--server DIR`: a real API server over a SQLite file in DIR;
 * - `--hollow URL N`: N hollow nodes registered and renewing their leases;
 * - `--watch URL NS N`: a watch on namespace NS that times the binds: from
 *   the first to the last of N pods it sees bound (pods/s).
 * Each prints one JSON line when ready (and the watch one more with its
 * result), and stops on SIGTERM, when stdin closes, or when its parent goes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../../control-plane/api/client/client.ts';
import { createLogger } from '../../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Pod } from '../../../control-plane/api/types.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const SELF = fileURLToPath(import.meta.url);
const quiet = createLogger({}, { level: 'warn' });

/** Starts a child and resolves once it printed a JSON line holding `key`. */
export async function startChild(
  args: string[],
  key: string,
): Promise<{ child: ChildProcess; msg: Record<string, unknown>; lines: Interface }> {
  const child = spawn(process.execPath, [SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child ${args[0]} exited with ${code}`)));
    lines.on('line', (line) => {
      const m = JSON.parse(line) as Record<string, unknown>;
      if (key in m) resolve(m);
    });
  });
  return { child, msg, lines };
}

/** SIGTERM, then SIGKILL after 20 s; resolves once the child exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

/**
 * Starts the watch child on namespace `ns` (of the API server at `url`);
 * resolves once it watches. `done` resolves with the binds/s it saw.
 */
export async function watchBinds(
  url: string,
  ns: string,
  count: number,
): Promise<{ done: Promise<number>; stop: () => Promise<void> }> {
  const { child, lines } = await startChild(['--watch', url, ns, String(count)], 'watching');
  const done = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bind watch exited with ${code}`)));
    lines.on('line', (line) => {
      const m = JSON.parse(line) as { rate?: number };
      if (m.rate !== undefined) resolve(m.rate);
    });
  });
  done.catch(() => undefined); // the caller awaits it, or stops first
  return { done, stop: () => stopChild(child) };
}

if (process.argv[1] === SELF) {
  const [mode, a = '', b = '', c = ''] = process.argv.slice(2);
  if (mode === '--server') await serveChild(a);
  else if (mode === '--hollow') await hollowChild(a, Number(b));
  else if (mode === '--watch') await watchChild(a, b, Number(c));
  else throw new Error(`unknown child mode ${String(mode)}`);
}

async function serveChild(dir: string): Promise<void> {
  const { openStore } = await import('../../../control-plane/store/index.ts');
  const { startApiServer } = await import('../../../control-plane/apiserver/server.ts');
  const store = await openStore({ backend: 'sqlite', path: join(dir, 'state.db'), logger: quiet });
  const api = await startApiServer({ store, listen: '127.0.0.1:0', logger: quiet });
  await api.ready;
  process.stdout.write(JSON.stringify({ url: api.url }) + '\n');
  exitWithParent(async () => {
    await api.close();
    await store.close();
  });
}

async function hollowChild(url: string, count: number): Promise<void> {
  const { startHollowNodes } = await import('../../../control-plane/hollow/hollow-nodes.ts');
  const ac = new AbortController();
  const client = new ApiClient({ server: url, timeoutMs: 120_000 });
  const names = Array.from({ length: count }, (_, i) => `hollow-${i}`);
  const nodes = await startHollowNodes({
    client,
    names,
    reportPods: false,
    logger: quiet,
    signal: ac.signal,
  });
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  exitWithParent(async () => {
    ac.abort();
    await nodes.done;
  });
}

async function watchChild(url: string, ns: string, count: number): Promise<void> {
  const client = new ApiClient({ server: url, timeoutMs: 120_000 });
  const ac = new AbortController();
  exitWithParent(async () => ac.abort());
  const list = await client.list<Pod>(PODS, { namespace: ns, limit: 1 });
  const events = client.watch<Pod>(PODS, {
    namespace: ns,
    resourceVersion: list.metadata.resourceVersion,
    signal: ac.signal,
  });
  process.stdout.write(JSON.stringify({ watching: true }) + '\n');
  const bound = new Set<string>();
  let first = 0;
  let last = 0;
  for await (const ev of events) {
    if (ev.type !== 'MODIFIED' || !ev.object.spec?.nodeName) continue;
    const name = ev.object.metadata.name ?? '';
    if (bound.has(name)) continue;
    bound.add(name);
    last = performance.now();
    if (bound.size === 1) first = last;
    if (bound.size === count) break;
  }
  if (bound.size < count) {
    process.stderr.write(`the watch ended after ${bound.size} of ${count} binds\n`);
    process.exit(1);
  }
  ac.abort();
  client.close();
  process.stdout.write(JSON.stringify({ rate: ((count - 1) / (last - first)) * 1000 }) + '\n');
  process.exit(0);
}

// A child stops on SIGTERM, when stdin closes, or when its parent is gone (re-parented).
function exitWithParent(stop: () => Promise<void>): void {
  const parent = process.ppid;
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5_000).unref(); // never hang on the way out
    await stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  setInterval(() => {
    if (process.ppid !== parent) void shutdown();
  }, 1_000).unref();
}
