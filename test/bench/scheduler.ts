/**
 * `npm run bench -- scheduler`: scheduling throughput through the real API
 * server and store. For 100, 1,000 and 5,000 hollow nodes: a fresh API
 * server (child process, SQLite), the hollow nodes registered and renewing
 * their leases every 10 s (another child process; they do not report pods
 * Running, so the API carries the scheduler's work and the heartbeats
 * only), 5,000 pending pods created first (not timed), then the scheduler
 * (this process) starts and binds them all. Pods bound per second run from
 * the first to the last bind a pod watch shows.
 *
 * Baseline at 1,000 nodes: the same 5,000 bindings issued through the API
 * with no scheduling logic (round-robin nodes, the scheduler's in-flight
 * limit), measured the same way. Ratio = scheduler / raw.
 *
 * Each figure is the median of ROUNDS rounds (default 3, SKIFF_BENCH_ROUNDS),
 * the pods of a round deleted before the next, since the shared 2-core
 * machines are noisy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../control-plane/api/client/client.ts';
import { createLogger } from '../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Pod } from '../../control-plane/api/types.ts';
import { startScheduler } from '../../control-plane/scheduler/scheduler.ts';
import { heading, pool, report, round, row } from './lib.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const POD_COUNT = 5_000;
// SKIFF_BENCH_NODES=1000 runs one size only (profiling).
const NODE_COUNTS = (process.env.SKIFF_BENCH_NODES ?? '100,1000,5000').split(',').map(Number);
// Binds in flight, the scheduler's default (SKIFF_BENCH_IN_FLIGHT to experiment).
const IN_FLIGHT = Number(process.env.SKIFF_BENCH_IN_FLIGHT ?? 128);
const ROUNDS = Number(process.env.SKIFF_BENCH_ROUNDS ?? 3);
const SELF = fileURLToPath(import.meta.url);
const quiet = createLogger({}, { level: 'warn' });

if (process.argv[2] === '--child-server') await serveChild(process.argv[3] ?? '');
else if (process.argv[2] === '--child-hollow')
  await hollowChild(process.argv[3] ?? '', Number(process.argv[4]));
else await main();

/** Child: a real API server over a SQLite file, until SIGTERM or the parent goes. */
async function serveChild(dir: string): Promise<void> {
  const { openStore } = await import('../../control-plane/store/index.ts');
  const { startApiServer } = await import('../../control-plane/apiserver/server.ts');
  const store = await openStore({ backend: 'sqlite', path: join(dir, 'state.db'), logger: quiet });
  const api = await startApiServer({ store, listen: '127.0.0.1:0', logger: quiet });
  await api.ready;
  process.stdout.write(JSON.stringify({ url: api.url }) + '\n');
  const shutdown = async (): Promise<void> => {
    setTimeout(() => process.exit(1), 5_000).unref(); // never hang on the way out
    await api.close();
    await store.close();
    process.exit(0);
  };
  exitWithParent(shutdown);
}

/** Child: `count` hollow nodes against `url`, until SIGTERM or the parent goes. */
async function hollowChild(url: string, count: number): Promise<void> {
  const { startHollowNodes } = await import('../../control-plane/hollow/hollow-nodes.ts');
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
  const shutdown = async (): Promise<void> => {
    setTimeout(() => process.exit(1), 5_000).unref(); // never hang on the way out
    ac.abort();
    await nodes.done;
    process.exit(0);
  };
  exitWithParent(shutdown);
}

async function main(): Promise<void> {
  const figures: Record<string, number> = {};
  process.stdout.write(
    `${POD_COUNT} pending pods; API server and hollow nodes in child processes; ${IN_FLIGHT} binds in flight\n`,
  );
  // Other work on the machine shows up in these figures: say how busy it was.
  const load = () =>
    loadavg()
      .map((x) => round(x, 2))
      .join(' ');
  process.stdout.write(`machine load average (1/5/15 min) before: ${load()}\n`);
  for (const nodes of NODE_COUNTS) {
    await withCluster(nodes, async (client) => {
      heading(`${nodes} hollow nodes`);
      const sched = await rounds((i) => scheduleAll(client, `sched-${i}`));
      row(`scheduler: pods bound/s at ${nodes} nodes`, sched, 'pods/s');
      figures[`sched_pods_per_s_${nodes}`] = round(sched, 1);
      if (nodes === 1_000) {
        const raw = await rounds((i) => bindRaw(client, nodes, `raw-${i}`));
        row('raw bindings/s (no scheduling logic)', raw, 'binds/s');
        figures.raw_bind_per_s = round(raw, 1);
        figures.sched_ratio_1000 = round(sched / raw, 3);
        row('scheduler vs raw ceiling at 1,000 nodes', sched, 'pods/s', raw);
      }
    });
  }
  process.stdout.write(`\nmachine load average (1/5/15 min) after: ${load()}\n`);
  heading('targets');
  const f = (k: string) => figures[k];
  target('>= 1,000 pods/s at 1,000 nodes', f('sched_pods_per_s_1000'), (v) => v >= 1_000);
  target('>= 700 pods/s at 5,000 nodes', f('sched_pods_per_s_5000'), (v) => v >= 700);
  target(
    '>= 70 % of the raw binding ceiling at 1,000 nodes',
    f('sched_ratio_1000'),
    (v) => v >= 0.7,
  );
  report(figures);
}

