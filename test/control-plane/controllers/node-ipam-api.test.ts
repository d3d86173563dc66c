/**
 * The node IPAM controller against a real API server (in-process, real
 * SQLite store): unique pod CIDRs, a preset CIDR kept, a full cluster CIDR
 * waiting for a release, and allocations kept across a controller restart.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Node } from '../../../control-plane/api/types.ts';
import { nodeIpamController } from '../../../control-plane/controllers/node-ipam.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;

// 10.250.0.0/22 in /24s: four subnets, so running out is quick to show.
const spec = nodeIpamController({ clusterCidr: '10.250.0.0/22', nodeMaskSize: 24 });

describe('node IPAM controller against the real API server', () => {
  let stopManager: () => Promise<void>;
  const f = useControllerFixture(async (f) => {
    stopManager = await f.startControllers([spec]);
  });

  const createNode = (name: string, nodeSpec: Node['spec'] = {}) =>
    f.client.create<Node>(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: nodeSpec,
    });
  const cidrOf = async (name: string) => (await f.client.get<Node>(NODES, name)).spec?.podCIDR;
  const allCidrs = async (names: string[]) => Promise.all(names.map(cidrOf));

  test('every node gets its own subnet; a preset one is kept', async () => {
    await createNode('preset', { podCIDR: '10.250.2.0/24', podCIDRs: ['10.250.2.0/24'] });
    await Promise.all(['n1', 'n2', 'n3'].map((n) => createNode(n)));
    const names = ['preset', 'n1', 'n2', 'n3'];
    await eventually('all four nodes to have a pod CIDR', async () =>
      (await allCidrs(names)).every((c) => c !== undefined),
    );
    const cidrs = await allCidrs(names);
    assert.equal(cidrs[0], '10.250.2.0/24');
    assert.equal(new Set(cidrs).size, 4, `duplicates in ${cidrs.join(' ')}`);
    const expected = new Set(['10.250.0.0/24', '10.250.1.0/24', '10.250.2.0/24', '10.250.3.0/24']);
    for (const c of cidrs) assert.ok(expected.has(c as string), `${c} outside 10.250.0.0/22`);
    for (const n of names) {
      const node = await f.client.get<Node>(NODES, n);
      assert.deepEqual(node.spec?.podCIDRs, [node.spec?.podCIDR]);
    }
  });

  test('with the cluster CIDR full a new node waits; a deleted node releases its subnet', async () => {
    await createNode('n4');
    // Nothing is free, so there is nothing it could have been given meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await cidrOf('n4'), undefined);
    const released = await cidrOf('n2');
    await f.client.delete(NODES, 'n2');
    await eventually(
      'n4 to get the released subnet',
      async () => (await cidrOf('n4')) !== undefined,
    );
    assert.equal(await cidrOf('n4'), released);
  });

  test('a restarted controller keeps every allocation and still fills gaps', async () => {
    const names = ['preset', 'n1', 'n3', 'n4'];
    const beforeRestart = await allCidrs(names);
    await stopManager();
    const freed = await cidrOf('n1');
    await f.client.delete(NODES, 'n1');
    await createNode('n5');
    stopManager = await f.startControllers([spec]);
    await eventually('n5 to get a pod CIDR', async () => (await cidrOf('n5')) !== undefined);
    assert.equal(await cidrOf('n5'), freed);
    assert.deepEqual(await allCidrs(['preset', 'n3', 'n4']), [
      beforeRestart[0],
      beforeRestart[2],
      beforeRestart[3],
    ]);
  });
});
