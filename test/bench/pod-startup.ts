/**
 * `npm run bench -- pod-startup`: how fast the node agent runs pods, and
 * what it costs, on a real cluster (test/e2e/fixtures/agent-cluster.ts:
 * one test node with its own dockerd, a real `skiff server`, a real
 * `skiff agent` process; prefix "skiffb", data dir <tmp>/skiffb-e2e).
 *
 * 1. One pod at a time (REPS times, image present): create request →
 *    Running with every container running, seen through a watch opened
 *    before the create; each pod deleted (grace 0) and its containers gone
 *    before the next. Alternated with the raw baseline: the same node
 *    dockerd, same socket, dockerode doing what a pod needs (sandbox
 *    create+start on the pod network, app create+start joined to it,
 *    inspect until running). Ratio = pod p50 / raw p50.
 * 2. 20 pods created at once on the node, each timed the same way (raw:
 *    20 sandbox+app pairs at once, for comparison, run first).
 * 3. Agent RSS and CPU (/proc) with no pods over IDLE_S, and with the 20
 *    pods running and nothing changing over LOADED_S, beside an idle node
 *    process measured over the same windows, and where the agent's memory
 *    is (/proc/<pid>/smaps by kind of mapping).
 * The agent is measured as it usually runs: restarted once after its first
 * start, so it loads its TypeScript from the compile cache in its data dir
 * (control-plane/cli/skiff-bin.js) and Node's type stripper (amaro,
 * WebAssembly) is never instantiated; the first start's RSS is printed too
 * (a cold first start restarts itself warm, node-agent/warm-restart.ts).
 * SKIFF_BENCH_COLD_AGENT=1 measures the agent with the compile cache off
 * (NODE_DISABLE_COMPILE_CACHE=1, which the agent inherits), cold throughout.
 * Where the time goes is printed from Docker's container timestamps
 * (parts/pod-startup-phases.ts). p99 of 20 samples is the largest (nearest
 * rank). A warm-up pod and raw pair run first, uncounted.
 *
 * Profiling knobs: SKIFF_BENCH_REPS, SKIFF_BENCH_IDLE_S, SKIFF_BENCH_LOADED_S
 * shorten runs; SKIFF_LOG_LEVEL reaches the agent; SKIFF_BENCH_AGENT_LOG=FILE
 * keeps a copy of the agent's log (removed with the cluster otherwise).
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgentCluster, type AgentCluster } from '../e2e/fixtures/agent-cluster.ts';
import { heading, percentile, report, round, row } from './lib.ts';
import {
  phasesLine,
  phasesOf,
  podContainerIds,
  printPhases,
  type Phases,
} from './parts/pod-startup-phases.ts';
import { deletePod, startPod, type PodDeletion, type PodStart } from './parts/pod-startup-pods.ts';
import {
  agentBesideIdleNode,
  memoryMap,
  rssKb,
  type MemoryMap,
  type ProcUsage,
} from './parts/pod-startup-proc.ts';
import { removeAllRaw, removeRaw, startRawPod, type RawPod } from './parts/pod-startup-raw.ts';
import { startPodWatch, type PodWatch } from './parts/pod-startup-watch.ts';

const REPS = Number(process.env.SKIFF_BENCH_REPS ?? 20);
const BATCH = 20;
const IDLE_S = Number(process.env.SKIFF_BENCH_IDLE_S ?? 30);
const LOADED_S = Number(process.env.SKIFF_BENCH_LOADED_S ?? 120);
const COLD_AGENT = process.env.SKIFF_BENCH_COLD_AGENT === '1';
// The cluster's processes inherit this environment (deploy/local-cluster/daemon-process.ts).
if (COLD_AGENT) process.env.NODE_DISABLE_COMPILE_CACHE = '1';
// Between the batch reaching Running and the loaded window: last status writes land.
const SETTLE_MS = 10_000;
const NODE = 'n1';

const out = (s: string) => process.stdout.write(s + '\n');
const load = () =>
  loadavg()
    .map((x) => round(x, 2))
    .join(' ');
const ms = (n: number) => `${Math.round(n)} ms`;
const sorted = (xs: number[]) =>
  [...xs]
    .sort((a, b) => a - b)
    .map(Math.round)
    .join(' ');

out(`pod startup on a real agent; ${REPS} sequential repetitions, ${BATCH} at once`);
out(`machine load average (1/5/15 min) before: ${load()}`);
const figures: Record<string, number | string> = { load_before: load() };
let clusterStart: Promise<AgentCluster> | undefined;
let watch: PodWatch | undefined;
let interrupted = false;
let cleaning: Promise<void> | undefined;
// Once, from whichever path comes first (end, failure, signal); a start in
// progress is awaited (a failed start removes what it made itself).
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    watch?.stop();
    const c = await clusterStart?.catch(() => undefined);
    if (!c) return;
    const keep = process.env.SKIFF_BENCH_AGENT_LOG;
    const log = c.agents.get(NODE)?.logPath;
    try {
      if (keep && log) copyFileSync(log, keep);
    } catch (err) {
      out(`could not keep the agent log: ${String(err)}`);
    }
    out('tearing the cluster down ...');
    await removeAllRaw(c.node(NODE).docker).catch(() => {});
    await c.destroy();
  })());
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    out(`${sig}: stopping and cleaning up ...`);
    void cleanup().finally(() => process.exit(130));
  });
}
try {
  const t0 = performance.now();
  out('starting the test node, skiff server and skiff agent ...');
  clusterStart = startAgentCluster({ prefix: 'skiffb' });
  const c = await clusterStart;
  if (interrupted) throw new Error('interrupted while the cluster started');
  const firstPid = c.agents.get(NODE)?.pid ?? 0;
  const firstMap = memoryMap(firstPid);
  const firstRssMb = rssKb(firstPid).rss / 1024;
  out(
    `cluster up in ${round((performance.now() - t0) / 1000, 1)} s; agent PID ${firstPid}, ` +
      `RSS ${round(firstRssMb, 1)} MB after its first start ` +
      `(${COLD_AGENT ? 'compile cache off' : 'cold cache, restarted itself warm'}; ` +
      `WebAssembly memories ${firstMap.wasmMemories})`,
  );
  let agentPid = firstPid;
  if (!COLD_AGENT) {
    // The agent's data dir, as deploy/local-cluster/agent-process.ts sets it.
    const cacheDir = join(c.node(NODE).dir, 'agent', 'compile-cache');
    const entries = await compileCacheWritten(cacheDir);
    await c.agents.get(NODE)?.stop();
    agentPid = (await c.startAgent(NODE)).pid;
    out(
      `agent restarted, PID ${agentPid}: warm compile cache (${entries} entries in ${cacheDir}), ` +
        `as an operator's agent starts after its first start`,
    );
  }
  figures.agent_compile_cache = COLD_AGENT ? 'off' : 'warm';
  watch = await startPodWatch(c.client, 'default');
  const w = watch;
  const docker = c.node(NODE).docker;
  const podPhases = async (p: PodStart): Promise<Phases> => {
    const { sandboxId, appId } = await podContainerIds(docker, p.uid);
    return phasesOf(docker, sandboxId, appId, p.sentWall, p.seenWall);
  };
  const rawPhases = (r: RawPod): Promise<Phases> =>
    phasesOf(docker, r.ids[0] ?? '', r.ids[1] ?? '', r.sentWall, r.seenWall);
  const onePod = async (
    name: string,
  ): Promise<{ p: PodStart; phases: Phases; deletion: PodDeletion }> => {
    const p = await startPod(c.client, w, name, NODE);
    const phases = await podPhases(p);
    const deletion = await deletePod(c.client, w, docker, p);
    return { p, phases, deletion };
  };
  const oneRaw = async (name: string): Promise<{ r: RawPod; phases: Phases }> => {
    const r = await startRawPod(docker, name);
    const phases = await rawPhases(r);
    await removeRaw(docker, r.ids);
    return { r, phases };
  };

  heading('warm-up (not counted)');
  out(`  pod ${ms((await onePod('warm')).p.ms)}, raw ${ms((await oneRaw('warm')).r.ms)}`);

  heading(`agent with no pods, ${IDLE_S} s, beside an idle node process`);
  const idle = await agentBesideIdleNode(agentPid, IDLE_S, out);
  resources('no pods', idle);

  heading(`1 pod at a time, ${REPS} times, alternated with raw Docker`);
  out(
    '  (steps in ms: request → sandbox created + sandbox start + → app created + app start + → seen)',
  );
  const pods: { p: PodStart; phases: Phases; deletion: PodDeletion }[] = [];
  const raws: { r: RawPod; phases: Phases }[] = [];
  for (let i = 0; i < REPS; i++) {
    const pod = await onePod(`start-${i}`);
    const raw = await oneRaw(`seq-${i}`);
    pods.push(pod);
    raws.push(raw);
    out(
      `  ${i + 1}/${REPS}: pod ${ms(pod.p.ms)} (${phasesLine(pod.phases)}), ` +
        `raw ${ms(raw.r.ms)} (${phasesLine(raw.phases)})`,
    );
  }
  const podMs = pods.map((x) => x.p.ms);
  const rawMs = raws.map((x) => x.r.ms);
  const createMs = pods.map((x) => x.p.createMs);
  const p50 = percentile(podMs, 0.5);
  const raw50 = percentile(rawMs, 0.5);
  out(`  pods (ms, sorted): ${sorted(podMs)}`);
  out(`  raw  (ms, sorted): ${sorted(rawMs)}`);
  row('pod create → Running, p50', p50, 'ms', raw50);
  row('pod create → Running, p99', percentile(podMs, 0.99), 'ms', percentile(rawMs, 0.99));
  row('pod create request answered, p50', percentile(createMs, 0.5), 'ms');
  printPhases(
    out,
    pods.map((x) => x.phases),
    raws.map((x) => x.phases),
  );
  const goneMs = pods.map((x) => x.deletion.goneMs);
  const removedMs = pods.map((x) => x.deletion.removedMs);
  row('delete (grace 0) → DELETED seen, p50', percentile(goneMs, 0.5), 'ms');
  row('delete (grace 0) → containers removed, p50', percentile(removedMs, 0.5), 'ms');

  heading(`${BATCH} at once on one node (raw Docker first)`);
  const rawBatch = await Promise.all(
    Array.from({ length: BATCH }, (_, i) => startRawPod(docker, `batch-${i}`)),
  );
  const rawBatchPhases = await Promise.all(rawBatch.map(rawPhases));
  for (const r of rawBatch) await removeRaw(docker, r.ids);
  const rawBatchMs = rawBatch.map((r) => r.ms);
  const batch = await Promise.all(
    Array.from({ length: BATCH }, (_, i) => startPod(c.client, w, `batch-${i}`, NODE)),
  );
  const batchMs = batch.map((p) => p.ms);
  out(`  pods (ms, sorted): ${sorted(batchMs)}`);
  out(`  raw  (ms, sorted): ${sorted(rawBatchMs)}`);
  row(`${BATCH} pods at once, p50`, percentile(batchMs, 0.5), 'ms', percentile(rawBatchMs, 0.5));
  row(`${BATCH} pods at once, p99`, percentile(batchMs, 0.99), 'ms', percentile(rawBatchMs, 0.99));
  printPhases(out, await Promise.all(batch.map(podPhases)), rawBatchPhases);

  heading(`agent with ${BATCH} pods running, ${LOADED_S} s, beside an idle node process`);
  await sleep(SETTLE_MS);
  const loaded = await agentBesideIdleNode(agentPid, LOADED_S, out);
  resources(`${BATCH} pods`, loaded);
  const map = memoryMap(agentPid);
  printMemoryMap(map);

  out(`\nmachine load average (1/5/15 min) after: ${load()}`);
  Object.assign(figures, {
    load_after: load(),
    pod_start_p50_ms: round(p50, 1),
    pod_start_p99_ms: round(percentile(podMs, 0.99), 1),
    raw_docker_p50_ms: round(raw50, 1),
    raw_docker_p99_ms: round(percentile(rawMs, 0.99), 1),
    pod_start_ratio_p50: round(p50 / raw50, 3),
    pod_create_call_p50_ms: round(percentile(createMs, 0.5), 1),
    pod_delete_removed_p50_ms: round(percentile(removedMs, 0.5), 1),
    batch20_p50_ms: round(percentile(batchMs, 0.5), 1),
    batch20_p99_ms: round(percentile(batchMs, 0.99), 1),
    raw_batch20_p50_ms: round(percentile(rawBatchMs, 0.5), 1),
    raw_batch20_p99_ms: round(percentile(rawBatchMs, 0.99), 1),
    agent_rss_mb_20pods: round(loaded.agent.rssMbMax, 1),
    agent_cpu_pct_idle: round(loaded.agent.cpuPct, 2),
    agent_rss_anon_mb_20pods: round(loaded.agent.anonMb, 1),
    agent_rss_mb_nopods: round(idle.agent.rssMbMax, 1),
    agent_rss_mb_first_start: round(firstRssMb, 1),
    agent_wasm_memories: map.wasmMemories,
    agent_cpu_pct_nopods: round(idle.agent.cpuPct, 2),
    node_idle_rss_mb: round(loaded.node.rssMbMax, 1),
    node_idle_cpu_pct: round(loaded.node.cpuPct, 2),
  });

  heading('targets');
  target('pod p50 within 1.3x raw Docker', p50 / raw50 <= 1.3);
  target(`${BATCH} pods at once: p99 under 2 s`, percentile(batchMs, 0.99) < 2000);
  target(`agent under 100 MB with ${BATCH} pods`, loaded.agent.rssMbMax < 100);
  target(`agent under 2 % of a core idle with ${BATCH} pods`, loaded.agent.cpuPct < 2);
  out(`removing the ${BATCH} pods ...`);
  for (const p of batch) await deletePod(c.client, w, docker, p).catch(() => {});
} catch (err) {
  // After a signal, failures of the steps the teardown cut short are expected.
  if (!interrupted) throw err;
} finally {
  await cleanup();
}
if (interrupted) process.exit(130);
report(figures);

function resources(what: string, u: { agent: ProcUsage; node: ProcUsage }): void {
  row(`agent RSS, ${what} (max)`, u.agent.rssMbMax, 'MB', u.node.rssMbMax);
  row(`agent RSS, ${what} (mean)`, u.agent.rssMbMean, 'MB', u.node.rssMbMean);
  // File-backed pages are mostly the node binary, shared by every node process.
  row(`  of which anonymous (private)`, u.agent.anonMb, 'MB', u.node.anonMb);
  row(`  of which file-backed (node binary)`, u.agent.fileMb, 'MB', u.node.fileMb);
  // An idle node process may use no measurable CPU at all: no ratio then.
  row(`agent CPU, ${what}`, u.agent.cpuPct, '% core', u.node.cpuPct || undefined);
  row('idle node process CPU', u.node.cpuPct, '% core');
}

/**
 * The number of files in the agent's compile cache once the agent has
 * written it (right after its start-up, node-agent/agent-command.ts):
 * polled until nonzero and unchanged for a second, at most 30 s.
 */
