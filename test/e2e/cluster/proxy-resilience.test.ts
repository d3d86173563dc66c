// The service proxy under failure, end to end on a 3-node local cluster
// (real server, real agents, real dockerd and iptables per node): the API
// server away for 60 s, a hand-made flush of skiff's chains, and agent
// restarts (SIGTERM and kill -9) under held connections.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Pod, Service } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/index.ts';
import { isAlive } from '../../../deploy/local-cluster/processes.ts';
import { SERVICES_CHAIN } from '../../../node-agent/proxy/chain-names.ts';
import type { Backend } from '../../../node-agent/proxy/iptables.ts';
import { PODS, startAgentCluster, type AgentCluster } from '../fixtures/agent-cluster.ts';
import { containerStatus, podManifest } from '../agent/pod-helpers.ts';
import {
  assertNoFailures,
  startHeldConnections,
  startLoadClient,
  type HeldSummary,
  type LoadSummary,
} from './proxy-resilience-clients.ts';
import {
  flushChain,
  lineDiff,
  proxyBackend,
  proxyWarnings,
  ruleSnapshot,
  serviceChainFor,
  settledRules,
  briefSync,
  syncLogs,
  waitSyncLog,
} from './proxy-resilience-rules.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const NODE_NAMES = ['n1', 'n2', 'n3'];
const OUTAGE_MS = 60_000;
const REPAIR_LIMIT_MS = 5_000;

let c: AgentCluster;
let backend: Backend;
let clusterIP = '';
let nodePort = 0;

before(async () => {
  c = await startAgentCluster({ prefix: 'skiffpr', count: 3 });
  for (const node of NODE_NAMES) {
    const pod = podManifest(
      `prx-${node}`,
      { containers: [{ name: 'app', image: ECHO_IMAGE }] },
      node,
    );
    pod.metadata.labels = { ...pod.metadata.labels, role: 'prx' };
    await c.client.create(PODS, pod, { namespace: 'default' });
  }
  for (const node of NODE_NAMES) {
    await c.waitPod(`prx-${node}`, (p: Pod) => containerStatus(p, 'app')?.ready === true, 'ready');
  }
  const web = await createService('prx-web', {
    selector: { role: 'prx' },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  });
  const np = await createService('prx-np', {
    type: 'NodePort',
    selector: { role: 'prx' },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  });
  clusterIP = web.spec?.clusterIP ?? '';
  nodePort = np.spec?.ports?.[0]?.nodePort ?? 0;
  assert.ok(clusterIP && nodePort, 'the services got a cluster IP and a node port');
  // Every node serves both services from all three pods before anything is measured.
  for (const node of NODE_NAMES) {
    await waitAllPods(node, `http://${clusterIP}/warm`);
    await waitAllPods(node, `http://${c.node(node).ip}:${nodePort}/warm`);
  }
  backend = await proxyBackend(c.node('n1'));
});
after(() => c?.destroy());

function createService(name: string, spec: Service['spec']): Promise<Service> {
  return c.client.create<Service>(
    SERVICES,
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec },
    { namespace: 'default' },
  );
}

/** Polls (bounded) until ~30 new connections to `url` from `node` in 0.6 s reach all three pods. */
async function waitAllPods(node: string, url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: LoadSummary | undefined;
  while (Date.now() < deadline) {
    const client = startLoadClient(c.node(node), [url], 50);
    try {
      await client.started();
      await sleep(600);
    } finally {
      last = await client.finish();
    }
    if (last.failed === 0 && Object.keys(last.pods).length === 3) return;
  }
  assert.fail(
    `from ${node}, ${url} did not reach all 3 pods: ${JSON.stringify(last)}\n${c.logs()}`,
  );
}

/** The snapshot of every node, by name. */
async function snapshots(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const node of NODE_NAMES) out.set(node, await ruleSnapshot(c.node(node), backend));
  return out;
}

function assertSameRules(baseline: Map<string, string>, now: Map<string, string>, when: string) {
  for (const [node, rules] of baseline) {
    const seen = now.get(node) ?? '';
    assert.ok(seen === rules, `${node} rules changed ${when}:\n${lineDiff(rules, seen)}`);
  }
}

