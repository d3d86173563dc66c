/**
 * `npm run bench -- proxy`: the service proxy's sync on real iptables, each
 * measurement in a fresh network namespace this benchmark creates and
 * deletes (the host's tables are never touched). A kube-proxy-shaped
 * ruleset: N ClusterIP services × 3 endpoints.
 *
 * - full sync from empty through RuleSyncer (read back, plan, bounded
 *   steps on nft, jumps), at 1,000 (nft) and 10,000 services (nft and
 *   legacy), each beside the raw baseline: one iptables-restore --noflush
 *   of the byte-identical final ruleset (skiff's chains and the builtin
 *   jumps) in another fresh namespace, measured in the same run; both
 *   final states are compared (iptables-save) and must be equal; medians
 *   of SKIFF_BENCH_REPS (3) pairs, but one at 10,000 on nft, whose raw
 *   restore takes minutes (SKIFF_BENCH_RAW_NFT_10K=0 skips it);
 * - one endpoint change at 10,000 services, beside the raw restore of the
 *   minimal payload of the same change from the same state, and the raw
 *   restore of one rule added to that nat table (the floor of any change);
 * - restart with nothing changed at 10,000: a new RuleSyncer reads the
 *   tables back, verifies every chain and writes nothing;
 * - network programming latency at 1,000 services: startProxy on a real
 *   API server (in-process, SQLite); an Endpoints update → its new SEP
 *   chain present in the namespace, p50/p99.
 * The rendering of the ruleset is not part of the sync figures (it is
 * printed on its own; the network programming latency includes it).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Endpoints, Service } from '../../control-plane/api/types.ts';
import { endpointChain } from '../../node-agent/proxy/chain-names.ts';
import { BUILTIN_JUMPS, withJumps } from '../../node-agent/proxy/builtin-jumps.ts';
import { ExecIptables, type Backend } from '../../node-agent/proxy/iptables.ts';
import { planSync } from '../../node-agent/proxy/plan-sync.ts';
import { startProxy } from '../../node-agent/proxy/proxier.ts';
import { renderRules } from '../../node-agent/proxy/render-rules.ts';
import { RuleSyncer } from '../../node-agent/proxy/rule-syncer.ts';
import { toRestorePayload, type Ruleset } from '../../node-agent/proxy/ruleset.ts';
import type { ServicePortInfo } from '../../node-agent/proxy/service-ports.ts';
import { ApiFixture, quietLogger } from '../control-plane/api/client/api-fixture.ts';
import { heading, percentile, pool, report, round, row, since } from './lib.ts';

const OPTS = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16' };
const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
const CHANGES = Number(process.env.SKIFF_BENCH_CHANGES ?? 30);
// The raw single nft restore at 10,000 services takes minutes; SKIFF_BENCH_RAW_NFT_10K=0 skips it.
const RAW_NFT_10K = process.env.SKIFF_BENCH_RAW_NFT_10K !== '0';
// Pairs (ours, raw) per full-sync figure, medians reported (nft at 10,000: one pair).
const REPS = Number(process.env.SKIFF_BENCH_REPS ?? 3);
const figures: Record<string, number | string> = {};
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function ports(n: number, changed = -1): ServicePortInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `default/svc-${String(i).padStart(5, '0')}`,
    protocol: 'TCP' as const,
    clusterIP: `10.96.${((i + 1) >> 8) & 255}.${(i + 1) & 255}`,
    port: 80,
    endpoints: [1, 2, 3].map((k) => ({
      ip: `10.${k + (i === changed ? 100 : 0)}.${(i >> 8) & 255}.${i & 255}`,
      port: 8080,
    })),
  }));
}

/** Runs `fn` with an iptables runner in a fresh network namespace, deleted afterwards. */
async function inNetns<T>(backend: Backend, fn: (ipt: ExecIptables) => Promise<T>): Promise<T> {
  const ns = `skiffpb-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    return await fn(new ExecIptables({ backend, netns: `/run/netns/${ns}`, timeoutMs: 900_000 }));
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
    // The kernel frees a deleted namespace's tables in the background (seconds for 10,000
    // services): let it finish before the next measurement.
    await new Promise((r) => setTimeout(r, 5000));
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return since(t);
}

/** iptables-save of the namespace without the "#" lines (timestamps) and counters: to compare two. */
async function saved(ipt: ExecIptables): Promise<string> {
  return (await ipt.save())
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replaceAll(/\[\d+:\d+\]/g, '[0:0]');
}

/**
 * Our full sync from empty and, in another fresh namespace, the raw
 * baseline: one iptables-restore --noflush of the byte-identical final
 * ruleset (skiff's chains and the builtin jumps). Both final states are
 * compared. `reps` pairs (ours, then raw), medians reported: single
 * restores of this size vary by 2x from run to run on a shared machine.
 * `then` runs in our namespace after the first pair.
 */
async function fullSyncVsRaw(
  backend: Backend,
  rules: Ruleset,
  o: { raw: boolean; reps: number; then?: (ipt: ExecIptables, s: RuleSyncer) => Promise<void> },
): Promise<{ ours: number; raw: number; restores: number }> {
  const payload = withJumps(toRestorePayload(rules), BUILTIN_JUMPS);
  const ours: number[] = [];
  const raws: number[] = [];
  let restores = 0;
  for (let rep = 0; rep < o.reps; rep++) {
    // Ours stays (idle) while the raw one is measured: no namespace is freed during a measurement.
    await inNetns(backend, async (ipt) => {
      const syncer = new RuleSyncer({ iptables: ipt });
      ours.push(
        await timed(async () => {
          restores = (await syncer.sync(rules)).restores;
        }),
      );
      const state = await saved(ipt);
      if (rep === 0) await o.then?.(ipt, syncer);
      if (!o.raw) return;
      raws.push(
        await inNetns(backend, async (other) => {
          const ms = await timed(() => other.restore(payload, { noflush: true }));
          if ((await saved(other)) !== state)
            throw new Error(`raw ${backend}: another final state`);
          return ms;
        }),
      );
    });
  }
  return { ours: percentile(ours, 0.5), raw: o.raw ? percentile(raws, 0.5) : NaN, restores };
}

/** One endpoint change at 10,000 services, ours and raw (the minimal payload) from the same state. */
async function oneChange(
  backend: Backend,
  ipt: ExecIptables,
  syncer: RuleSyncer,
  from: Ruleset,
  to: Ruleset,
): Promise<void> {
  const name = backend === 'nft' ? '' : '_legacy';
  // Three rounds of the change and back, raw then ours, each from the same state; medians.
  const raws: number[] = [];
  const ours: number[] = [];
  let written = 0;
  for (let round = 0; round < 3; round++) {
    raws.push(await timed(() => ipt.restore(planSync(to, from).payload, { noflush: true })));
    raws.push(await timed(() => ipt.restore(planSync(from, to).payload, { noflush: true })));
    for (const target of [to, from]) {
      ours.push(
        await timed(async () => {
          written = (await syncer.sync(target)).rules;
        }),
      );
    }
  }
  await syncer.sync(to);
  const one = percentile(ours, 0.5);
  const raw = percentile(raws, 0.5);
  row(`${backend} one change (${written} rules written, median of 6)`, one, 'ms', raw);
  figures[`one_change${name}_ms_10000`] = round(one);
  figures[`raw_one_change${name}_ms_10000`] = round(raw);
  // A restart: a new syncer reads the tables back, verifies every chain, writes nothing.
  const again = new RuleSyncer({ iptables: ipt });
  let rules = -1;
  const restart = await timed(async () => {
    rules = (await again.sync(to)).rules;
  });
  row(`${backend} restart ready (rules written: ${rules})`, restart, 'ms');
  figures[`restart_ready${name}_ms_10000`] = round(restart);
  figures[`restart_rules_written${name}_10000`] = rules;
  // The floor of any change: one rule without a jump, in a chain nothing jumps to. On
  // nf_tables the kernel still walks every chain reachable from the nat base chains on
  // commit (nft_table_validate), so no sync of this table can cost less.
  const floor = 'SKIFF-BENCH-FLOOR';
  const oneRule = await timed(() =>
    ipt.restore(`*nat\n:${floor} - [0:0]\n-A ${floor} -j RETURN\nCOMMIT\n`, { noflush: true }),
  );
  await ipt.restore(`*nat\n:${floor} - [0:0]\n-X ${floor}\nCOMMIT\n`, { noflush: true });
  row(`${backend} raw: any one rule added to this nat table (the floor)`, oneRule, 'ms');
  figures[`raw_one_rule_ms${name}_10000`] = round(oneRule);
}

async function syncFigures(): Promise<void> {
  const r1k = renderRules(ports(1000), OPTS);
  const t = performance.now();
  const r10k = renderRules(ports(10_000), OPTS);
  const render = since(t);
  const changed = renderRules(ports(10_000, 4242), OPTS);
  heading(`rendering (load ${load()})`);
  row('render 10,000 services (in no figure below)', render, 'ms');
  figures.render_ms_10000 = round(render);
  heading(`full sync from empty, 1,000 services (load ${load()})`);
  const k1 = await fullSyncVsRaw('nft', r1k, { raw: true, reps: REPS });
  row(`nft 1,000 services (${k1.restores} restores, median of ${REPS})`, k1.ours, 'ms', k1.raw);
  figures.full_sync_ms_1000 = round(k1.ours);
  figures.raw_restore_ms_1000 = round(k1.raw);

  heading(`legacy, 10,000 services (load ${load()})`);
  const leg = await fullSyncVsRaw('legacy', r10k, {
    raw: true,
    reps: REPS,
    then: (ipt, syncer) => oneChange('legacy', ipt, syncer, r10k, changed),
  });
  row(`legacy full sync (${leg.restores} restores, median of ${REPS})`, leg.ours, 'ms', leg.raw);
  figures.full_sync_legacy_ms_10000 = round(leg.ours);
  figures.raw_restore_legacy_ms_10000 = round(leg.raw);

  heading(`nft, 10,000 services (load ${load()})`);
  const nft = await fullSyncVsRaw('nft', r10k, {
    raw: RAW_NFT_10K,
    reps: 1,
    then: (ipt, syncer) => oneChange('nft', ipt, syncer, r10k, changed),
  });
  row(
    `nft full sync (${nft.restores} restores)`,
    nft.ours,
    'ms',
    RAW_NFT_10K ? nft.raw : undefined,
  );
  figures.full_sync_ms_10000 = round(nft.ours);
  figures.raw_restore_ms_10000 = RAW_NFT_10K
    ? round(nft.raw)
    : 'not measured (SKIFF_BENCH_RAW_NFT_10K=0)';
}

async function netprog(): Promise<void> {
  heading(`network programming latency, 1,000 services (load ${load()})`);
  const fx = await ApiFixture.start();
  try {
    const client = fx.client({ timeoutMs: 120_000 });
    const all = ports(1000);
    const eps = (sp: ServicePortInfo, ips: string[]): Endpoints =>
      ({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: sp.name.split('/')[1], namespace: 'default' },
        subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
      }) as Endpoints;
    await pool(all.length, 8, async (i) => {
      const sp = all[i] as ServicePortInfo;
      const name = sp.name.split('/')[1];
      await client.create(SERVICES, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { ports: [{ port: 80, targetPort: 8080 }] },
      } as Service);
      await client.create(
        ENDPOINTS,
        eps(
          sp,
          sp.endpoints.map((e) => e.ip),
        ),
      );
    });
    await inNetns('nft', async (ipt) => {
      const proxy = await startProxy({
        client,
        iptables: ipt,
        ...OPTS,
        nodeName: 'bench',
        log: quietLogger,
      });
      try {
        await proxy.ready;
        const samples: number[] = [];
        for (let k = 0; k < CHANGES; k++) {
          const sp = all[(k * 37) % all.length] as ServicePortInfo;
          const ip = `10.200.${k >> 8}.${k & 255}`;
          const chain = endpointChain(sp.name, 'TCP', `${ip}:8080`);
          const t = performance.now();
          await client.update(ENDPOINTS, eps(sp, [ip]));
          const deadline = Date.now() + 30_000;
          while (!(await ipt.chainExists('nat', chain)) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 5));
          }
          samples.push(since(t));
          await new Promise((r) => setTimeout(r, 1100)); // past the 1 s min sync period
        }
        const p50 = percentile(samples, 0.5);
        const p99 = percentile(samples, 0.99);
        row(`p50 over ${CHANGES} changes`, p50, 'ms');
        row(`p99 over ${CHANGES} changes`, p99, 'ms');
        figures.netprog_p50_ms_1000 = round(p50);
        figures.netprog_p99_ms_1000 = round(p99);
      } finally {
        await proxy.stop();
      }
    });
  } finally {
    await fx.destroy();
  }
}

const started = performance.now();
await syncFigures();
await netprog();
heading(`done in ${round(since(started) / 1000, 1)} s (load ${load()})`);
figures.load_avg_end = load();
report(figures);
