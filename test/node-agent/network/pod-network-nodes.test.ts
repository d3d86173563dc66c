// The pod network across two REAL nodes (deploy/local-cluster: a network
// namespace with its own dockerd each, on one fenced host bridge). Each node
// gets the pod bridge as the kubelet makes it (ensurePodNetwork through
// DockerRuntime), an echo pod, and skiff's routes and rules applied inside its
// namespace via `nsenter --net=`, as the agent does. Nothing is sent anywhere
// but to addresses inside these namespaces; off-cluster masquerade is checked
// by reading the rules back, not by sending. Prefix "skiffnw"; everything is
// removed in `after`, even when a case fails.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Node } from '../../../control-plane/api/types.ts';
import {
  createTestNodes,
  ECHO_IMAGE,
  type LocalNode,
  type LocalNodes,
} from '../../../deploy/local-cluster/index.ts';
import { DockerRuntime } from '../../../node-agent/kubelet/runtime/docker-runtime.ts';
import { execRunner, runOk } from '../../../node-agent/network/command.ts';
import { IpHairpin } from '../../../node-agent/network/hairpin.ts';
import { IpRouteTable } from '../../../node-agent/network/ip-routes.ts';
import { ExecIptables } from '../../../node-agent/network/iptables.ts';
import { PodNetworkReconciler } from '../../../node-agent/network/pod-network.ts';
import { ExecSysctls } from '../../../node-agent/network/sysctls.ts';
import { httpGetInNode, waitHttpOk } from '../../deploy/local-cluster/node-helpers.ts';
import { container, pod } from '../kubelet/fixtures.ts';

const PREFIX = 'skiffnw';
const DATA_DIR = join(tmpdir(), 'skiffnw-pod-network-test');
const CLUSTER_CIDR = '10.244.0.0/16';
const NETWORK = 'skiff-pods'; // bridgeNameFor('skiff-pods') is the same name
const POD_CIDRS = ['10.244.1.0/24', '10.244.2.0/24'];

interface TestNode {
  node: LocalNode;
  runtime: DockerRuntime;
  net: PodNetworkReconciler;
  /** The echo pod's sandbox IP and its app container. */
  podIp: string;
  app: string;
}

let cluster: LocalNodes | undefined;
const nodes: TestNode[] = [];
let nodeObjects: Node[] | undefined;

before(async () => {
  cluster = await createTestNodes({ count: 2, prefix: PREFIX, dataDir: DATA_DIR, registry: false });
  nodeObjects = cluster.nodes.map((n, i) => nodeObject(n.name, POD_CIDRS[i] ?? '', n.ip));
  for (const [i, node] of cluster.nodes.entries()) {
    const runtime = await DockerRuntime.connect({
      dockerHost: `unix://${node.dockerSocket}`,
      nodeName: node.name,
    });
    await runtime.ensureNetwork(POD_CIDRS[i] ?? '', NETWORK);
    const p = pod(`echo-${node.name}`, [container('app', { image: ECHO_IMAGE })], {
      nodeName: node.name,
    });
    const sb = await runtime.createSandbox(p, { network: NETWORK, attempt: 0 });
    const env = [{ name: 'POD_NAME', value: `echo-${node.name}` }];
    const app = await runtime.createContainer(
      p,
      p.spec.containers[0] ?? container('app'),
      sb.id,
      0,
      {
        image: ECHO_IMAGE,
        env,
        mounts: [],
      },
    );
    await runtime.startContainer(app);
    const runner = execRunner(node.netnsPath);
    const net = new PodNetworkReconciler({
      nodeName: node.name,
      clusterCidr: CLUSTER_CIDR,
      serviceCidr: '10.96.0.0/16',
      bridge: NETWORK,
      listNodes: () => nodeObjects,
      routes: new IpRouteTable({ runner }),
      iptables: new ExecIptables({ runner }),
      sysctls: new ExecSysctls({ runner }),
      hairpin: new IpHairpin({ runner }),
      minSyncIntervalMs: 10,
    });
    nodes.push({ node, runtime, net, podIp: sb.ip, app });
  }
  for (const n of nodes) await waitHttpOk(n.node, `http://${n.podIp}:8080/up`);
});

after(async () => {
  await cluster?.destroy();
});

function nodeObject(name: string, podCIDR: string, ip: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

function both(): [TestNode, TestNode] {
  const [a, b] = nodes;
  assert.ok(a && b, 'both test nodes are set up');
  return [a, b];
}

/** GET from inside the pod's own network namespace, by running node in its container. */
async function getFromPod(from: TestNode, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.text()).then((t) => process.stdout.write(t))
    .catch((e) => { process.stdout.write('error ' + String(e.cause?.code ?? e.name)); })`;
  const res = await from.runtime.exec(from.app, ['/usr/local/bin/node', '-e', script], 30_000);
  return res.output;
}

const inNode = (n: TestNode, cmd: string, args: string[]) =>
  runOk(execRunner(n.node.netnsPath), cmd, args);

test("without skiff routes a node has no path to the other node's pods", async () => {
  const [n1, n2] = both();
  const res = await httpGetInNode(n1.node, `http://${n2.podIp}:8080/before`, 3_000);
  assert.equal(res.error, 'ENETUNREACH', JSON.stringify(res));
});

