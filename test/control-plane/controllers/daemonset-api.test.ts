/**
 * The DaemonSet controller against a real API server (in-process, real
 * SQLite store), with the real scheduler binding its pinned pods and
 * hollow nodes (kubemark-style, no containers) reporting them Running and
 * Ready: one pod per eligible node, a node becoming eligible, a rolling
 * update within maxUnavailable, and a NoExecute taint that evicts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { DaemonSet, Node, Pod } from '../../../control-plane/api/types.ts';
import { controller as daemonSetController } from '../../../control-plane/controllers/daemonset.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const DAEMONSETS = findResource('apps', 'v1', 'daemonsets') as ResourceInfo;

describe('DaemonSet controller with the scheduler and hollow nodes', () => {
  const f = useControllerFixture(async (f) => {
    await f.startHollowNodes(['ds-0', 'ds-1', 'ds-2', 'ds-3']);
    // ds-0 and ds-1 are workers; ds-3 carries a taint daemon pods do not tolerate.
    for (const name of ['ds-0', 'ds-1']) await label(name, 'worker');
    await label('ds-3', 'worker');
    const n3 = await f.client.get<Node>(NODES, 'ds-3');
    await f.client.update(NODES, {
      ...n3,
      spec: { ...n3.spec, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
    await Promise.all([f.startScheduler(), f.startControllers([daemonSetController])]);
  });

  async function label(name: string, role: string): Promise<void> {
    await f.client.patch(NODES, name, { metadata: { labels: { role } } }, { type: 'merge' });
  }
  const pods = async (): Promise<Pod[]> =>
    (await f.client.list<Pod>(PODS, { namespace: 'default', labelSelector: 'app=agent' })).items;
  const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);
  const ready = (p: Pod) =>
    p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  // The node named by the pod's required node affinity (metadata.name matchFields).
  const pinnedTo = (p: Pod) =>
    p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0];
  const getDs = () => f.client.get<DaemonSet>(DAEMONSETS, 'agent', { namespace: 'default' });

  test('one pod per eligible node, bound there by the scheduler; status counts', async () => {
    await f.client.create<DaemonSet>(DAEMONSETS, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: {
            nodeSelector: { role: 'worker' },
            containers: [{ name: 'agent', image: 'example/agent:1' }],
          },
        },
      },
    });
    await eventually('a ready pod on ds-0 and ds-1', async () => {
      const ps = live(await pods());
      return ps.length === 2 && ps.every((p) => ready(p) && p.spec?.nodeName === pinnedTo(p));
    });
    assert.deepEqual(
      live(await pods())
        .map((p) => p.spec?.nodeName)
        .sort(),
      ['ds-0', 'ds-1'],
    );
    for (const p of await pods()) {
      assert.ok(
        p.spec?.tolerations?.some(
          (t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute',
        ),
      );
      assert.ok(p.metadata.labels?.['controller-revision-hash']);
    }
    await eventually('the status', async () => {
      const s = (await getDs()).status;
      return (
        s?.numberAvailable === 2 && s.observedGeneration === (await getDs()).metadata.generation
      );
    });
    const s = (await getDs()).status;
    assert.deepEqual(
      [
        s?.desiredNumberScheduled,
        s?.currentNumberScheduled,
        s?.numberReady,
        s?.updatedNumberScheduled,
        s?.numberMisscheduled,
      ],
      [2, 2, 2, 2, 0],
    );
  });

  test('a node that becomes eligible gets a pod', async () => {
    await label('ds-2', 'worker');
    await eventually('a ready pod on ds-2', async () =>
      live(await pods()).some((p) => p.spec?.nodeName === 'ds-2' && ready(p)),
    );
    assert.equal(live(await pods()).length, 3);
    assert.ok(
      !live(await pods()).some((p) => p.spec?.nodeName === 'ds-3'),
      'the tainted node gets none',
    );
  });

  test('a rolling update replaces one node at a time (maxUnavailable 1)', async () => {
    const oldHash = (await pods())[0]?.metadata.labels?.['controller-revision-hash'];
    const image = {
      spec: { template: { spec: { containers: [{ name: 'agent', image: 'example/agent:2' }] } } },
    };
    await f.client.patch(DAEMONSETS, 'agent', image, { type: 'merge', namespace: 'default' });
    let fewest = 3;
    await eventually('every pod on the new template and ready', async () => {
      const ps = live(await pods());
      // Nodes with a serving (ready, not terminating) daemon pod right now.
      fewest = Math.min(fewest, new Set(ps.filter(ready).map((p) => p.spec?.nodeName)).size);
      return (
        ps.length === 3 &&
        ps.every((p) => ready(p) && p.metadata.labels?.['controller-revision-hash'] !== oldHash) &&
        (await getDs()).status?.updatedNumberScheduled === 3
      );
    });
    assert.ok(fewest >= 2, `only ${fewest} of 3 nodes were serving at one point`);
    assert.deepEqual(
      live(await pods())
        .map((p) => p.spec?.nodeName)
        .sort(),
      ['ds-0', 'ds-1', 'ds-2'],
    );
  });

  test('a NoExecute taint the pods do not tolerate removes the pod from that node', async () => {
    const n = await f.client.get<Node>(NODES, 'ds-2');
    await f.client.update(NODES, {
      ...n,
      spec: { ...n.spec, taints: [{ key: 'maintenance', effect: 'NoExecute' }] },
    });
    await eventually(
      'ds-2 without a daemon pod',
      async () => !(await pods()).some((p) => p.spec?.nodeName === 'ds-2'),
    );
    await eventually('desired 2', async () => (await getDs()).status?.desiredNumberScheduled === 2);
  });
});