// The median of ROUNDS runs of `fn`, each printed.
async function rounds(fn: (i: number) => Promise<number>): Promise<number> {
  const results: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await fn(i);
    process.stdout.write(`  round ${i + 1}: ${round(r, 1)}/s\n`);
    results.push(r);
  }
  return results.sort((a, b) => a - b)[Math.floor(results.length / 2)] as number;
}

// A child stops on SIGTERM, when stdin closes, or when its parent is gone (re-parented).
function exitWithParent(stop: () => Promise<void>): void {
  const parent = process.ppid;
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stop();
  };
  process.on('SIGTERM', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  setInterval(() => {
    if (process.ppid !== parent) void shutdown();
  }, 1_000).unref();
}

function target(what: string, value: number | undefined, ok: (v: number) => boolean): void {
  const verdict = value === undefined ? 'not run' : ok(value) ? 'met    ' : 'MISSED ';
  process.stdout.write(`${verdict} ${what}\n`);
}

// A fresh API server and `nodes` hollow nodes for `fn`, torn down after.
async function withCluster(nodes: number, fn: (client: ApiClient) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-scheduler-'));
  const children: ChildProcess[] = [];
  const kill = (): void => children.forEach((c) => c.kill('SIGKILL'));
  process.on('exit', kill);
  let client: ApiClient | undefined;
  try {
    const server = await startChild(['--child-server', dir], 'url');
    children.push(server.child);
    const url = server.msg.url as string;
    client = new ApiClient({ server: url, timeoutMs: 120_000 });
    const t0 = performance.now();
    const hollow = await startChild(['--child-hollow', url, String(nodes)], 'ready');
    children.push(hollow.child);
    process.stdout.write(
      `registered ${nodes} hollow nodes in ${round((performance.now() - t0) / 1000, 1)} s\n`,
    );
    await fn(client);
  } finally {
    client?.close();
    for (const c of children.reverse()) await stopChild(c);
    process.off('exit', kill);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Creates POD_COUNT pending pods in a new namespace (not timed).
async function createPods(client: ApiClient, ns: string): Promise<void> {
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const t0 = performance.now();
  await pool(POD_COUNT, 32, async (i) => {
    await client.create(PODS, benchPod(ns, i));
  });
  process.stdout.write(
    `created ${POD_COUNT} pending pods in ${round((performance.now() - t0) / 1000, 1)} s (not timed)\n`,
  );
}

function benchPod(ns: string, i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: ns, labels: { app: 'bench' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'example/app:1',
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  } as Pod;
}

// The scheduler binds every pod; pods/s from the first to the last bind the watch saw.
async function scheduleAll(client: ApiClient, ns: string): Promise<number> {
  await createPods(client, ns);
  const watch = await bindWatch(client, ns);
  const ac = new AbortController();
  const s = startScheduler({
    client,
    logger: quiet,
    signal: ac.signal,
    maxInFlightBinds: IN_FLIGHT,
  });
  try {
    await s.ready;
    const rate = await watch.done;
    // Let the last bind answers arrive, so the scheduler's own count is complete (not timed).
    for (let i = 0; i < 100 && s.stats().bound < POD_COUNT; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return rate;
  } finally {
    ac.abort();
    await s.done;
    const st = s.stats();
    process.stdout.write(
      `  scheduler: ${st.bound} bound, ${st.bindErrors} bind errors, ${st.unschedulable} unschedulable\n`,
    );
    await deletePods(client, ns);
  }
}

// Frees the nodes for the next round (grace 0: the hollow nodes here confirm nothing).
async function deletePods(client: ApiClient, ns: string): Promise<void> {
  await client.deleteCollection(PODS, { namespace: ns, gracePeriodSeconds: 0 });
}

// The same bindings without scheduling: node i mod N, IN_FLIGHT at once.
async function bindRaw(client: ApiClient, nodes: number, ns: string): Promise<number> {
  await createPods(client, ns);
  const watch = await bindWatch(client, ns);
  await pool(POD_COUNT, IN_FLIGHT, (i) =>
    client.bind({ name: `pod-${i}`, namespace: ns }, `hollow-${i % nodes}`),
  );
  const rate = await watch.done;
  await deletePods(client, ns);
  return rate;
}

// Watches the namespace's pods; `done` resolves with binds/s once all POD_COUNT are bound.
async function bindWatch(client: ApiClient, ns: string): Promise<{ done: Promise<number> }> {
  const list = await client.list<Pod>(PODS, { namespace: ns, limit: 1 });
  const ac = new AbortController();
  const events = client.watch<Pod>(PODS, {
    namespace: ns,
    resourceVersion: list.metadata.resourceVersion,
    signal: ac.signal,
  });
  const done = (async () => {
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
      if (bound.size === POD_COUNT) break;
    }
    ac.abort();
    return ((POD_COUNT - 1) / (last - first)) * 1000;
  })();
  return { done };
}

async function startChild(
  args: string[],
  key: string,
): Promise<{ child: ChildProcess; msg: Record<string, unknown> }> {
  const child = spawn(process.execPath, [SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child ${args[0]} exited with ${code}`)));
    lines.on('line', (line) => {
      const m = JSON.parse(line) as Record<string, unknown>;
      if (key in m) resolve(m);
    });
  });
  return { child, msg };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}
