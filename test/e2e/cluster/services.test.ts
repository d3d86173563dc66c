// Service traffic end to end on three test nodes, each with a real skiff
// agent (pod network routes, the iptables service proxy) and its own
// dockerd: a 3-replica Deployment of the echo image that the scheduler
// spreads one pod per node, reached by pod IP, ClusterIP (from every node,
// from a pod, a pod through its own service), NodePort, ClientIP affinity
// and UDP; scaled to 0 (refused at once) and back; rolled out under load
// with 0 failed requests. One cluster for the whole file, so the tests run
// in order and later ones build on the Deployment's state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Node, Pod, Service } from '../../../control-plane/api/types.ts';
import type { LocalNode } from '../../../deploy/local-cluster/index.ts';
import { httpGetInNode } from '../../deploy/local-cluster/node-helpers.ts';
import { NODES, PODS, startAgentCluster, type AgentCluster } from '../fixtures/agent-cluster.ts';
import {
  DEPLOYMENTS,
  PRESTOP_SECONDS,
  echoDeployment,
  inPod,
  readyAddresses,
  readyPods,
  requests,
  rolloutStatus,
  spray,
  startNodeClient,
  udpScript,
  loadScript,
  waitEndpoints,
  type ClientPlace,
  type NodeClient,
} from './traffic-helpers.ts';

const NODE_NAMES = ['n1', 'n2', 'n3'];
const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
let c: AgentCluster;
/** The echo Deployment's pods by node name, as first rolled out. */
const pods = new Map<string, Pod>();
const clients: NodeClient[] = [];

before(async () => {
  c = await startAgentCluster({ prefix: 'skiffn', count: 3 });
  await c.client.create(DEPLOYMENTS, echoDeployment('echo', 3), { namespace: 'default' });
  await rolloutStatus(c, 'echo');
  for (const p of await readyPods(c, 'echo')) pods.set(p.spec.nodeName ?? '', p);
});
after(async () => {
  for (const cl of clients) cl.kill();
  await c?.destroy();
});

const node = (name: string): ClientPlace => ({ node: c.node(name) });
const inside = (pod: Pod): ClientPlace => ({ pod, c });

function podOn(nodeName: string): Pod {
  const p = pods.get(nodeName);
  assert.ok(p, `an echo pod runs on ${nodeName} (${[...pods.keys()]})`);
  return p;
}

async function createService(name: string, spec: Service['spec']): Promise<Service> {
  return c.client.create<Service>(
    SERVICES,
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec },
    { namespace: 'default' },
  );
}

/** Sprays `count` from `place`, first waiting (bounded) for every node's rules to serve all `want`. */
async function sprayAll(
  place: ClientPlace,
  url: string,
  want: readonly string[],
  count: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + 60_000;
  let seen = await spray(place, url, 30);
  while (want.some((p) => !seen.has(p)) && Date.now() < deadline) {
    seen = await spray(place, url, 30);
  }
  return spray(place, url, count);
}

/** Each of `want` answered at least 10 % of `count`, and nothing else answered. */
function assertSpread(
  seen: Map<string, number>,
  want: readonly string[],
  count: number,
  from: string,
): void {
  for (const p of want) {
    const n = seen.get(p) ?? 0;
    assert.ok(n >= count / 10, `from ${from}: ${p} answered ${n} of ${count} (${[...seen]})`);
  }
  const served = want.reduce((a, p) => a + (seen.get(p) ?? 0), 0);
  assert.equal(served, count, `from ${from}: every request served by a pod: ${[...seen]}`);
}

test('the scheduler spreads the 3 replicas one pod per node, each in its node pod CIDR', async () => {
  assert.deepEqual([...pods.keys()].sort(), NODE_NAMES, 'one ready echo pod per node');
  for (const [name, p] of pods) {
    const cidr = (await c.client.get<Node>(NODES, name)).spec?.podCIDR ?? '';
    const prefix = cidr.split('.').slice(0, 3).join('.');
    assert.match(cidr, /\.0\/24$/, `node ${name} has a /24 pod CIDR`);
    assert.ok(p.status?.podIP?.startsWith(`${prefix}.`), `${p.status?.podIP} in ${cidr}`);
  }
});

