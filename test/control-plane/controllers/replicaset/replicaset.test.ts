/**
 * The ReplicaSet controller against a real API server (in-process, real
 * SQLite store): creating to replicas, expectations, scale down order,
 * adoption and release, status with readiness, ReplicaFailure.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { Pod, ReplicaSet } from '../../../../control-plane/api/types.ts';
import { controller as replicaSetController } from '../../../../control-plane/controllers/replicaset.ts';
import { eventually } from '../../api/client/api-fixture.ts';
import { useControllerFixture } from '../controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const RS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;

function replicaSet(ns: string, name: string, replicas: number, app = name): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, tier: 'web' } },
        spec: { containers: [{ name: 'c', image: 'example/app:1' }] },
      },
    },
  };
}

function orphan(ns: string, name: string, labels: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'c', image: 'example/app:1' }] },
  } as Pod;
}

describe('ReplicaSet controller against the real API server', () => {
  const f = useControllerFixture((f) => f.startControllers([replicaSetController]));

  const podsOf = async (ns: string): Promise<Pod[]> =>
    (await f.client.list<Pod>(PODS, { namespace: ns })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const getRs = (ns: string, name: string) => f.client.get<ReplicaSet>(RS, name, { namespace: ns });

  test('creates exactly spec.replicas pods owned by the ReplicaSet, then status', async () => {
    const ns = await f.namespace('rs');
    const rs = await f.client.create(RS, replicaSet(ns, 'web', 5));
    await eventually('5 pods', async () => (await podsOf(ns)).length === 5);
    await eventually('status.replicas 5', async () => {
      const s = (await getRs(ns, 'web')).status;
      return s?.replicas === 5 && s.fullyLabeledReplicas === 5 && s.observedGeneration === 1;
    });
    // Expectations: no reconcile created more than asked, even right after the burst.
    await new Promise((r) => setTimeout(r, 300));
    const pods = await podsOf(ns);
    assert.equal(pods.length, 5);
    for (const p of pods) {
      assert.match(p.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'web' });
    }
  });

  test('replaces a deleted pod and scales down unscheduled pods before scheduled ones', async () => {
    const ns = await f.namespace('rs');
    await f.client.create(RS, replicaSet(ns, 'api', 3));
    await eventually('3 pods', async () => (await podsOf(ns)).length === 3);
    const [first, second, third] = await podsOf(ns);
    await f.client.delete(PODS, first?.metadata.name ?? '', { namespace: ns });
    await eventually('replacement', async () => {
      const names = (await podsOf(ns)).map((p) => p.metadata.name);
      return names.length === 3 && !names.includes(first?.metadata.name);
    });
    // Bind two pods; scaling to 2 must delete the one that is still unscheduled.
    for (const p of [second, third])
      await f.client.bind({ name: p?.metadata.name ?? '', namespace: ns }, 'n1');
    const unbound = (await podsOf(ns)).find((p) => !p.spec?.nodeName);
    assert.ok(unbound);
    const cur = await getRs(ns, 'api');
    await f.client.update(RS, { ...cur, spec: { ...cur.spec, replicas: 2 } });
    await eventually('2 pods, the unscheduled gone', async () => {
      const pods = await podsOf(ns);
      return pods.length === 2 && pods.every((p) => p.spec?.nodeName === 'n1');
    });
  });

  test('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    const ns = await f.namespace('rs');
    await f.client.create(PODS, orphan(ns, 'stray', { app: 'db' }));
    const rs = await f.client.create(RS, replicaSet(ns, 'db', 2));
    await eventually('2 pods, stray adopted', async () => {
      const pods = await podsOf(ns);
      const stray = pods.find((p) => p.metadata.name === 'stray');
      return pods.length === 2 && stray?.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid;
    });
    await f.client.patch(
      PODS,
      'stray',
      { metadata: { labels: { app: 'other' } } },
      {
        type: 'merge',
        namespace: ns,
      },
    );
    await eventually('stray released and replaced', async () => {
      const pods = await podsOf(ns);
      const stray = pods.find((p) => p.metadata.name === 'stray');
      const owned = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid);
      return (stray?.metadata.ownerReferences ?? []).length === 0 && owned.length === 2;
    });
  });

  test('counts ready and available pods (minReadySeconds) in status', async () => {
    const ns = await f.namespace('rs');
    const spec = replicaSet(ns, 'ready', 2);
    spec.spec.minReadySeconds = 1;
    await f.client.create(RS, spec);
    await eventually('2 pods', async () => (await podsOf(ns)).length === 2);
    for (const p of await podsOf(ns)) {
      await f.client.updateStatus(PODS, {
        ...p,
        status: {
          ...p.status,
          phase: 'Running',
          conditions: [
            { type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() },
          ],
        },
      });
    }
    await eventually('ready 2', async () => (await getRs(ns, 'ready')).status?.readyReplicas === 2);
    await eventually(
      'available 2 after minReadySeconds',
      async () => (await getRs(ns, 'ready')).status?.availableReplicas === 2,
    );
  });

  test('a failing create sets ReplicaFailure FailedCreate', async () => {
    const ns = await f.namespace('rs');
    const bad = replicaSet(ns, 'bad', 1);
    // ReplicaSet validation leaves template finalizers alone; pod validation refuses this one.
    (bad.spec.template as { metadata: { finalizers?: string[] } }).metadata.finalizers = [
      'not a finalizer!',
    ];
    await f.client.create(RS, bad);
    await eventually('ReplicaFailure', async () => {
      const s = (await getRs(ns, 'bad')).status;
      const c = s?.conditions?.find((x) => x.type === 'ReplicaFailure');
      return c?.status === 'True' && c.reason === 'FailedCreate';
    });
    const c = (await getRs(ns, 'bad')).status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    assert.match(c?.message ?? '', /metadata\.finalizers\[0\]: Invalid value/);
    assert.equal((await podsOf(ns)).length, 0);
  });
});
