// The reconcile loop's own logic (coalescing, rate limit, what it leaves
// alone, error isolation) against fakes; the real kernel side is proven in
// pod-network-nodes.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Node } from '../../../control-plane/api/types.ts';
import type { Iptables } from '../../../node-agent/network/iptables.ts';
import type { RouteTable } from '../../../node-agent/network/ip-routes.ts';
import { PodNetworkReconciler } from '../../../node-agent/network/pod-network.ts';
import type { DesiredRoute, ObservedRoute } from '../../../node-agent/network/routes-plan.ts';
import type { NetworkSysctls, Sysctls } from '../../../node-agent/network/sysctls.ts';

class FakeRoutes implements RouteTable {
  routes: ObservedRoute[] = [];
  failFor = new Set<string>();
  async list(): Promise<ObservedRoute[]> {
    return [...this.routes];
  }
  async replace(r: DesiredRoute): Promise<void> {
    if (this.failFor.has(r.dst)) throw new Error('Nexthop has invalid gateway');
    this.routes = [
      ...this.routes.filter((x) => x.dst !== r.dst),
      { dst: r.dst, via: r.via, protocol: '177' },
    ];
  }
  async remove(dst: string): Promise<void> {
    this.routes = this.routes.filter((x) => !(x.dst === dst && x.protocol === '177'));
  }
}

/** Keeps chains as `-S` lines; restore understands just what the payload renderer writes. */
class FakeIptables implements Iptables {
  chains = new Map<string, string[]>([
    ['FORWARD', ['-P FORWARD DROP']],
    ['POSTROUTING', ['-P POSTROUTING ACCEPT']],
  ]);
  restores = 0;
  async listChain(_t: 'filter' | 'nat', chain: string): Promise<string[] | undefined> {
    return this.chains.get(chain);
  }
  async restore(payload: string): Promise<void> {
    this.restores++;
    for (const line of payload.split('\n')) {
      const decl = /^:(\S+) /.exec(line);
      if (decl?.[1]) this.chains.set(decl[1], [`-N ${decl[1]}`]);
      const ins = /^-I (\S+) 1 (.*)$/.exec(line);
      if (ins?.[1]) {
        const [head = '', ...rest] = this.chains.get(ins[1]) ?? [];
        this.chains.set(ins[1], [head, `-A ${ins[1]} ${ins[2] ?? ''}`, ...rest]);
      } else if (line.startsWith('-A ')) {
        const chain = line.split(' ')[1] ?? '';
        this.chains.get(chain)?.push(line);
      }
    }
  }
}

class FakeSysctls implements Sysctls {
  state: NetworkSysctls = { ipForward: false, bridgeNfCallIptables: true };
  async read(): Promise<NetworkSysctls> {
    return { ...this.state };
  }
  async enableIpForward(): Promise<void> {
    this.state.ipForward = true;
  }
}

const node = (name: string, podCIDR: string, ip: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { podCIDR },
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});

function setup(nodes: Node[] | undefined) {
  const routes = new FakeRoutes();
  const iptables = new FakeIptables();
  const sysctls = new FakeSysctls();
  let lists = 0;
  const net = new PodNetworkReconciler({
    nodeName: 'n1',
    clusterCidr: '10.244.0.0/16',
    serviceCidr: '10.96.0.0/16',
    listNodes: () => {
      lists++;
      return nodes;
    },
    routes,
    iptables,
    sysctls,
    minSyncIntervalMs: 20,
    log: createLogger({}, { sink: () => {} }),
  });
  return { net, routes, iptables, sysctls, lists: () => lists };
}

test('one sync brings routes, rules and ip_forward in place; the next one does nothing', async () => {
  const s = setup([
    node('n1', '10.244.1.0/24', '172.30.0.11'),
    node('n2', '10.244.2.0/24', '172.30.0.12'),
  ]);
  const first = await s.net.reconcile();
  assert.deepEqual(first.errors, []);
  assert.equal(first.rulesApplied, true);
  assert.deepEqual(s.routes.routes, [
    { dst: '10.244.2.0/24', via: '172.30.0.12', protocol: '177' },
  ]);
  assert.equal(s.sysctls.state.ipForward, true);
  const second = await s.net.reconcile();
  assert.deepEqual([second.rulesApplied, second.routeSteps, second.errors], [false, [], []]);
  assert.equal(s.iptables.restores, 1);
});

test('calls made while a sync waits or runs are coalesced into one more sync', async () => {
  const s = setup([node('n1', '10.244.1.0/24', '172.30.0.11')]);
  const calls = Array.from({ length: 5 }, () => s.net.reconcile());
  assert.equal(new Set(calls).size, 1, 'all five share one pending sync');
  await Promise.all(calls);
  const later = [s.net.reconcile(), s.net.reconcile()];
  await Promise.all(later);
  assert.equal(s.lists(), 2);
});

test('routes are left alone while the Node objects are unknown', async () => {
  const s = setup(undefined);
  s.routes.routes = [{ dst: '10.244.9.0/24', via: '172.30.0.19', protocol: '177' }];
  const r = await s.net.reconcile();
  assert.deepEqual(r.routeSteps, []);
  assert.match(r.problems.join('\n'), /not known yet/);
  assert.equal(s.routes.routes.length, 1);
});

test('one route that fails does not stop the others, and is reported', async () => {
  const s = setup([
    node('n1', '10.244.1.0/24', '172.30.0.11'),
    node('n2', '10.244.2.0/24', '172.30.0.12'),
    node('n3', '10.244.3.0/24', '172.30.0.13'),
  ]);
  s.routes.failFor.add('10.244.2.0/24');
  const r = await s.net.reconcile();
  assert.deepEqual(
    r.routeSteps.map((x) => (x.op === 'delete' ? x.dst : x.route.dst)),
    ['10.244.3.0/24'],
  );
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0] ?? '', /add route to 10\.244\.2\.0\/24: Nexthop has invalid gateway/);
});

test('start() syncs at once and stops when aborted', async () => {
  const s = setup([node('n1', '10.244.1.0/24', '172.30.0.11')]);
  const ac = new AbortController();
  const done = s.net.start(ac.signal);
  for (let i = 0; i < 200 && s.lists() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await done;
  assert.equal(s.lists(), 1);
});

test('a malformed cluster CIDR is refused up front', () => {
  assert.throws(
    () =>
      new PodNetworkReconciler({
        nodeName: 'n1',
        clusterCidr: 'ten',
        serviceCidr: '10.96.0.0/16',
        listNodes: () => [],
        routes: new FakeRoutes(),
        iptables: new FakeIptables(),
        sysctls: new FakeSysctls(),
      }),
    /cluster CIDR "ten" is not an IPv4 CIDR/,
  );
});
