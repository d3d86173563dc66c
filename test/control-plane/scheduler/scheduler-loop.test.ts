/**
 * The scheduling loop against a real API server with hollow nodes: pods
 * are bound through pods/binding; a pod that fits nowhere gets
 * PodScheduled=False with kube-scheduler's message and a FailedScheduling
 * event whose count grows on repeats; it is scheduled once a fitting node
 * appears, without polling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Event, Node, Pod } from '../../../control-plane/api/types.ts';
import { startHollowNodes } from '../../../control-plane/hollow/hollow-nodes.ts';
import { HollowCluster } from '../../harness/hollow-cluster.ts';
import { eventually, quietLogger } from '../api/client/api-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;

function pod(name: string, extra: Partial<NonNullable<Pod['spec']>> = {}, cpu = '100m'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'example/app:1', resources: { requests: { cpu } } }],
      ...extra,
    },
  } as Pod;
}

describe('scheduling loop on hollow nodes', () => {
  let c: HollowCluster;
  const extra = new AbortController();
  before(async () => {
    c = await HollowCluster.start({ nodes: 2, components: ['scheduler'], controllers: [] });
  });
  after(async () => {
    extra.abort();
    await c?.destroy();
  });

  const getPod = (name: string) => c.client.get<Pod>(PODS, name, { namespace: 'default' });
  const scheduledCondition = async (name: string) =>
    (await getPod(name)).status?.conditions?.find((x) => x.type === 'PodScheduled');
  const eventsOf = async (name: string) =>
    (await c.client.list<Event>(EVENTS, { namespace: 'default' })).items.filter(
      (e) => e.involvedObject.name === name && e.reason === 'FailedScheduling',
    );

  test('binds pending pods to nodes, and the hollow node runs them', async () => {
    for (let i = 0; i < 20; i++) await c.client.create(PODS, pod(`p-${i}`));
    await eventually('20 pods running', async () => {
      const pods = (await c.client.list<Pod>(PODS, { namespace: 'default' })).items;
      const mine = pods.filter((p) => p.metadata.name?.startsWith('p-'));
      return mine.length === 20 && mine.every((p) => p.status?.phase === 'Running');
    });
    const pods = (await c.client.list<Pod>(PODS, { namespace: 'default' })).items;
    const nodes = new Set(pods.map((p) => p.spec?.nodeName));
    assert.deepEqual([...nodes].sort(), ['hollow-0', 'hollow-1'], 'spread over both nodes');
  });

  test('an unschedulable pod gets the exact message and an aggregated FailedScheduling event', async () => {
    await c.client.create(PODS, pod('huge', {}, '8'));
    const message =
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    await eventually('PodScheduled=False', async () => {
      const cond = await scheduledCondition('huge');
      return cond?.status === 'False' && cond.reason === 'Unschedulable';
    });
    assert.equal((await scheduledCondition('huge'))?.message, message);
    await eventually('one event', async () => (await eventsOf('huge')).length === 1);
    const [ev] = await eventsOf('huge');
    assert.equal(ev?.type, 'Warning');
    assert.equal(ev?.message, message);
    assert.equal(ev?.count, 1);
    assert.equal(ev?.source?.component, 'default-scheduler');
    assert.equal(ev?.involvedObject.kind, 'Pod');

    // A node update that changes its allocatable retries the pod: same verdict, count 2.
    const node = await c.client.get<Node>(NODES, 'hollow-0');
    const status = { ...node.status, allocatable: { cpu: '3', memory: '16Gi', pods: '110' } };
    await c.client.updateStatus(NODES, { ...node, status });
    await eventually('event count 2', async () => (await eventsOf('huge'))[0]?.count === 2);
    assert.equal((await eventsOf('huge')).length, 1, 'repeats aggregate into one event');
    assert.equal((await getPod('huge')).spec?.nodeName, undefined);
  });

  test('a pending pod is scheduled when a fitting node is added', async () => {
    await c.client.create(PODS, pod('picky', { nodeSelector: { disk: 'ssd' } }));
    await eventually(
      'unschedulable',
      async () => (await scheduledCondition('picky'))?.status === 'False',
    );
    assert.equal(
      (await scheduledCondition('picky'))?.message,
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    await startHollowNodes({
      client: c.client,
      names: ['ssd-0'],
      labels: { disk: 'ssd' },
      logger: quietLogger,
      signal: extra.signal,
    });
    await eventually(
      'bound to ssd-0',
      async () => (await getPod('picky')).spec?.nodeName === 'ssd-0',
    );
    await eventually('running', async () => (await getPod('picky')).status?.phase === 'Running');
    assert.equal((await scheduledCondition('picky'))?.status, 'True');
  });
});
