/**
 * The node lifecycle controller against a real API server (in-process,
 * real SQLite store) with a shortened grace period. The test plays two
 * kubelets: it registers Nodes, renews their Leases in kube-node-lease and
 * reports pods; then one kubelet goes silent and later comes back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Lease, Node, Pod, Toleration } from '../../../control-plane/api/types.ts';
import { nodeLifecycleController } from '../../../control-plane/controllers/node-lifecycle.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;
const UNREACHABLE = 'node.kubernetes.io/unreachable';

const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

describe('node lifecycle controller against the real API server', () => {
  const f = useControllerFixture(async (f) => {
    await register('alive');
    await register('lost');
    f.track(
      renewLoop(['alive', 'lost']).catch((err: unknown) => {
        if (!f.signal.aborted) throw err;
      }),
    );
    await f.startControllers([
      nodeLifecycleController({ gracePeriodMs: 3_000, startupGracePeriodMs: 3_000 }),
    ]);
  });
  const silent = new Set<string>();

  // A kubelet's registration: a Ready node and its Lease.
  async function register(name: string): Promise<void> {
    const node = await f.client.create<Node>(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    });
    await reportReady(node);
    await f.client.create<Lease>(LEASES, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) },
    });
  }

  // A kubelet's status report: Ready, with a heartbeat now.
  async function reportReady(node: Node): Promise<void> {
    const now = new Date().toISOString();
    await f.client.updateStatus(NODES, {
      ...node,
      status: {
        ...node.status,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    });
  }

  // Every 200 ms each kubelet that is not silent renews its Lease.
  async function renewLoop(names: string[]): Promise<void> {
    while (!f.signal.aborted) {
      await new Promise((r) => setTimeout(r, 200));
      for (const name of names) {
        if (silent.has(name) || f.signal.aborted) continue;
        const lease = await f.client.get<Lease>(LEASES, name, { namespace: 'kube-node-lease' });
        await f.client.update(LEASES, {
          ...lease,
          spec: { ...lease.spec, renewTime: microTime(Date.now()) },
        });
      }
    }
  }

  async function boundPod(
    name: string,
    nodeName: string,
    tolerations: Toleration[],
  ): Promise<void> {
    const pod = await f.client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'example/app:1' }] },
    } as Pod);
    await f.client.updateStatus(PODS, {
      ...pod,
      status: {
        phase: 'Running',
        podIP: '10.244.9.9',
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  }

  const getNode = (name: string) => f.client.get<Node>(NODES, name);
  const getPod = (name: string) => f.client.get<Pod>(PODS, name, { namespace: 'default' });
  const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
  const taintsOf = (n: Node) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

  test('a silent node goes Unknown and tainted, its pods not ready and evicted per toleration', async () => {
    // Admission gives every pod 300 s unreachable/not-ready tolerations unless it
    // brings its own: a pod that wants eviction at once tolerates for 0 s.
    await boundPod('intolerant', 'lost', [
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
    ]);
    await boundPod('default-300s', 'lost', []);
    await boundPod('tolerates-1s', 'lost', [
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 },
    ]);
    await boundPod('tolerates-forever', 'lost', [
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    ]);
    await boundPod('elsewhere', 'alive', []);
    silent.add('lost');

    await eventually(
      'the silent node to be Ready=Unknown',
      async () => readyOf(await getNode('lost'))?.status === 'Unknown',
    );
    const lost = await getNode('lost');
    assert.equal(readyOf(lost)?.reason, 'NodeStatusUnknown');
    assert.equal(readyOf(lost)?.message, 'Kubelet stopped posting node status.');
    await eventually(
      'the unreachable taints',
      async () =>
        taintsOf(await getNode('lost')).join() ===
        `${UNREACHABLE}:NoExecute,${UNREACHABLE}:NoSchedule`,
    );
    // Bound pods are deleted gracefully: they stay, Terminating, until a kubelet confirms.
    await eventually(
      'the intolerant pod evicted',
      async () => !!(await getPod('intolerant')).metadata.deletionTimestamp,
    );
    await eventually(
      'the 1 s pod evicted',
      async () => !!(await getPod('tolerates-1s')).metadata.deletionTimestamp,
    );
    const forever = await getPod('tolerates-forever');
    assert.equal(forever.metadata.deletionTimestamp, undefined);
    const defaulted = await getPod('default-300s');
    assert.equal(defaulted.metadata.deletionTimestamp, undefined, 'still within its 300 s');
    assert.ok(
      defaulted.spec?.tolerations?.some(
        (t) => t.key === UNREACHABLE && t.effect === 'NoExecute' && t.tolerationSeconds === 300,
      ),
    );
    assert.equal(forever.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');

    // The heartbeating node is untouched.
    const alive = await getNode('alive');
    assert.equal(readyOf(alive)?.status, 'True');
    assert.deepEqual(taintsOf(alive), []);
    const elsewhere = await getPod('elsewhere');
    assert.equal(elsewhere.metadata.deletionTimestamp, undefined);
    assert.equal(elsewhere.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  test('the node comes back: its kubelet reports Ready and the taints go', async () => {
    silent.delete('lost');
    await reportReady(await getNode('lost'));
    await eventually(
      'the taints removed',
      async () => taintsOf(await getNode('lost')).length === 0,
    );
    // Renewals keep it Ready past another grace period.
    await new Promise((r) => setTimeout(r, 3_500));
    assert.equal(readyOf(await getNode('lost'))?.status, 'True');
  });
});
