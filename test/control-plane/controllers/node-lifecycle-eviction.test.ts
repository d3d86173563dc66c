/**
 * A node stops heartbeating, end to end on the control plane: hollow nodes
 * (kubemark-style, no containers), the real scheduler, the ReplicaSet
 * controller and the node lifecycle controller with shortened timeouts,
 * against a real API server. The lost node goes NotReady and tainted, its
 * pods are evicted after their 1 s toleration, and the ReplicaSet's
 * replacements are scheduled on the other nodes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Node, Pod, ReplicaSet } from '../../../control-plane/api/types.ts';
import { nodeLifecycleController } from '../../../control-plane/controllers/node-lifecycle.ts';
import { controller as replicaSetController } from '../../../control-plane/controllers/replicaset.ts';
import type { HollowNodes } from '../../../control-plane/hollow/hollow-nodes.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const REPLICASETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const UNREACHABLE = 'node.kubernetes.io/unreachable';

describe('a node that stops heartbeating loses its pods to the other nodes', () => {
  let hollow: HollowNodes;
  const f = useControllerFixture(async (f) => {
    hollow = await f.startHollowNodes(['hollow-0', 'hollow-1', 'hollow-2'], { leaseRenewMs: 250 });
    await Promise.all([
      f.startScheduler(),
      f.startControllers([
        replicaSetController,
        nodeLifecycleController({ gracePeriodMs: 5_000, startupGracePeriodMs: 5_000 }),
      ]),
    ]);
  });

  const activePods = async (): Promise<Pod[]> =>
    (
      await f.client.list<Pod>(PODS, { namespace: 'default', labelSelector: 'app=evict' })
    ).items.filter((p) => !p.metadata.deletionTimestamp);

  test('NotReady, tainted, evicted after the toleration, recreated elsewhere', async () => {
    await f.client.create<ReplicaSet>(REPLICASETS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'evict', namespace: 'default' },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: 'evict' } },
        template: {
          metadata: { labels: { app: 'evict' } },
          spec: {
            containers: [{ name: 'c', image: 'example/app:1' }],
            tolerations: [
              { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 },
            ],
          },
        },
      },
    });
    await eventually('6 pods bound and ready', async () => {
      const pods = await activePods();
      return pods.length === 6 && pods.every((p) => p.spec?.nodeName && isReady(p));
    });
    const before = await activePods();
    const victim = before[0]?.spec?.nodeName as string;
    const onVictim = before.filter((p) => p.spec?.nodeName === victim).map((p) => p.metadata.name);
    hollow.stop(victim);

    await eventually('the silent node Ready=Unknown', async () => {
      const node = await f.client.get<Node>(NODES, victim);
      return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown';
    });
    const node = await f.client.get<Node>(NODES, victim);
    assert.ok(node.spec?.taints?.some((t) => t.key === UNREACHABLE && t.effect === 'NoExecute'));

    await eventually('its pods evicted and replaced on the other nodes', async () => {
      const pods = await activePods();
      return (
        pods.length === 6 &&
        pods.every((p) => p.spec?.nodeName && p.spec.nodeName !== victim && isReady(p))
      );
    });
    const all = (
      await f.client.list<Pod>(PODS, { namespace: 'default', labelSelector: 'app=evict' })
    ).items;
    for (const name of onVictim) {
      const pod = all.find((p) => p.metadata.name === name);
      // Deleted gracefully: Terminating until the silent kubelet could confirm.
      assert.ok(pod?.metadata.deletionTimestamp, `${name} should have been evicted`);
    }
  });
});

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
