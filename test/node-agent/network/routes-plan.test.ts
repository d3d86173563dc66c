import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../../../control-plane/api/types.ts';
import {
  desiredRoutes,
  planRoutes,
  type DesiredRoute,
  type ObservedRoute,
} from '../../../node-agent/network/routes-plan.ts';

const CLUSTER = '10.244.0.0/16';

function node(name: string, podCIDR?: string, ip?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    ...(podCIDR !== undefined ? { spec: { podCIDR } } : {}),
    ...(ip !== undefined ? { status: { addresses: [{ type: 'InternalIP', address: ip }] } } : {}),
  };
}

const desiredCases: {
  name: string;
  nodes: Node[];
  routes: [string, string][];
  problems?: RegExp[];
}[] = [
  {
    name: 'one route per other node, none for this node, sorted by destination',
    nodes: [
      node('n3', '10.244.3.0/24', '172.30.0.13'),
      node('n1', '10.244.1.0/24', '172.30.0.11'),
      node('n2', '10.244.2.0/24', '172.30.0.12'),
    ],
    routes: [
      ['10.244.2.0/24', '172.30.0.12'],
      ['10.244.3.0/24', '172.30.0.13'],
    ],
  },
  {
    name: 'nodes without a pod CIDR or an InternalIP are skipped quietly',
    nodes: [
      node('n1', '10.244.1.0/24', '172.30.0.11'),
      node('n2', undefined, '172.30.0.12'),
      node('n3', '10.244.3.0/24'),
    ],
    routes: [],
  },
  {
    name: 'a pod CIDR with host bits set is normalized',
    nodes: [node('n1', '10.244.1.0/24', '172.30.0.11'), node('n2', '10.244.2.9/24', '172.30.0.12')],
    routes: [['10.244.2.0/24', '172.30.0.12']],
  },
  {
    name: 'bad CIDRs, CIDRs outside the cluster or clashing with this node, and IPs inside it are refused',
    nodes: [
      node('n1', '10.244.1.0/24', '172.30.0.11'),
      node('n2', 'bogus', '172.30.0.12'),
      node('n3', '192.168.7.0/24', '172.30.0.13'),
      node('n4', '10.244.1.128/25', '172.30.0.14'),
      node('n5', '10.244.5.0/24', '10.244.9.9'),
      node('n6', '10.0.0.0/8', '172.30.0.16'),
    ],
    routes: [],
    problems: [
      /node n2: pod CIDR "bogus" is not an IPv4 CIDR/,
      /node n3: pod CIDR 192\.168\.7\.0\/24 is outside the cluster CIDR/,
      /node n4: .*overlaps another node's pod CIDR/,
      /node n5: InternalIP 10\.244\.9\.9 is inside the cluster CIDR/,
      /node n6: pod CIDR 10\.0\.0\.0\/8 is outside the cluster CIDR/,
    ],
  },
  {
    name: 'two other nodes claiming one CIDR: the first by name wins',
    nodes: [
      node('n1', '10.244.1.0/24', '172.30.0.11'),
      node('b', '10.244.2.0/24', '172.30.0.12'),
      node('a', '10.244.2.0/24', '172.30.0.13'),
    ],
    routes: [['10.244.2.0/24', '172.30.0.13']],
    problems: [/node b: pod CIDR 10\.244\.2\.0\/24 overlaps/],
  },
];

for (const tc of desiredCases) {
  test(`desiredRoutes: ${tc.name}`, () => {
    const got = desiredRoutes(tc.nodes, 'n1', CLUSTER);
    assert.deepEqual(
      got.routes.map((r) => [r.dst, r.via]),
      tc.routes,
    );
    assert.equal(got.problems.length, tc.problems?.length ?? 0, got.problems.join('\n'));
    for (const [i, re] of (tc.problems ?? []).entries()) assert.match(got.problems[i] ?? '', re);
  });
}

test('desiredRoutes refuses a malformed cluster CIDR', () => {
  assert.throws(() => desiredRoutes([], 'n1', '10.244.0.0'), /cluster CIDR "10\.244\.0\.0"/);
});

const want = (dst: string, via: string): DesiredRoute => ({ dst, via, node: `node-${via}` });
const seen = (dst: string, via: string | undefined, protocol: string): ObservedRoute => ({
  dst,
  ...(via !== undefined ? { via } : {}),
  protocol,
});

const planCases: {
  name: string;
  desired: DesiredRoute[];
  observed: ObservedRoute[];
  steps: string[];
  conflicts?: number;
}[] = [
  {
    name: 'nothing to do when all is in place',
    desired: [want('10.244.2.0/24', '172.30.0.12')],
    observed: [
      seen('10.244.2.0/24', '172.30.0.12', '177'),
      seen('172.30.0.0/24', undefined, 'kernel'),
    ],
    steps: [],
  },
  {
    name: 'adds a missing route, replaces a moved one, deletes a stale one of ours',
    desired: [want('10.244.2.0/24', '172.30.0.12'), want('10.244.3.0/24', '172.30.0.99')],
    observed: [
      seen('10.244.3.0/24', '172.30.0.13', '177'),
      seen('10.244.4.0/24', '172.30.0.14', '177'),
    ],
    steps: [
      'add 10.244.2.0/24 via 172.30.0.12',
      'replace 10.244.3.0/24 via 172.30.0.99 (was 172.30.0.13)',
      'delete 10.244.4.0/24',
    ],
  },
  {
    name: 'never deletes or replaces a route of another protocol',
    desired: [want('10.244.2.0/24', '172.30.0.12')],
    observed: [
      seen('10.244.2.0/24', '172.30.0.50', 'static'),
      seen('10.9.0.0/16', '172.30.0.1', 'boot'),
    ],
    steps: [],
    conflicts: 1,
  },
  {
    name: 'everything of ours goes when no node is left',
    desired: [],
    observed: [seen('10.244.2.0/24', '172.30.0.12', '177'), seen('default', '192.0.2.1', 'boot')],
    steps: ['delete 10.244.2.0/24'],
  },
];

for (const tc of planCases) {
  test(`planRoutes: ${tc.name}`, () => {
    const plan = planRoutes(tc.desired, tc.observed, '177');
    assert.deepEqual(
      plan.steps.map((s) =>
        s.op === 'delete'
          ? `delete ${s.dst}`
          : s.op === 'add'
            ? `add ${s.route.dst} via ${s.route.via}`
            : `replace ${s.route.dst} via ${s.route.via} (was ${s.was ?? '-'})`,
      ),
      tc.steps,
    );
    assert.equal(plan.conflicts.length, tc.conflicts ?? 0);
  });
}