test('the API server away for 60 s: service IPs serve with 0 failures, the rules stay byte-identical', async (t) => {
  const settled = await Promise.all(NODE_NAMES.map((n) => settledRules(c.node(n), backend)));
  const baseline = new Map(NODE_NAMES.map((n, i) => [n, settled[i] ?? '']));
  t.diagnostic(
    `baseline: ${[...baseline.values()].map((r) => r.split('\n').length).join('/')} lines`,
  );
  const logOffsets = new Map(NODE_NAMES.map((n) => [n, logSize(n)]));
  // n1 goes to the ClusterIP and to n3's NodePort; n2 to the ClusterIP and its own NodePort.
  const clients = [
    ['n1', startLoadClient(c.node('n1'), [`http://${clusterIP}/a`, nodePortUrl('n3', '/a')])],
    ['n2', startLoadClient(c.node('n2'), [`http://${clusterIP}/b`, nodePortUrl('n2', '/b')])],
  ] as const;
  let summaries: LoadSummary[] = [];
  let down = false;
  try {
    for (const [, client] of clients) await client.started();
    await sleep(2_000);
    const t0 = performance.now();
    down = true;
    await c.server.halt();
    t.diagnostic(`API server stopped in ${Math.round(performance.now() - t0)} ms`);
    const outageEnd = Date.now() + OUTAGE_MS;
    for (let i = 1; Date.now() < outageEnd - 5_000; i++) {
      await sleep(Math.min(10_000, outageEnd - 5_000 - Date.now()));
      assertSameRules(baseline, await snapshots(), `during the outage (sample ${i})`);
    }
    await sleep(Math.max(0, outageEnd - Date.now()));
    assertSameRules(baseline, await snapshots(), 'at the end of the outage');
    const t1 = performance.now();
    await c.server.restart();
    down = false;
    t.diagnostic(`API server back in ${Math.round(performance.now() - t1)} ms`);
    assertSameRules(baseline, await snapshots(), 'right after the API server returned');
    // The informers relist and the proxy syncs again: nothing to rewrite.
    await sleep(8_000);
    assertSameRules(baseline, await snapshots(), '8 s after the API server returned');
  } finally {
    // A failed check must not leave the API server away for the tests after this one.
    if (down) await c.server.restart();
    summaries = await Promise.all(clients.map(([, client]) => client.finish()));
  }
  t.diagnostic(`answers: ${summaries.map((x) => `${x.ok} ok ${x.failed} failed`).join(', ')}`);
  for (const [i, [node]] of clients.entries()) {
    // 60 s of outage at ~10 requests/s: well over 400 answers even on a loaded machine.
    assertNoFailures(`client in ${node}`, summaries[i] as LoadSummary, 400);
  }
  for (const node of NODE_NAMES) {
    const warnings = proxyWarnings(c.agents.get(node)?.logPath ?? '', logOffsets.get(node) ?? 0);
    assert.deepEqual(warnings, [], `${node}: no proxy warning through the outage`);
  }
});

function nodePortUrl(node: string, path: string): string {
  return `http://${c.node(node).ip}:${nodePort}${path}`;
}

function logSize(node: string): number {
  return statSync(c.agents.get(node)?.logPath ?? '').size;
}

test('a hand-made flush of a skiff chain is repaired within 5 s and the service serves again', async (t) => {
  const node = c.node('n2');
  const baseline = await settledRules(node, backend);
  const cases = [
    { what: 'the service chain', table: 'nat', chain: serviceChainFor(baseline, clusterIP, 80) },
    { what: 'the services dispatch chain', table: 'nat', chain: SERVICES_CHAIN },
    { what: 'the filter services chain', table: 'filter', chain: SERVICES_CHAIN },
  ];
  for (const tc of cases) {
    // Timed from before the flush: the repair time measured is an upper bound.
    const flushed = performance.now();
    const left = await flushChain(node, backend, tc.table, tc.chain);
    assert.deepEqual(left, [`-N ${tc.chain}`], `${tc.table}/${tc.chain} is empty after the flush`);
    let now = await ruleSnapshot(node, backend);
    while (now !== baseline && performance.now() - flushed < 30_000) {
      await sleep(100);
      now = await ruleSnapshot(node, backend);
    }
    const repairMs = Math.round(performance.now() - flushed);
    t.diagnostic(
      `${tc.table}/${tc.chain} flushed: rules byte-identical again after ${repairMs} ms`,
    );
    assert.ok(
      now === baseline,
      `${tc.what} (${tc.table}/${tc.chain}) not restored in 30 s:\n${lineDiff(baseline, now)}\n${c.logs()}`,
    );
    assert.ok(
      repairMs <= REPAIR_LIMIT_MS,
      `${tc.what} repaired in ${repairMs} ms, over ${REPAIR_LIMIT_MS}`,
    );
    const s = await runFor(node.name, [`http://${clusterIP}/again`, nodePortUrl('n2', '/again')]);
    assertNoFailures(`after repairing ${tc.what}`, s, 10);
  }
});

