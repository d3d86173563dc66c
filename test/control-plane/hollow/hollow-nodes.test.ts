/**
 * Hollow nodes against a real API server: a Ready Node with the kubelet's
 * capacity and labels, a Lease in kube-node-lease that is renewed, pods
 * reported Running and Ready with an IP of the node's pod CIDR, deletion
 * confirmed, and a stopped node that goes silent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Lease, Node, Pod } from '../../../control-plane/api/types.ts';
import { startHollowNodes, type HollowNodes } from '../../../control-plane/hollow/hollow-nodes.ts';
import { PodIpPool } from '../../../control-plane/hollow/pod-ip-pool.ts';
import { ApiFixture, eventually, quietLogger } from '../api/client/api-fixture.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

describe('PodIpPool', () => {
  test('hands out addresses of the CIDR, skipping network and bridge, reusing released ones', () => {
    const pool = new PodIpPool('10.244.3.0/24');
    assert.equal(pool.acquire('a'), '10.244.3.2');
    assert.equal(pool.acquire('b'), '10.244.3.3');
    assert.equal(pool.acquire('a'), '10.244.3.2', 'the same pod keeps its address');
    pool.release('a');
    const seen = new Set<string>();
    for (let i = 0; i < 252; i++) seen.add(pool.acquire(`p${i}`));
    assert.equal(seen.size, 252);
    assert.ok(seen.has('10.244.3.2'), 'a released address comes back');
    assert.ok(!seen.has('10.244.3.0') && !seen.has('10.244.3.1') && !seen.has('10.244.3.255'));
    assert.throws(() => pool.acquire('one-too-many'), /exhausted/);
  });
  test('refuses what is not an IPv4 CIDR', () => {
    assert.throws(() => new PodIpPool('fd00::/64'), /not an IPv4 CIDR/);
  });
});

describe('hollow nodes against the real API server', () => {
  let fx: ApiFixture;
  let client: ApiClient;
  let nodes: HollowNodes;
  const ac = new AbortController();
  before(async () => {
    fx = await ApiFixture.start();
    client = fx.client();
    // Node IPAM's part, done by hand: this node exists with a pod CIDR before it registers.
    await client.create(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'hollow-cidr' },
      spec: { podCIDR: '10.244.7.0/24' },
    } as Node);
    nodes = await startHollowNodes({
      client,
      names: ['hollow-0', 'hollow-1', 'hollow-cidr'],
      leaseRenewMs: 1_000,
      logger: quietLogger,
      signal: ac.signal,
    });
  });
  after(async () => {
    ac.abort();
    await nodes?.done;
    await fx?.destroy();
  });

  test('registers Ready nodes with capacity, labels and a loopback address', async () => {
    const n = await client.get<Node>(NODES, 'hollow-0');
    assert.deepEqual(n.status?.capacity, { cpu: '4', memory: '16Gi', pods: '110' });
    assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], 'hollow-0');
    assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    assert.match(ip, /^127\./);
  });

  test('renews its Lease in kube-node-lease', async () => {
    const first = await client.get<Lease>(LEASES, 'hollow-1', { namespace: 'kube-node-lease' });
    assert.equal(first.spec?.holderIdentity, 'hollow-1');
    await eventually('a renewal', async () => {
      const l = await client.get<Lease>(LEASES, 'hollow-1', { namespace: 'kube-node-lease' });
      return l.spec?.renewTime !== first.spec?.renewTime;
    });
  });

  test('reports a bound pod Running and Ready with an IP of the pod CIDR, confirms its deletion', async () => {
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: 'hollow-cidr', containers: [{ name: 'app', image: 'example/app:1' }] },
    } as Pod);
    await eventually('running', async () => {
      const p = await client.get<Pod>(PODS, 'web', { namespace: 'default' });
      return p.status?.phase === 'Running';
    });
    const p = await client.get<Pod>(PODS, 'web', { namespace: 'default' });
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.match(p.status?.podIP ?? '', /^10\.244\.7\.\d+$/);
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
    assert.ok(p.status?.containerStatuses?.[0]?.state?.running);

    // A bound pod's delete is graceful: it stays until its node confirms.
    await client.delete(PODS, 'web', { namespace: 'default' });
    await eventually('gone', async () => {
      const left = await client.list<Pod>(PODS, { namespace: 'default' });
      return left.items.every((x) => x.metadata.name !== 'web');
    });
  });

  test('a stopped node renews nothing and leaves its pods alone', async () => {
    nodes.stop('hollow-1');
    // Let a renewal that was already in flight land.
    await new Promise((r) => setTimeout(r, 3_000));
    const before = await client.get<Lease>(LEASES, 'hollow-1', { namespace: 'kube-node-lease' });
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphaned', namespace: 'default' },
      spec: { nodeName: 'hollow-1', containers: [{ name: 'app', image: 'example/app:1' }] },
    } as Pod);
    await new Promise((r) => setTimeout(r, 2_500));
    const after = await client.get<Lease>(LEASES, 'hollow-1', { namespace: 'kube-node-lease' });
    assert.equal(after.spec?.renewTime, before.spec?.renewTime);
    const p = await client.get<Pod>(PODS, 'orphaned', { namespace: 'default' });
    assert.notEqual(p.status?.phase, 'Running');
    nodes.resume('hollow-1');
    await eventually('running after resume', async () => {
      const x = await client.get<Pod>(PODS, 'orphaned', { namespace: 'default' });
      return x.status?.phase === 'Running';
    });
  });
});
