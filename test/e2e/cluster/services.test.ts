// The pod network across nodes, end to end: three test nodes with a real
// skiff agent each (routes between pod CIDRs, FORWARD acceptance,
// masquerade only off the cluster CIDR). Pods reach pods on other nodes by
// their real IPs, with no NAT in between.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Pod, Service } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/index.ts';
import { httpGetInNode } from '../../deploy/local-cluster/node-helpers.ts';
import { PODS, startAgentCluster, type AgentCluster } from '../fixtures/agent-cluster.ts';
import { containerStatus, podManifest } from '../agent/pod-helpers.ts';

let c: AgentCluster;
const pods = new Map<string, Pod>();

before(async () => {
  c = await startAgentCluster({ prefix: 'skiffn', count: 3 });
  for (const node of ['n1', 'n2', 'n3']) {
    await c.client.create(
      PODS,
      withLabel(
        podManifest(`echo-${node}`, { containers: [{ name: 'app', image: ECHO_IMAGE }] }, node),
      ),
      { namespace: 'default' },
    );
  }
  for (const node of ['n1', 'n2', 'n3']) {
    const p = await c.waitPod(
      `echo-${node}`,
      (x) => containerStatus(x, 'app')?.ready === true,
      'ready',
    );
    pods.set(node, p);
  }
});
after(() => c?.destroy());

// Every echo pod also carries role=web, the selector of the test's Services.
function withLabel(p: Pod): Pod {
  return { ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, role: 'web' } } };
}

/** `count` GETs of `url` from inside node `node`; resolves to answers per pod name and failures. */
async function spray(node: string, url: string, count: number): Promise<Map<string, number>> {
  // node:http without an agent: a new connection (so a new balancing decision) per request.
  const script = `
    import { get } from 'node:http';
    const one = () => new Promise((resolve) => {
      const req = get(${JSON.stringify(url)}, { agent: false, timeout: 3000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          const m = /^pod=(\\S+)/.exec(body);
          resolve(m ? m[1] : 'status ' + res.statusCode);
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => resolve('error ' + (err.code ?? err.name)));
    });
    const seen = {};
    for (let i = 0; i < ${count}; i++) {
      const k = await one();
      seen[k] = (seen[k] ?? 0) + 1;
    }
    console.log(JSON.stringify(seen));`;
  const r = await c.node(node).run(process.execPath, ['--input-type=module', '-e', script], {
    timeoutMs: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return new Map(Object.entries(JSON.parse(line) as Record<string, number>));
}

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;

async function createService(name: string, spec: Service['spec']): Promise<Service> {
  return c.client.create<Service>(
    SERVICES,
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec },
    { namespace: 'default' },
  );
}

/** GET from inside pod `from` (its own network namespace) with node's binary. */
async function fromPod(from: Pod, url: string): Promise<string> {
  const id = (containerStatus(from, 'app')?.containerID ?? '').replace('docker://', '');
  const node = c.node(from.spec.nodeName ?? '');
  const r = await node.run('docker', [
    '-H',
    `unix://${node.dockerSocket}`,
    'exec',
    id,
    'node',
    '-e',
    `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(5000)}).then(r=>r.text()).then(t=>process.stdout.write(t),e=>{process.stdout.write('ERR '+(e.cause?.code??e.name));})`,
  ]);
  return r.stdout;
}

test('every node has a distinct pod CIDR and its pods get IPs in it', () => {
  const ips = [...pods.values()].map((p) => p.status?.podIP ?? '');
  assert.equal(new Set(ips.map((ip) => ip.split('.').slice(0, 3).join('.'))).size, 3, `${ips}`);
});

test('a pod reaches a pod on every other node by its IP and is seen with its own pod IP', async () => {
  for (const [fromNode, from] of pods) {
    for (const [toNode, to] of pods) {
      if (fromNode === toNode) continue;
      const answer = await fromPod(from, `http://${to.status?.podIP}:8080/hop`);
      assert.equal(
        answer.trim(),
        `pod=echo-${toNode} path=/hop client=${from.status?.podIP}`,
        `${fromNode} → ${toNode}`,
      );
    }
  }
});

test('a node reaches pods on the other nodes', async () => {
  const target = pods.get('n3');
  for (const node of ['n1', 'n2']) {
    const r = await httpGetInNode(c.node(node), `http://${target?.status?.podIP}:8080/from-node`);
    assert.match(
      r.body ?? String(r.error),
      new RegExp(`^pod=echo-n3 path=/from-node client=${c.node(node).ip.replace(/\./g, '\\.')}`),
    );
  }
});

test('a ClusterIP Service spreads requests from every node over the pods on all three nodes', async () => {
  const svc = await createService('web', {
    selector: { role: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  });
  const url = `http://${svc.spec?.clusterIP}:80/svc`;
  for (const node of ['n1', 'n2', 'n3']) {
    // The first answers may come before every agent wrote the rules: wait for them.
    const deadline = Date.now() + 60_000;
    let answers = await spray(node, url, 30);
    while (answers.size < 3 && Date.now() < deadline) answers = await spray(node, url, 30);
    answers = await spray(node, url, 300);
    for (const target of ['n1', 'n2', 'n3']) {
      const n = answers.get(`echo-${target}`) ?? 0;
      assert.ok(n >= 30, `from ${node}: echo-${target} answered ${n} of 300 (${[...answers]})`);
    }
    assert.equal(
      [...answers.values()].reduce((a, b) => a + b, 0),
      300,
      `${[...answers]}`,
    );
  }
  // From a pod on n1 to the service, and a pod reaching itself through it (hairpin).
  const from = pods.get('n1');
  assert.ok(from);
  const names = new Set<string>();
  for (let i = 0; i < 40 && names.size < 3; i++) {
    const m = /^pod=(\S+)/.exec(await fromPod(from, url));
    if (m?.[1]) names.add(m[1]);
  }
  assert.deepEqual(
    [...names].sort(),
    ['echo-n1', 'echo-n2', 'echo-n3'],
    'a pod reaches all three, itself included',
  );
});

test('a NodePort answers on every node; an address of the service range that no Service owns is refused', async () => {
  const svc = await createService('web-np', {
    type: 'NodePort',
    selector: { role: 'web' },
    ports: [{ port: 80, targetPort: 8080 }],
  });
  const nodePort = svc.spec?.ports?.[0]?.nodePort;
  assert.ok(nodePort);
  for (const node of ['n1', 'n2', 'n3']) {
    const ip = c.node(node).ip;
    const deadline = Date.now() + 60_000;
    let answers = await spray('n1', `http://${ip}:${nodePort}/np`, 10);
    while (
      !answers.has('echo-n1') &&
      !answers.has('echo-n2') &&
      !answers.has('echo-n3') &&
      Date.now() < deadline
    )
      answers = await spray('n1', `http://${ip}:${nodePort}/np`, 10);
    const served = [...answers]
      .filter(([k]) => k.startsWith('echo-'))
      .reduce((a, [, v]) => a + v, 0);
    assert.equal(served, 10, `NodePort on ${node}: ${[...answers]}`);
  }
  // 10.96.255.254 is in the service range and owned by no Service.
  const started = Date.now();
  const refused = await spray('n2', 'http://10.96.255.254:80/nobody', 1);
  assert.equal(refused.get('error ECONNREFUSED'), 1, `refused at once: ${[...refused]}`);
  assert.ok(Date.now() - started < 10_000);
});