async function compileCacheWritten(dir: string): Promise<number> {
  const count = (): number => {
    try {
      return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
        .length;
    } catch {
      return 0;
    }
  };
  let last = -1;
  for (let i = 0; i < 30; i++) {
    const n = count();
    if (n > 0 && n === last) return n;
    last = n;
    await sleep(1000);
  }
  throw new Error(`the agent wrote no compile cache to ${dir} within 30 s`);
}

function printMemoryMap(m: MemoryMap): void {
  out(`  where the agent's RSS is now (MB, /proc/PID/smaps):`);
  out(`    node binary (code, built-in JS, ICU, snapshot)  ${round(m.nodeBinary, 1)}`);
  out(`    other files (libc, libstdc++, addons)           ${round(m.otherFiles, 1)}`);
  out(`    malloc heap (native: Node, V8, libuv)           ${round(m.mallocHeap, 1)}`);
  out(`    V8 generated code (rwx)                         ${round(m.jitCode, 1)}`);
  out(`    other anonymous (V8 heap, stacks, large blocks) ${round(m.otherAnon, 1)}`);
  out(`    WebAssembly memories (amaro's if loaded)        ${m.wasmMemories}`);
}

function target(what: string, ok: boolean): void {
  out(`${ok ? 'met    ' : 'MISSED '} ${what}`);
}
