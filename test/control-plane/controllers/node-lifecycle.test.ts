/**
 * The node lifecycle controller's pure decisions: probes by the
 * controller's clock, conditions of a lost node, the taints conditions
 * call for, and when a pod is evicted.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  Lease,
  Node,
  NodeCondition,
  Pod,
  Taint,
  Toleration,
} from '../../../control-plane/api/types.ts';
import {
  evictionTime,
  podNotReadyStatus,
} from '../../../control-plane/controllers/node-lifecycle/eviction.ts';
import {
  DEFAULT_HEALTH_TIMING,
  graceLeftMs,
  lostNodeConditions,
  observe,
} from '../../../control-plane/controllers/node-lifecycle/health.ts';
import {
  syncTaints,
  wantedTaints,
} from '../../../control-plane/controllers/node-lifecycle/taints.ts';

const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

function node(conditions: NodeCondition[], spec: Node['spec'] = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', creationTimestamp: iso(T0 - 3_600_000) },
    spec,
    status: { conditions },
  };
}
const ready = (status: string, heartbeat = iso(T0)): NodeCondition => ({
  type: 'Ready',
  status,
  lastHeartbeatTime: heartbeat,
  lastTransitionTime: iso(T0 - 60_000),
  reason: 'KubeletReady',
});
function lease(renewTime: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'n1', namespace: 'kube-node-lease', uid: 'lease-uid' },
    spec: { holderIdentity: 'n1', renewTime },
  };
}

describe('observe: signs of life by the controller clock', () => {
  const n = node([ready('True')]);
  const first = observe(undefined, n, lease('2024-01-01T00:00:00.000000Z'), T0);
  const cases = [
    {
      name: 'nothing changed: the old probe',
      probe: observe(first, n, lease('2024-01-01T00:00:00.000000Z'), T0 + 30_000),
      at: T0,
    },
    {
      name: 'lease renewed: stamped now',
      probe: observe(first, n, lease('2024-01-01T00:00:10.000000Z'), T0 + 30_000),
      at: T0 + 30_000,
    },
    {
      name: 'kubelet heartbeat posted: stamped now',
      probe: observe(
        first,
        node([ready('True', iso(T0 + 20_000))]),
        lease('2024-01-01T00:00:00.000000Z'),
        T0 + 30_000,
      ),
      at: T0 + 30_000,
    },
    {
      // A kubelet whose clock runs far ahead gains nothing: only the change counts, at our time.
      name: 'renewTime from a skewed clock: still stamped now',
      probe: observe(first, n, lease('2030-01-01T00:00:00.000000Z'), T0 + 5_000),
      at: T0 + 5_000,
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(c.probe.at, c.at));
  test('first sight is stamped now', () => assert.equal(first.at, T0));
});

describe('lostNodeConditions', () => {
  const t = DEFAULT_HEALTH_TIMING;
  const probe = { lease: 'x', heartbeat: '', at: T0 };
  test('within the grace period: nothing changes', () => {
    assert.equal(lostNodeConditions(node([ready('True')]), probe, T0 + 40_000, t), undefined);
    assert.equal(graceLeftMs(node([ready('True')]), probe, T0 + 30_000, t), 10_000);
  });
  test('past it: Ready and the pressure conditions become Unknown, heartbeat kept', () => {
    const n = node([
      ready('True'),
      {
        type: 'MemoryPressure',
        status: 'False',
        lastHeartbeatTime: iso(T0),
        reason: 'KubeletHasSufficientMemory',
      },
      { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' },
    ]);
    const now = T0 + 40_001;
    const got = lostNodeConditions(n, probe, now, t);
    const byType = new Map(got?.map((c) => [c.type, c]));
    assert.deepEqual(byType.get('Ready'), {
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: iso(T0),
      lastTransitionTime: iso(now),
    });
    assert.equal(byType.get('MemoryPressure')?.status, 'Unknown');
    for (const type of ['DiskPressure', 'PIDPressure']) {
      assert.equal(byType.get(type)?.status, 'Unknown');
      assert.equal(byType.get(type)?.reason, 'NodeStatusNeverUpdated');
      assert.equal(byType.get(type)?.message, 'Kubelet never posted node status.');
    }
    // Not a condition the controller owns.
    assert.equal(byType.get('NetworkUnavailable')?.status, 'False');
  });
  test('already Unknown everywhere: nothing to write', () => {
    const n = node(
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type,
        status: 'Unknown',
      })),
    );
    assert.equal(lostNodeConditions(n, probe, T0 + 100_000, t), undefined);
  });
  test('a node that never reported gets the startup grace period', () => {
    assert.equal(lostNodeConditions(node([]), probe, T0 + 50_000, t), undefined);
    assert.equal(lostNodeConditions(node([]), probe, T0 + 60_001, t)?.length, 4);
  });
});

describe('taints from conditions', () => {
  const cases: { name: string; n: Node; want: string[] }[] = [
    { name: 'Ready', n: node([ready('True')]), want: [] },
    {
      name: 'Ready False',
      n: node([ready('False')]),
      want: ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'],
    },
    {
      name: 'Ready Unknown',
      n: node([ready('Unknown')]),
      want: [
        'node.kubernetes.io/unreachable:NoSchedule',
        'node.kubernetes.io/unreachable:NoExecute',
      ],
    },
    {
      name: 'memory and disk pressure, cordoned',
      n: node(
        [
          ready('True'),
          { type: 'MemoryPressure', status: 'True' },
          { type: 'DiskPressure', status: 'True' },
        ],
        { unschedulable: true },
      ),
      want: [
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () =>
      assert.deepEqual(
        wantedTaints(c.n).map((t) => `${t.key}:${t.effect}`),
        c.want,
      ),
    );
  }

  const now = T0 + 1_000;
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(T0) };
  const foreign = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  test('adds the missing ones with timeAdded, removes managed surplus, keeps foreign taints', () => {
    assert.deepEqual(syncTaints([foreign, notReady], [unreachable], now), [
      foreign,
      { ...unreachable, timeAdded: iso(now) },
    ]);
  });
  test('nothing to do: undefined (no write)', () => {
    assert.equal(
      syncTaints([foreign, notReady], [{ key: notReady.key, effect: 'NoExecute' }], now),
      undefined,
    );
  });
  test('back to Ready: the controller taints go', () => {
    assert.deepEqual(syncTaints([notReady, foreign], [], now), [foreign]);
  });
});

describe('evictionTime', () => {
  const seenAt = T0 + 500;
  const tainted = (...keys: string[]): Taint[] =>
    keys.map((key) => ({ key, effect: 'NoExecute', timeAdded: iso(T0) }));
  const pod = (tolerations: Toleration[]): Pod =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [], tolerations },
    }) as Pod;
  const unreachable = 'node.kubernetes.io/unreachable';
  const notReady = 'node.kubernetes.io/not-ready';
  const cases = [
    {
      name: 'no NoExecute taint',
      pod: pod([]),
      taints: [{ key: 'x', effect: 'NoSchedule' }],
      want: 'never' as const,
    },
    {
      name: 'not tolerated: at once',
      pod: pod([]),
      taints: tainted(unreachable),
      want: { atMs: T0 },
    },
    {
      name: 'tolerated for 300 s',
      pod: pod([
        { key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ]),
      taints: tainted(unreachable),
      want: { atMs: T0 + 300_000 },
    },
    {
      name: 'tolerated forever',
      pod: pod([{ key: unreachable, operator: 'Exists', effect: 'NoExecute' }]),
      taints: tainted(unreachable),
      want: 'never' as const,
    },
    {
      name: 'a blanket toleration (operator Exists, no key)',
      pod: pod([{ operator: 'Exists' }]),
      taints: tainted(unreachable, notReady),
      want: 'never' as const,
    },
    {
      name: 'one of two taints untolerated: at once',
      pod: pod([
        { key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ]),
      taints: tainted(unreachable, notReady),
      want: { atMs: T0 },
    },
    {
      name: 'the smallest tolerationSeconds of the tolerations used',
      pod: pod([
        { key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
        { key: notReady, operator: 'Exists', effect: 'NoExecute' },
      ]),
      taints: tainted(unreachable, notReady),
      want: { atMs: T0 + 60_000 },
    },
    {
      name: 'negative seconds count as zero',
      pod: pod([
        { key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -5 },
      ]),
      taints: tainted(unreachable),
      want: { atMs: T0 },
    },
    {
      name: 'a taint without timeAdded counts from when it was first seen',
      pod: pod([{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }]),
      taints: [{ key: 'k', effect: 'NoExecute' }],
      want: { atMs: seenAt + 10_000 },
    },
  ];
  for (const c of cases)
    test(c.name, () => assert.deepEqual(evictionTime(c.pod, c.taints, seenAt), c.want));
});

describe('podNotReadyStatus', () => {
  const withReady = (status: string): Pod =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [] },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status },
        ],
      },
    }) as Pod;
  test('Ready True becomes False, stamped now; other conditions kept', () => {
    const got = podNotReadyStatus(withReady('True'), T0);
    assert.deepEqual(got?.conditions, [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False', lastTransitionTime: iso(T0) },
    ]);
    assert.equal(got?.phase, 'Running');
  });
  test('not ready already: nothing to write', () =>
    assert.equal(podNotReadyStatus(withReady('False'), T0), undefined));
});
