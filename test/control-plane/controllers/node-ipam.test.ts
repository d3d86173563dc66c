/**
 * The node IPAM's pure parts: the cluster CIDR plan, subnet addressing,
 * the lowest free subnet, and the used set rebuilt from nodes plus
 * pending allocations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node } from '../../../control-plane/api/types.ts';
import { podCidrOf, usedSubnets } from '../../../control-plane/controllers/node-ipam/allocation.ts';
import {
  lowestFree,
  planSubnets,
  subnetAt,
  subnetIndex,
} from '../../../control-plane/controllers/node-ipam/cidr.ts';

describe('planSubnets', () => {
  const ok = [
    { cidr: '10.244.0.0/16', mask: 24, cluster: '10.244.0.0/16', count: 256 },
    { cidr: '10.0.0.0/8', mask: 24, cluster: '10.0.0.0/8', count: 65536 },
    { cidr: '10.250.0.0/23', mask: 24, cluster: '10.250.0.0/23', count: 2 },
    { cidr: ' 172.16.0.0/12 ', mask: 20, cluster: '172.16.0.0/12', count: 256 },
    { cidr: '10.244.0.0/24', mask: 24, cluster: '10.244.0.0/24', count: 1 },
  ];
  for (const c of ok) {
    test(`${c.cidr.trim()} in /${c.mask}s: ${c.count} subnets`, () => {
      const plan = planSubnets(c.cidr, c.mask);
      assert.equal(plan.cluster, c.cluster);
      assert.equal(plan.count, c.count);
    });
  }
  const bad = [
    { cidr: '10.244.0.0', mask: 24, says: 'is not an IPv4 CIDR' },
    { cidr: '10.244.0.0/33', mask: 24, says: 'is not an IPv4 CIDR' },
    { cidr: '10.244.300.0/16', mask: 24, says: 'is not an IPv4 CIDR' },
    { cidr: 'fd00::/64', mask: 80, says: 'is not an IPv4 CIDR' },
    { cidr: '10.244.1.0/16', mask: 24, says: 'has host bits set; use 10.244.0.0/16' },
    {
      cidr: '10.244.0.0/16',
      mask: 8,
      says: 'must be an integer from the cluster prefix /16 to 30',
    },
    {
      cidr: '10.244.0.0/16',
      mask: 31,
      says: 'must be an integer from the cluster prefix /16 to 30',
    },
    { cidr: '10.0.0.0/8', mask: 25, says: 'more than 16 bits longer than the cluster prefix /8' },
  ];
  for (const c of bad) {
    test(`refuses ${c.cidr} with /${c.mask}: "${c.says}"`, () => {
      assert.throws(
        () => planSubnets(c.cidr, c.mask),
        (err: Error) => err.message.includes(c.says),
      );
    });
  }
});

describe('subnet addressing', () => {
  const plan = planSubnets('10.244.0.0/16', 24);
  const cases = [
    { i: 0, cidr: '10.244.0.0/24' },
    { i: 1, cidr: '10.244.1.0/24' },
    { i: 255, cidr: '10.244.255.0/24' },
  ];
  for (const c of cases) {
    test(`subnet ${c.i} is ${c.cidr} and back`, () => {
      assert.equal(subnetAt(plan, c.i), c.cidr);
      assert.equal(subnetIndex(plan, c.cidr), c.i);
    });
  }
  const foreign = ['10.245.0.0/24', '10.244.1.0/25', '10.244.1.128/24', '10.243.255.0/24', 'junk'];
  for (const cidr of foreign) {
    test(`${cidr} is no subnet of the plan`, () =>
      assert.equal(subnetIndex(plan, cidr), undefined));
  }
  test('a /20 plan steps by 16 in the third octet', () => {
    const p = planSubnets('172.16.0.0/12', 20);
    assert.equal(subnetAt(p, 1), '172.16.16.0/20');
    assert.equal(subnetAt(p, 16), '172.17.0.0/20');
    assert.equal(subnetIndex(p, '172.17.0.0/20'), 16);
  });
});

describe('lowestFree', () => {
  const plan = planSubnets('10.250.0.0/22', 24); // 4 subnets
  const cases = [
    { used: [], free: 0 },
    { used: [0], free: 1 },
    { used: [0, 1, 3], free: 2 },
    { used: [1, 2, 3], free: 0 },
    { used: [0, 1, 2, 3], free: undefined },
  ];
  for (const c of cases) {
    test(`used [${c.used.join(',')}] → ${c.free}`, () => {
      assert.equal(lowestFree(plan, new Set(c.used)), c.free);
    });
  }
});

function node(name: string, spec: Node['spec'] = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec };
}

describe('usedSubnets', () => {
  const plan = planSubnets('10.244.0.0/16', 24);
  test('counts podCIDR and podCIDRs of the plan, ignores foreign CIDRs', () => {
    const nodes = [
      node('a', { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] }),
      node('b', { podCIDRs: ['10.244.7.0/24'] }),
      node('c', { podCIDR: '192.168.0.0/24' }),
      node('d'),
    ];
    assert.deepEqual(
      [...usedSubnets(plan, nodes, new Map())].sort((x, y) => x - y),
      [3, 7],
    );
  });
  test('pending allocations count only for nodes still present', () => {
    const pending = new Map([
      ['d', '10.244.9.0/24'],
      ['gone', '10.244.10.0/24'],
    ]);
    const used = usedSubnets(plan, [node('d')], pending);
    assert.deepEqual([...used], [9]);
  });
  test('podCidrOf reads podCIDR, then podCIDRs[0]', () => {
    assert.equal(podCidrOf(node('a', { podCIDR: '10.244.1.0/24' })), '10.244.1.0/24');
    assert.equal(podCidrOf(node('b', { podCIDRs: ['10.244.2.0/24'] })), '10.244.2.0/24');
    assert.equal(podCidrOf(node('c')), undefined);
  });
});
