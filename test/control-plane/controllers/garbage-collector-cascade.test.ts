/**
 * Cascading deletion end to end on the control plane, judged by the real
 * kubectl: Deployments made into ReplicaSets and pods by their controllers,
 * pods bound by the real scheduler to hollow nodes (which confirm pod
 * deletion as a kubelet does), and the garbage collector removing what a
 * deleted Deployment owned, in the background and in the foreground.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Deployment, Pod } from '../../../control-plane/api/types.ts';
import { controller as deploymentController } from '../../../control-plane/controllers/deployment/index.ts';
import { controller as gcController } from '../../../control-plane/controllers/garbage-collector.ts';
import { controller as replicaSetController } from '../../../control-plane/controllers/replicaset.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const REPLICASETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;

describe('deleting a Deployment removes its ReplicaSets and pods', () => {
  const f = useControllerFixture(async (f) => {
    await f.startHollowNodes(['gc-0', 'gc-1']);
    await Promise.all([
      f.startScheduler(),
      f.startControllers([deploymentController, replicaSetController, gcController]),
    ]);
  });

  const owned = async (app: string) => ({
    replicaSets: (
      await f.client.list(REPLICASETS, { namespace: 'default', labelSelector: `app=${app}` })
    ).items,
    pods: (await f.client.list<Pod>(PODS, { namespace: 'default', labelSelector: `app=${app}` }))
      .items,
  });

  async function deploy(app: string): Promise<void> {
    await f.client.create<Deployment>(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels: { app } },
          spec: { containers: [{ name: 'web', image: 'example/web:1' }] },
        },
      },
    });
    await eventually(`3 running pods of ${app}`, async () => {
      const { replicaSets, pods } = await owned(app);
      return (
        replicaSets.length === 1 &&
        pods.length === 3 &&
        pods.every((p) => p.status?.phase === 'Running')
      );
    });
  }

  test('kubectl delete deployment (background cascade)', async () => {
    await deploy('bg');
    await f.api.kubectl('delete', 'deployment', 'bg', '--wait=true', '--timeout=60s');
    await eventually('its ReplicaSet and pods gone', async () => {
      const { replicaSets, pods } = await owned('bg');
      return replicaSets.length === 0 && pods.length === 0;
    });
  });

  test('kubectl delete deployment --cascade=foreground returns once everything is gone', async () => {
    await deploy('fg');
    await f.api.kubectl(
      'delete',
      'deployment',
      'fg',
      '--cascade=foreground',
      '--wait=true',
      '--timeout=60s',
    );
    // The Deployment went last: nothing it owned may be left.
    const { replicaSets, pods } = await owned('fg');
    assert.equal(replicaSets.length, 0);
    assert.equal(pods.length, 0);
  });
});
