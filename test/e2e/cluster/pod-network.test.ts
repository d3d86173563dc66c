// The pod network across nodes, end to end: three test nodes with a real
// skiff agent each (routes between pod CIDRs, FORWARD acceptance,
// masquerade only off the cluster CIDR). Pods reach pods on other nodes by
// their real IPs, with no NAT in between.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from '../../../control-plane/api/types.ts';
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
      podManifest(`echo-${node}`, { containers: [{ name: 'app', image: ECHO_IMAGE }] }, node),
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
