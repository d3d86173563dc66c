/**
 * `npm run bench -- scheduler`: scheduling throughput through the real API
 * server and store. For 100, 1,000 and 5,000 hollow nodes: a fresh API
 * server (child process, SQLite), the hollow nodes registered and renewing
 * their leases every 10 s (another child process; they do not report pods
 * Running, so the API carries the scheduler's work and the heartbeats
 * only), 5,000 pending pods created first (not timed), then the scheduler
 * (this process) starts and binds them all. Pods bound per second run from
 * the first to the last bind a pod watch shows; the watch runs in a child
 * process of its own, so that this process holds only what is measured
 * (children: parts/scheduler-children.ts).
 *
 * Baseline at 1,000 nodes: the same 5,000 bindings issued through the API
 * with no scheduling logic (round-robin nodes, the scheduler's in-flight
 * limit, the same client and kept-alive connections), measured the same
 * way. Ratio = median scheduler rate / median raw rate.
 *
 * Each figure is the median of ROUNDS rounds (default 3, SKIFF_BENCH_ROUNDS),
 * the pods of a round deleted before the next, since the shared 2-core
 * machines are noisy. At 1,000 nodes scheduler and raw rounds alternate
 * (scheduler, raw, scheduler, raw, ...) on one cluster, so that load from
 * elsewhere and the store's growth weigh on both alike.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../control-plane/api/client/client.ts';
import { createLogger } from '../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Pod } from '../../control-plane/api/types.ts';
import { startScheduler } from '../../control-plane/scheduler/scheduler.ts';
import { heading, pool, report, round, row } from './lib.ts';
import { startChild, stopChild, watchBinds } from './parts/scheduler-children.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const POD_COUNT = 5_000;
// SKIFF_BENCH_NODES=1000 runs one size only (profiling).
const NODE_COUNTS = (process.env.SKIFF_BENCH_NODES ?? '100,1000,5000').split(',').map(Number);
// Binds in flight, the scheduler's default (SKIFF_BENCH_IN_FLIGHT to experiment).
const IN_FLIGHT = Number(process.env.SKIFF_BENCH_IN_FLIGHT ?? 128);
const ROUNDS = Number(process.env.SKIFF_BENCH_ROUNDS ?? 3);
const quiet = createLogger({}, { level: 'warn' });

await main();

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
      const withRaw = nodes === 1_000;
      const [sched, raw] = await rounds({
        scheduler: (i) => scheduleAll(client, `sched-${i}`),
        ...(withRaw ? { raw: (i: number) => bindRaw(client, nodes, `raw-${i}`) } : {}),
      });
      row(`scheduler: pods bound/s at ${nodes} nodes`, sched as number, 'pods/s');
      figures[`sched_pods_per_s_${nodes}`] = round(sched as number, 1);
      if (raw !== undefined) {
        row('raw bindings/s (no scheduling logic)', raw, 'binds/s');
        figures.raw_bind_per_s = round(raw, 1);
        figures.sched_ratio_1000 = round((sched as number) / raw, 3);
        row('scheduler vs raw ceiling at 1,000 nodes', sched as number, 'pods/s', raw);
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

// ROUNDS rounds of each measurement, alternating within a round; the median of each, in order.
async function rounds(fns: Record<string, (i: number) => Promise<number>>): Promise<number[]> {
  const results = Object.keys(fns).map((): number[] => []);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, [name, fn]] of Object.entries(fns).entries()) {
      const r = await fn(i);
      process.stdout.write(
        `  round ${i + 1} ${name}: ${round(r, 1)}/s (load ${round(loadavg()[0] ?? 0, 2)})\n`,
      );
      results[k]?.push(r);
    }
  }
  return results.map((rs) => rs.sort((a, b) => a - b)[Math.floor(rs.length / 2)] as number);
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
    const server = await startChild(['--server', dir], 'url');
    children.push(server.child);
    const url = server.msg.url as string;
    client = new ApiClient({ server: url, timeoutMs: 120_000 });
    const t0 = performance.now();
    const hollow = await startChild(['--hollow', url, String(nodes)], 'ready');
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
  const watch = await watchBinds(client.server, ns, POD_COUNT);
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
    await watch.stop();
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
  const watch = await watchBinds(client.server, ns, POD_COUNT);
  try {
    await pool(POD_COUNT, IN_FLIGHT, (i) =>
      client.bind({ name: `pod-${i}`, namespace: ns }, `hollow-${i % nodes}`),
    );
    return await watch.done;
  } finally {
    await watch.stop();
    await deletePods(client, ns);
  }
}