test('reconcile installs the route and rules in each node, and a second one changes nothing', async () => {
  const [n1, n2] = both();
  for (const [self, other] of [
    [n1, n2],
    [n2, n1],
  ] as const) {
    const first = await self.net.reconcile();
    assert.deepEqual(first.errors, []);
    assert.equal(first.rulesApplied, true);
    const otherCidr = POD_CIDRS[nodes.indexOf(other)];
    assert.deepEqual(first.routeSteps, [
      { op: 'add', route: { dst: otherCidr, via: other.node.ip, node: other.node.name } },
    ]);
    const routes = JSON.parse(
      await inNode(self, 'ip', ['-j', 'route', 'show', 'proto', '177']),
    ) as unknown;
    assert.deepEqual(
      (routes as { dst: string; gateway: string }[]).map((r) => [r.dst, r.gateway]),
      [[otherCidr, other.node.ip]],
    );
    const again = await self.net.reconcile();
    assert.deepEqual(
      [again.errors, again.routeSteps, again.rulesApplied, again.hairpinEnabled],
      [[], [], false, []],
      'what was read back equals what is wanted',
    );
  }
});

test('a pod on n1 reaches the pod on n2 by its pod IP and is seen with its real IP', async () => {
  const [n1, n2] = both();
  const body = await getFromPod(n1, `http://${n2.podIp}:8080/cross`);
  assert.equal(body, `pod=echo-n2 path=/cross client=${n1.podIp}\n`);
  const back = await getFromPod(n2, `http://${n1.podIp}:8080/back`);
  assert.equal(back, `pod=echo-n1 path=/back client=${n2.podIp}\n`);
});

test('a node reaches a pod on the other node', async () => {
  const [n1, n2] = both();
  const res = await httpGetInNode(n1.node, `http://${n2.podIp}:8080/from-node`);
  assert.equal(res.status, 200, JSON.stringify(res));
  assert.equal(res.body, `pod=echo-n2 path=/from-node client=${n1.node.ip}\n`);
});

test('off-cluster traffic is masqueraded by skiff, and still has no way out of the node', async () => {
  const [n1] = both();
  const nat = await inNode(n1, 'iptables-save', ['-t', 'nat']);
  assert.match(
    nat,
    /^-A SKIFF-POD-MASQ -s 10\.244\.0\.0\/16 ! -d 10\.244\.0\.0\/16 .*-j MASQUERADE$/m,
  );
  const post = nat.split('\n').filter((l) => l.startsWith('-A POSTROUTING '));
  const ours = post.findIndex((l) => l.endsWith('-j SKIFF-POD-MASQ'));
  const docker = post.findIndex((l) => l.includes(`! -o ${NETWORK} -j MASQUERADE`));
  // The agent creates the pod bridge without Docker's masquerade; if an older bridge
  // still has it, skiff's jump must come first.
  assert.ok(
    ours >= 0 && (docker === -1 || docker > ours),
    `skiff's jump precedes any masquerade of Docker's:\n${post.join('\n')}`,
  );
  // A route lookup sends nothing: the node namespace has no default route.
  const lookup = await execRunner(n1.node.netnsPath).run('ip', ['route', 'get', '198.51.100.7']);
  assert.notEqual(lookup.code, 0);
  assert.match(lookup.stderr, /unreachable/i);
});

test('repairs a moved jump, a removed route, ip_forward and hairpin mode', async () => {
  const [n1, n2] = both();
  const jump = ['-m', 'comment', '--comment', 'skiff pod network', '-j', 'SKIFF-POD-MASQ'];
  await inNode(n1, 'iptables', ['-w', '-t', 'nat', '-D', 'POSTROUTING', ...jump]);
  await inNode(n1, 'iptables', ['-w', '-t', 'nat', '-A', 'POSTROUTING', ...jump]);
  await inNode(n1, 'ip', ['route', 'del', POD_CIDRS[1] ?? '', 'proto', '177']);
  await inNode(n1, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);
  const ports = JSON.parse(await inNode(n1, 'ip', ['-j', 'link', 'show', 'master', NETWORK])) as {
    ifname: string;
  }[];
  const port = ports[0]?.ifname;
  assert.ok(port, 'the echo pod has a port on the bridge');
  await inNode(n1, 'ip', ['link', 'set', 'dev', port, 'type', 'bridge_slave', 'hairpin', 'off']);

  const r = await n1.net.reconcile();
  assert.deepEqual(r.errors, []);
  assert.equal(r.rulesApplied, true);
  assert.deepEqual(
    r.routeSteps.map((s) => s.op),
    ['add'],
  );
  assert.deepEqual(r.hairpinEnabled, [port]);
  assert.equal((await inNode(n1, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).trim(), '1');
  const post = await inNode(n1, 'iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING']);
  assert.equal(post.split('\n').filter((l) => l.includes('-j SKIFF-POD-MASQ')).length, 1);
  assert.match(post.split('\n')[1] ?? '', /-j SKIFF-POD-MASQ$/, 'the jump is first again');
  assert.equal(
    await getFromPod(n1, `http://${n2.podIp}:8080/again`),
    `pod=echo-n2 path=/again client=${n1.podIp}\n`,
  );
});

test("a node that leaves loses its route; only skiff's routes are removed", async () => {
  const [n1] = both();
  const before = JSON.parse(await inNode(n1, 'ip', ['-j', '-4', 'route'])) as { dst: string }[];
  nodeObjects = nodeObjects?.filter((n) => n.metadata.name !== 'n2');
  const r = await n1.net.reconcile();
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.routeSteps.map((s) => [s.op, s.op === 'delete' ? s.dst : '']),
    [['delete', POD_CIDRS[1]]],
  );
  const afterRoutes = JSON.parse(await inNode(n1, 'ip', ['-j', '-4', 'route'])) as {
    dst: string;
  }[];
  assert.deepEqual(
    afterRoutes.map((x) => x.dst),
    before.map((x) => x.dst).filter((d) => d !== POD_CIDRS[1]),
  );
});