/** Load from `node` for 2 s. */
async function runFor(node: string, urls: string[]): Promise<LoadSummary> {
  const client = startLoadClient(c.node(node), urls, 20);
  try {
    await client.started();
    await sleep(2_000);
  } finally {
    // finish() is idempotent: here it also ends the client when started() failed
    await client.finish();
  }
  return client.finish();
}

const restartModes = [
  { name: 'SIGTERM', stop: (node: string) => c.agents.get(node)?.stop(15_000) },
  { name: 'kill -9', stop: (node: string) => killAgent(node) },
];

for (const mode of restartModes) {
  test(`restarting an agent (${mode.name}) drops no connection and rewrites no rule`, async (t) => {
    const node = 'n1';
    const baseline = await settledRules(c.node(node), backend);
    const held = startHeldConnections(c.node(node), clusterIP, 80, 6);
    let summary: HeldSummary | undefined;
    let offset = 0;
    const previous = process.env.SKIFF_LOG_LEVEL;
    try {
      await held.started();
      await sleep(1_000);
      await mode.stop(node);
      // From here on the log holds only what the new agent writes.
      offset = logSize(node);
      // The restarted agent logs every sync (debug), so a rewrite would show.
      process.env.SKIFF_LOG_LEVEL = 'debug';
      await c.startAgent(node);
      await waitSyncLog(c.agents.get(node)?.logPath ?? '', offset, c.logs);
      await sleep(3_000);
    } finally {
      if (previous === undefined) delete process.env.SKIFF_LOG_LEVEL;
      else process.env.SKIFF_LOG_LEVEL = previous;
      summary = await held.finish();
    }
    for (const [i, conn] of summary.conns.entries()) {
      const what = `connection ${i} (${JSON.stringify(conn)})`;
      assert.equal(conn.failed, 0, `${what}: no failed request`);
      assert.deepEqual(conn.closes, [], `${what}: no socket closed`);
      assert.equal(conn.ports.length, 1, `${what}: one socket throughout`);
      assert.equal(conn.pods.length, 1, `${what}: one backend throughout`);
      assert.ok(conn.ok >= 10, `${what}: requests sent throughout the restart`);
    }
    const slow = summary.slow;
    assert.ok(
      !slow.closedEarly && slow.error === null && /^HTTP\/1\.1 200/.test(slow.answer),
      `the request in flight during the restart was answered: ${JSON.stringify(slow)}`,
    );
    assert.match(slow.answer, /path=\/slow/);
    const now = await ruleSnapshot(c.node(node), backend);
    assert.ok(now === baseline, `rules changed by the restart:\n${lineDiff(baseline, now)}`);
    const syncs = syncLogs(c.agents.get(node)?.logPath ?? '', offset);
    t.diagnostic(`syncs of the restarted agent: ${JSON.stringify(syncs.map(briefSync))}`);
    t.diagnostic(`answers per connection: ${summary.conns.map((x) => x.ok).join(' ')}`);
    const first = syncs[0];
    assert.ok(first?.verified, `the first sync read the kernel back: ${JSON.stringify(syncs)}`);
    for (const s of syncs) {
      assert.equal(
        s.rulesWritten + s.chainsWritten + s.chainsDeleted + s.restores,
        0,
        `no rewrite: ${JSON.stringify(s)}`,
      );
      assert.equal(s.jumpsInserted, 0, `no jump inserted: ${JSON.stringify(s)}`);
    }
  });
}

async function killAgent(node: string): Promise<void> {
  const agent = c.agents.get(node);
  assert.ok(agent, `an agent runs on ${node}`);
  agent.kill();
  const deadline = Date.now() + 10_000;
  while (isAlive(agent.pid) && Date.now() < deadline) await sleep(100);
  assert.ok(!isAlive(agent.pid), `the agent of ${node} ended after SIGKILL`);
}
