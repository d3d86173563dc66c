/**
 * The garbage collector against a real API server (in-process, real
 * SQLite store): background, foreground and orphan propagation through
 * Deployment → ReplicaSet → Pod ownerReferences (objects made by the test,
 * no workload controllers running), and owner identity by uid.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { KubeObject, OwnerReference } from '../../../control-plane/api/types.ts';
import { controller as gcController } from '../../../control-plane/controllers/garbage-collector.ts';
import { getIfExists } from '../../../control-plane/controllers/runtime/api-answers.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const REPLICASETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;

const template = {
  metadata: { labels: { app: 'gc' } },
  spec: { containers: [{ name: 'c', image: 'example/app:1' }] },
};

function refTo(owner: KubeObject, controller = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller,
    blockOwnerDeletion: true,
  };
}

describe('garbage collector against the real API server', () => {
  const f = useControllerFixture((f) => f.startControllers([gcController]));

  // A Deployment owning a ReplicaSet owning `pods` pods, as their controllers would leave them.
  async function tree(ns: string, pods = 2, podFinalizers: string[] = []) {
    const deploy = await f.client.create<KubeObject>(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: pods, selector: { matchLabels: { app: 'gc' } }, template },
    });
    const rs = await f.client.create<KubeObject>(REPLICASETS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-abc', namespace: ns, ownerReferences: [refTo(deploy)] },
      spec: { replicas: pods, selector: { matchLabels: { app: 'gc' } }, template },
    });
    const made: KubeObject[] = [];
    for (let i = 0; i < pods; i++) {
      made.push(
        await f.client.create(PODS, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `web-abc-${i}`,
            namespace: ns,
            labels: { app: 'gc' },
            ownerReferences: [refTo(rs)],
            ...(podFinalizers.length ? { finalizers: podFinalizers } : {}),
          },
          spec: template.spec,
        }),
      );
    }
    return { deploy, rs, pods: made };
  }

  const count = async (r: ResourceInfo, ns: string) =>
    (await f.client.list(r, { namespace: ns })).items.length;
  const exists = (r: ResourceInfo, ns: string, name: string) =>
    getIfExists(f.client, r, name, { namespace: ns });

  test('background: deleting a Deployment removes its ReplicaSets and pods', async () => {
    const ns = await f.namespace('gc');
    await tree(ns, 3);
    await f.client.delete(DEPLOYMENTS, 'web', { namespace: ns, propagationPolicy: 'Background' });
    await eventually(
      'ReplicaSets and pods gone',
      async () => (await count(REPLICASETS, ns)) === 0 && (await count(PODS, ns)) === 0,
    );
  });

  test('foreground: the owner stays until its blocking dependents are gone', async () => {
    const ns = await f.namespace('gc');
    const { pods } = await tree(ns, 2, ['test.skiff.io/hold']);
    await f.client.delete(DEPLOYMENTS, 'web', { namespace: ns, propagationPolicy: 'Foreground' });
    // Pods held by a finalizer keep the ReplicaSet, which keeps the Deployment.
    await eventually('pods marked for deletion', async () => {
      const list = (await f.client.list(PODS, { namespace: ns })).items;
      return list.length === 2 && list.every((p) => p.metadata.deletionTimestamp);
    });
    const deploy = await exists(DEPLOYMENTS, ns, 'web');
    const rs = await exists(REPLICASETS, ns, 'web-abc');
    assert.ok(deploy?.metadata.deletionTimestamp);
    assert.deepEqual(deploy?.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(rs?.metadata.deletionTimestamp);
    assert.deepEqual(rs?.metadata.finalizers, ['foregroundDeletion']);

    for (const p of pods) {
      await f.client.patch(
        PODS,
        p.metadata.name ?? '',
        { metadata: { finalizers: [] } },
        { type: 'merge', namespace: ns },
      );
    }
    await eventually(
      'the whole tree gone',
      async () =>
        (await count(PODS, ns)) === 0 &&
        (await count(REPLICASETS, ns)) === 0 &&
        (await count(DEPLOYMENTS, ns)) === 0,
    );
  });

  test('orphan: the owner goes, its dependents stay without the reference', async () => {
    const ns = await f.namespace('gc');
    const { rs } = await tree(ns, 2);
    await f.client.delete(REPLICASETS, 'web-abc', { namespace: ns, propagationPolicy: 'Orphan' });
    await eventually(
      'the ReplicaSet gone',
      async () => (await exists(REPLICASETS, ns, 'web-abc')) === undefined,
    );
    const left = (await f.client.list(PODS, { namespace: ns })).items;
    assert.equal(left.length, 2);
    for (const p of left) {
      assert.equal(p.metadata.deletionTimestamp, undefined);
      assert.ok(!(p.metadata.ownerReferences ?? []).some((r) => r.uid === rs.metadata.uid));
    }
  });

  test('owner identity is the uid; a dependent with a live owner only loses the dead reference', async () => {
    const ns = await f.namespace('gc');
    const live = await f.client.create<KubeObject>(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'live', namespace: ns },
    });
    // A ConfigMap named "gone" exists, but not the one (uid) the references name.
    await f.client.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gone', namespace: ns },
    });
    const dead: OwnerReference = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'gone',
      uid: 'no-such-uid',
    };
    await f.client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'only-dead', namespace: ns, ownerReferences: [dead] },
      spec: template.spec,
    });
    await f.client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'dead-and-live',
        namespace: ns,
        ownerReferences: [dead, refTo(live, false)],
      },
      spec: template.spec,
    });
    await eventually(
      'the pod with only a dead owner deleted',
      async () => (await exists(PODS, ns, 'only-dead')) === undefined,
    );
    await eventually('the dead reference dropped', async () => {
      const p = await exists(PODS, ns, 'dead-and-live');
      return p?.metadata.ownerReferences?.length === 1;
    });
    const p = await exists(PODS, ns, 'dead-and-live');
    assert.equal(p?.metadata.ownerReferences?.[0]?.uid, live.metadata.uid);
    assert.equal(p?.metadata.deletionTimestamp, undefined);
    assert.ok(await exists(CONFIGMAPS, ns, 'gone'), 'the namesake itself is not touched');
  });
});
