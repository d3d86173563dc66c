/**
 * `npm run bench -- proxy`: the service proxy's sync on real iptables, each
 * measurement in a fresh network namespace this benchmark creates and
 * deletes (the host's tables are never touched). A kube-proxy-shaped
 * ruleset: N ClusterIP services × 3 endpoints.
 *
 * - full sync from empty, through RuleSyncer (read back, plan, bounded
 *   steps of ~1,000 services, jumps), at 1,000 and 10,000 services, on the
 *   default backend (nft) and legacy; beside the raw single
 *   iptables-restore of the byte-identical whole ruleset (raw nft only at
 *   1,000: at 10,000 one restore takes minutes on nft);
 * - one endpoint change at 10,000 services (nft);
 * - restart with nothing changed at 10,000 (nft): a new RuleSyncer reads
 *   the tables back, verifies every chain and writes nothing;
 * - network programming latency at 1,000 services: startProxy on a real
 *   API server (in-process, SQLite); an Endpoints update → its new SEP
 *   chain present in the namespace, p50/p99.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Endpoints, Service } from '../../control-plane/api/types.ts';
import { endpointChain } from '../../node-agent/proxy/chain-names.ts';
import { ExecIptables, type Backend } from '../../node-agent/proxy/iptables.ts';
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
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return since(t);
}

async function fullSync(backend: Backend, rules: Ruleset): Promise<number> {
  return inNetns(backend, (ipt) => timed(() => new RuleSyncer({ iptables: ipt }).sync(rules)));
}

async function rawRestore(backend: Backend, rules: Ruleset): Promise<number> {
  const payload = toRestorePayload(rules);
  return inNetns(backend, (ipt) => timed(() => ipt.restore(payload, { noflush: true })));
}

async function syncFigures(): Promise<void> {
  const r1k = renderRules(ports(1000), OPTS);
  const r10k = renderRules(ports(10_000), OPTS);
  heading(`full sync from empty (load ${load()})`);
  const full1k = await fullSync('nft', r1k);
  const raw1k = await rawRestore('nft', r1k);
  row('nft 1,000 services', full1k, 'ms', raw1k);
  figures.full_sync_ms_1000 = round(full1k);
  figures.raw_restore_ms_1000 = round(raw1k);
  const legacy10k = await fullSync('legacy', r10k);
  const legacyRaw10k = await rawRestore('legacy', r10k);
  row('legacy 10,000 services', legacy10k, 'ms', legacyRaw10k);
  figures.full_sync_legacy_ms_10000 = round(legacy10k);
  figures.raw_restore_legacy_ms_10000 = round(legacyRaw10k);
  await inNetns('nft', async (ipt) => {
    const syncer = new RuleSyncer({ iptables: ipt });
    const full = await timed(() => syncer.sync(r10k));
    row('nft 10,000 services (raw: not run, minutes)', full, 'ms');
    figures.full_sync_ms_10000 = round(full);
    figures.raw_restore_ms_10000 =
      'not measured on nft (a single 10,000-service restore takes minutes); see raw_restore_ms_1000';
    heading(`one endpoint change at 10,000 (load ${load()})`);
    const changed = renderRules(ports(10_000, 4242), OPTS);
    const one = await timed(() => syncer.sync(changed));
    row('nft one change', one, 'ms');
    figures.one_change_ms_10000 = round(one);
    heading(`restart with nothing changed at 10,000 (load ${load()})`);
    const again = new RuleSyncer({ iptables: ipt });
    let written = -1;
    const restart = await timed(async () => {
      written = (await again.sync(changed)).rules;
    });
    row(`nft restart ready (rules written: ${written})`, restart, 'ms');
    figures.restart_ready_ms_10000 = round(restart);
    figures.restart_rules_written_10000 = written;
  });
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