test('a pod reaches a pod on every other node by its IP and is seen with its own pod IP', async () => {
  for (const [fromNode, from] of pods) {
    for (const [toNode, to] of pods) {
      if (fromNode === toNode) continue;
      const url = `http://${to.status?.podIP}:8080/hop`;
      const fetch = `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(5000)}).then(r=>r.text()).then(t=>process.stdout.write(t),e=>process.stdout.write('ERR '+(e.cause?.code??e.name)))`;
      const r = await inPod(c, from, ['node', '-e', fetch]);
      assert.equal(
        r.stdout.trim(),
        `pod=${to.metadata.name} path=/hop client=${from.status?.podIP}`,
        `${fromNode} → ${toNode}`,
      );
    }
  }
});

test('a node reaches pods on the other nodes', async () => {
  const target = podOn('n3');
  for (const from of ['n1', 'n2']) {
    const r = await httpGetInNode(c.node(from), `http://${target.status?.podIP}:8080/from-node`);
    const client = c.node(from).ip.replace(/\./g, '\\.');
    assert.match(
      r.body ?? String(r.error),
      new RegExp(`^pod=${target.metadata.name} path=/from-node client=${client}`),
    );
  }
});

test('a ClusterIP Service spreads 300 requests from every node, and from a pod, over the pods on all three nodes', async () => {
  const svc = await createService('echo', {
    selector: { app: 'echo' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
  });
  const url = `http://${svc.spec?.clusterIP}:80/svc`;
  const want = [...pods.values()].map((p) => p.metadata.name ?? '');
  for (const from of NODE_NAMES) {
    assertSpread(await sprayAll(node(from), url, want, 300), want, 300, `node ${from}`);
  }
  // A pod of the Deployment: the pods on the two other nodes, and itself through
  // its own service (hairpin), each get their share.
  const client = podOn('n1');
  const seen = await sprayAll(inside(client), url, want, 300);
  assertSpread(seen, want, 300, `pod ${client.metadata.name} (itself included)`);
});

test('a NodePort answers on every node; an address of the service range that no Service owns is refused', async () => {
  const svc = await createService('echo-np', {
    type: 'NodePort',
    selector: { app: 'echo' },
    ports: [{ port: 80, targetPort: 8080 }],
  });
  const nodePort = svc.spec?.ports?.[0]?.nodePort;
  assert.ok(nodePort);
  const want = [...pods.values()].map((p) => p.metadata.name ?? '');
  for (const target of NODE_NAMES) {
    const url = `http://${c.node(target).ip}:${nodePort}/np`;
    const deadline = Date.now() + 60_000;
    let seen = await spray(node('n1'), url, 10);
    while (!want.some((p) => seen.has(p)) && Date.now() < deadline) {
      seen = await spray(node('n1'), url, 10);
    }
    seen = await spray(node('n1'), url, 10);
    const served = want.reduce((a, p) => a + (seen.get(p) ?? 0), 0);
    assert.equal(served, 10, `NodePort on ${target}: ${[...seen]}`);
  }
  // 10.96.255.254 is in the service range and owned by no Service.
  const [refused] = await requests(node('n2'), 'http://10.96.255.254:80/nobody', 1, 5_000);
  assert.equal(refused?.answer, 'error ECONNREFUSED', `refused: ${JSON.stringify(refused)}`);
  assert.ok((refused?.ms ?? Infinity) < 2_000, `refused at once: ${refused?.ms} ms`);
});

test('sessionAffinity ClientIP pins a client node to one pod', async () => {
  const svc = await createService('echo-sticky', {
    selector: { app: 'echo' },
    sessionAffinity: 'ClientIP',
    ports: [{ port: 80, targetPort: 8080 }],
  });
  const url = `http://${svc.spec?.clusterIP}:80/sticky`;
  const want = new Set([...pods.values()].map((p) => p.metadata.name ?? ''));
  await waitEndpoints(c, 'echo-sticky', (ep) => readyAddresses(ep).length === 3, '3 addresses');
  for (const from of ['n1', 'n2']) {
    // Until this node's proxy has the service, its address is refused.
    const deadline = Date.now() + 60_000;
    let first = await requests(node(from), url, 1);
    while (!want.has(first[0]?.answer ?? '') && Date.now() < deadline) {
      first = await requests(node(from), url, 1);
    }
    const seen = await spray(node(from), url, 100);
    assert.deepEqual([...seen], [[first[0]?.answer, 100]], `node ${from} pinned: ${[...seen]}`);
  }
});

test('a UDP service answers, and a client on a fixed source port reaches a replaced backend within 2 s', async (t) => {
  await c.client.create(DEPLOYMENTS, echoDeployment('echo-udp', 1), { namespace: 'default' });
  const svc = await createService('echo-udp', {
    selector: { app: 'echo-udp' },
    ports: [{ name: 'dns-like', port: 5300, protocol: 'UDP', targetPort: 'echo-udp' }],
  });
  await rolloutStatus(c, 'echo-udp');
  const [old] = await readyPods(c, 'echo-udp');
  assert.ok(old);
  const client = startNodeClient(c.node('n1'), udpScript(svc.spec?.clusterIP ?? '', 5300, 41234));
  clients.push(client);
  const from = (name: string) => (l: Record<string, unknown>) =>
    typeof l.body === 'string' && l.body.startsWith(`pod=${name} `);
  await client.waitLine(from(old.metadata.name ?? ''), `an answer from ${old.metadata.name}`);

  await c.client.delete(PODS, old.metadata.name ?? '', { namespace: 'default' });
  // Measured from the last poll (every 20 ms) that did not yet see the new endpoint.
  const { ep, notYetAt: inEndpoints } = await waitEndpoints(
    c,
    'echo-udp',
    (e) => readyAddresses(e).some((n) => n !== old.metadata.name),
    'the replacement ready',
    90_000,
    20,
  );
  const replacement = readyAddresses(ep).find((n) => n !== old.metadata.name) ?? '';
  await client.waitLine(from(replacement), `an answer from ${replacement}`, 30_000);
  const lines = await client.stop();
  const answered = lines.find(from(replacement))?.t as number;
  const switchMs = answered - inEndpoints;
  t.diagnostic(`UDP switch: ${switchMs} ms after the endpoint appeared`);
  assert.ok(
    switchMs <= 2_000,
    `the new backend answered ${switchMs} ms after its endpoint appeared`,
  );
});

/**
 * What is wrong when `place` (on node `on`) asks `url`, a service without
 * endpoints: nothing when, once the node's proxy has synced (bounded), 10
 * requests in a row are each refused in well under the 5 s client timeout.
 */
async function refusals(
  what: string,
  place: ClientPlace,
  url: string,
  on: LocalNode,
): Promise<string[]> {
  // Until the node's proxy has synced, the terminating pods may still answer.
  const deadline = Date.now() + 30_000;
  const seen: string[] = [];
  for (;;) {
    const [r] = await requests(place, url, 1, 5_000);
    if (r?.answer === 'error ECONNREFUSED') break;
    seen.push(JSON.stringify(r));
    if (Date.now() > deadline) {
      // The order of FORWARD's jumps decides whether pod traffic meets the proxy's REJECT.
      const forward = (await on.run('iptables', ['-w', '-S', 'FORWARD'])).stdout;
      return [
        `${what}: never refused: ${seen.slice(-3).join(' ')}; FORWARD on ${on.name}:\n${forward}`,
      ];
    }
  }
  return (await requests(place, url, 10, 5_000))
    .filter((r) => r.answer !== 'error ECONNREFUSED' || r.ms >= 1_000)
    .map((r) => `${what}: not refused at once: ${JSON.stringify(r)}`);
}

test('scaled to 0 the service refuses at once; scaled back to 3 it serves again', async () => {
  const svc = await c.client.get<Service>(SERVICES, 'echo', { namespace: 'default' });
  const url = `http://${svc.spec?.clusterIP}:80/scaled`;
  assert.match(await c.kubectl(['scale', 'deployment/echo', '--replicas=0']), /scaled/);
  const problems: string[] = [];
  try {
    await waitEndpoints(c, 'echo', (ep) => readyAddresses(ep).length === 0, 'no ready address');
    for (const n of NODE_NAMES) {
      problems.push(...(await refusals(`node ${n}`, node(n), url, c.node(n))));
    }
    // A pod's connection is forwarded by its node (FORWARD), not sent from it (OUTPUT).
    const [pod] = await readyPods(c, 'echo-udp');
    assert.ok(pod);
    const on = c.node(pod.spec.nodeName ?? '');
    problems.push(...(await refusals(`pod ${pod.metadata.name}`, inside(pod), url, on)));
  } finally {
    // Whatever happened, the checks below and later tests get their 3 replicas back.
    assert.match(await c.kubectl(['scale', 'deployment/echo', '--replicas=3']), /scaled/);
  }
  await rolloutStatus(c, 'echo');
  const want = (await readyPods(c, 'echo')).map((p) => p.metadata.name ?? '');
  assert.equal(want.length, 3);
  for (const from of NODE_NAMES) {
    const seen = await sprayAll(node(from), url, want, 30);
    const served = want.reduce((a, p) => a + (seen.get(p) ?? 0), 0);
    assert.equal(served, 30, `node ${from} served again: ${[...seen]}`);
  }
  assert.deepEqual(problems, [], 'scaled to 0, every client was refused at once');
});

test('a rolling update under 20 requests/s through the service fails no request', async (t) => {
  const svc = await c.client.get<Service>(SERVICES, 'echo', { namespace: 'default' });
  const url = `http://${svc.spec?.clusterIP}:80/rolling`;
  // A settled start whatever the tests before left: 3 ready pods, all served on n2.
  await rolloutStatus(c, 'echo');
  const oldPods = (await readyPods(c, 'echo')).map((p) => p.metadata.name ?? '');
  assert.equal(oldPods.length, 3);
  const warm = await sprayAll(node('n2'), url, oldPods, 30);
  assert.equal(
    oldPods.reduce((a, p) => a + (warm.get(p) ?? 0), 0),
    30,
    `${[...warm]}`,
  );
  const load = startNodeClient(c.node('n2'), loadScript(url, 20));
  clients.push(load);
  const progress = (l: Record<string, unknown>) => (l.progress as { ok?: number } | undefined)?.ok;
  await load.waitLine((l) => (progress(l) ?? 0) >= 20, '20 answers before the rollout');

  const started = Date.now();
  assert.match(await c.kubectl(['set', 'env', 'deployment/echo', 'ROLLOUT=2']), /env updated/);
  const status = await rolloutStatus(c, 'echo');
  assert.match(status, /successfully rolled out/);
  // The last old pod still serves through its preStop sleep: keep the load on until it is gone.
  await new Promise((r) => setTimeout(r, (PRESTOP_SECONDS + 3) * 1000));
  const lines = await load.stop();
  const summary = lines.find((l) => l.summary)?.summary as {
    sent: number;
    ok: number;
    byPod: Record<string, number>;
    failures: { t: number; ms: number; err: string }[];
    seconds: number;
  };
  assert.ok(summary, 'the load client printed its summary');
  t.diagnostic(
    `rollout ${Math.round((Date.now() - started) / 1000)} s; ${summary.sent} requests in ${summary.seconds} s`,
  );
  const newPods = (await readyPods(c, 'echo')).map((p) => p.metadata.name ?? '');
  assert.equal(newPods.length, 3);
  assert.ok(
    newPods.every((p) => !oldPods.includes(p)),
    `all pods replaced: ${oldPods} → ${newPods}`,
  );
  const failures = summary.failures.map(
    (f) => `${new Date(f.t).toISOString()} ${f.err} after ${f.ms} ms`,
  );
  assert.deepEqual(
    failures,
    [],
    `failed requests during the rollout:\n${failures.join('\n')}\n${c.logs()}`,
  );
  assert.equal(summary.ok, summary.sent);
  for (const p of [...oldPods, ...newPods]) {
    assert.ok(
      (summary.byPod[p] ?? 0) > 0,
      `${p} served during the rollout: ${JSON.stringify(summary.byPod)}`,
    );
  }
});
