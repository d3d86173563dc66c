/**
 * The DaemonSet controller's pure decisions: which nodes a daemon pod
 * belongs on, the pod it makes, manage(), the rolling update and the status.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DaemonSet, Node, Pod, Taint } from '../../../control-plane/api/types.ts';
import {
  manage,
  maxUnavailableOf,
  rollingUpdate,
  type DaemonInputs,
} from '../../../control-plane/controllers/daemonset/plan.ts';
import {
  DAEMON_TOLERATIONS,
  pinnedAffinity,
  placement,
  targetNodeName,
  withDaemonTolerations,
} from '../../../control-plane/controllers/daemonset/placement.ts';
import {
  daemonPod,
  podsByNode,
  revisionHash,
} from '../../../control-plane/controllers/daemonset/pods.ts';
import { daemonSetStatus } from '../../../control-plane/controllers/daemonset/status.ts';

const T0 = Date.UTC(2024, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();

function ds(
  spec: Partial<DaemonSet['spec']> = {},
  templateSpec: Partial<NonNullable<DaemonSet['spec']['template']['spec']>> = {},
): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'a', image: 'agent:1' }], ...templateSpec },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...spec,
    },
  } as DaemonSet;
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } };
}

let seq = 0;
function pod(
  nodeName: string,
  o: {
    hash?: string;
    phase?: string;
    ready?: boolean;
    deleting?: boolean;
    bound?: boolean;
    ageMs?: number;
  } = {},
): Pod {
  const name = `agent-${++seq}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      uid: `uid-${name}`,
      creationTimestamp: iso(T0 - (o.ageMs ?? 60_000)),
      labels: { app: 'agent', 'controller-revision-hash': o.hash ?? 'old' },
      ...(o.deleting ? { deletionTimestamp: iso(T0 + 30_000) } : {}),
    },
    spec: {
      containers: [],
      ...(o.bound === false ? {} : { nodeName }),
      affinity: pinnedAffinity(undefined, nodeName),
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: iso(T0 - 30_000),
        },
      ],
    },
  } as Pod;
}

describe('placement (NodeShouldRunDaemonPod)', () => {
  const cases = [
    { name: 'a plain node', d: ds(), n: node('n'), want: [true, true] },
    {
      name: 'nodeSelector not matched',
      d: ds({}, { nodeSelector: { disk: 'ssd' } }),
      n: node('n'),
      want: [false, false],
    },
    {
      name: 'nodeSelector matched',
      d: ds({}, { nodeSelector: { disk: 'ssd' } }),
      n: node('n', { disk: 'ssd' }),
      want: [true, true],
    },
    {
      name: 'required node affinity NotIn',
      d: ds(
        {},
        {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['edge'] }] },
                ],
              },
            },
          },
        },
      ),
      n: node('n', { role: 'edge' }),
      want: [false, false],
    },
    {
      name: 'template names another node',
      d: ds({}, { nodeName: 'other' }),
      n: node('n'),
      want: [false, false],
    },
    {
      name: 'NoSchedule taint: no new pod, an existing one stays',
      d: ds(),
      n: node('n', {}, [{ key: 'gpu', effect: 'NoSchedule' }]),
      want: [false, true],
    },
    {
      name: 'NoExecute taint: nothing may stay',
      d: ds(),
      n: node('n', {}, [{ key: 'gpu', effect: 'NoExecute' }]),
      want: [false, false],
    },
    {
      name: 'tolerated taint',
      d: ds({}, { tolerations: [{ key: 'gpu', operator: 'Exists' }] }),
      n: node('n', {}, [{ key: 'gpu', effect: 'NoExecute' }]),
      want: [true, true],
    },
    {
      name: 'unreachable NoExecute: daemon pods tolerate it',
      d: ds(),
      n: node('n', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]),
      want: [true, true],
    },
    {
      name: 'cordoned (unschedulable taint): daemon pods tolerate it',
      d: ds(),
      n: node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]),
      want: [true, true],
    },
    {
      name: 'PreferNoSchedule is no obstacle',
      d: ds(),
      n: node('n', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]),
      want: [true, true],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = placement(c.d, c.n);
      assert.deepEqual([p.shouldRun, p.shouldContinueRunning], c.want);
    });
  }
});

describe('the daemon pod', () => {
  test('tolerations Kubernetes adds; an existing one with the same key and effect is replaced', () => {
    const got = withDaemonTolerations({
      containers: [],
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        { key: 'gpu', operator: 'Exists' },
      ],
    });
    assert.deepEqual(got, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'gpu', operator: 'Exists' },
      ...DAEMON_TOLERATIONS.slice(1),
    ]);
    const host = withDaemonTolerations({ containers: [], hostNetwork: true });
    assert.ok(
      host.some(
        (t) => t.key === 'node.kubernetes.io/network-unavailable' && t.effect === 'NoSchedule',
      ),
    );
  });

  test('pinned to its node by matchFields, other affinity kept', () => {
    const anti = {
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }],
    };
    const got = pinnedAffinity(
      {
        podAntiAffinity: anti,
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }],
          },
        },
      },
      'node-7',
    );
    assert.deepEqual(got.podAntiAffinity, anti);
    assert.deepEqual(
      got.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
      [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-7'] }] }],
    );
  });

  test('daemonPod: template, labels, owner, affinity, tolerations, generateName', () => {
    const d = ds();
    const hash = revisionHash(d);
    const p = daemonPod(d, 'node-1', hash);
    assert.equal(p.metadata.generateName, 'agent-');
    assert.equal(p.metadata.namespace, 'kube-system');
    assert.deepEqual(p.metadata.labels, {
      app: 'agent',
      'controller-revision-hash': hash,
      'pod-template-generation': '2',
    });
    assert.deepEqual(p.metadata.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: 'agent',
        uid: 'ds-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(p.spec?.nodeName, undefined);
    assert.equal(targetNodeName(p), 'node-1');
    assert.equal(p.spec?.tolerations?.length, DAEMON_TOLERATIONS.length);
    assert.equal(
      d.spec.template.spec?.tolerations,
      undefined,
      'the DaemonSet itself is not changed',
    );
  });

  test('the revision hash follows the template only', () => {
    const a = revisionHash(ds());
    assert.equal(revisionHash(ds({ minReadySeconds: 5 })), a);
    assert.notEqual(revisionHash(ds({}, { containers: [{ name: 'a', image: 'agent:2' }] })), a);
  });

  test('targetNodeName: bound node, else the pinned one, else none', () => {
    assert.equal(targetNodeName(pod('n1')), 'n1');
    assert.equal(targetNodeName(pod('n2', { bound: false })), 'n2');
    assert.equal(
      targetNodeName({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {},
        spec: { containers: [] },
      } as Pod),
      undefined,
    );
  });

  test('podsByNode: oldest first; finished pods being deleted left out', () => {
    const young = pod('n1', { ageMs: 1_000 });
    const old = pod('n1', { ageMs: 9_000 });
    const gone = pod('n1', { phase: 'Failed', deleting: true });
    const other = pod('n2', { bound: false });
    const got = podsByNode([young, gone, old, other]);
    assert.deepEqual(got.get('n1'), [old, young]);
    assert.deepEqual(got.get('n2'), [other]);
  });
});

const inputs = (nodes: Node[], pods: Pod[], o: Partial<DaemonInputs> = {}): DaemonInputs => ({
  nodes,
  pods: podsByNode(pods),
  hash: 'new',
  nowMs: T0,
  failedBackoffMs: () => 0,
  ...o,
});
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name).sort();

describe('manage', () => {
  test('every eligible node without a pod gets one', () => {
    const plan = manage(
      ds({}, { nodeSelector: { role: 'worker' } }),
      inputs([node('a', { role: 'worker' }), node('b'), node('c', { role: 'worker' })], []),
    );
    assert.deepEqual(plan.createOn, ['a', 'c']);
    assert.deepEqual(plan.remove, []);
  });
  test('a pod still terminating on the node: the new one waits', () => {
    const plan = manage(ds(), inputs([node('a')], [pod('a', { deleting: true })]));
    assert.deepEqual(plan.createOn, []);
  });
  test('misscheduled pods go; NoSchedule-only ineligibility keeps them', () => {
    const evicted = pod('x');
    const kept = pod('y');
    const plan = manage(
      ds(),
      inputs(
        [
          node('x', {}, [{ key: 'k', effect: 'NoExecute' }]),
          node('y', {}, [{ key: 'k', effect: 'NoSchedule' }]),
        ],
        [evicted, kept],
      ),
    );
    assert.deepEqual(names(plan.remove), names([evicted]));
  });
  test('of several running pods only the oldest stays', () => {
    const old = pod('a', { ageMs: 50_000 });
    const dup1 = pod('a', { ageMs: 10_000 });
    const dup2 = pod('a', { ageMs: 5_000 });
    assert.deepEqual(
      names(manage(ds(), inputs([node('a')], [dup1, old, dup2])).remove),
      names([dup1, dup2]),
    );
  });
  test('a failed pod is deleted, unless its node is in backoff', () => {
    const failed = pod('a', { phase: 'Failed' });
    const now = manage(ds(), inputs([node('a')], [failed]));
    assert.deepEqual(now.remove, [failed]);
    assert.deepEqual(now.failedOn, ['a']);
    const later = manage(ds(), inputs([node('a')], [failed], { failedBackoffMs: () => 4_000 }));
    assert.deepEqual(later.remove, []);
    assert.equal(later.requeueAfterMs, 4_000);
  });
  test('a pod that exited cleanly is replaced', () => {
    const succeeded = pod('a', { phase: 'Succeeded' });
    assert.deepEqual(manage(ds(), inputs([node('a')], [succeeded])).remove, [succeeded]);
  });
  test('a pod pinned to a node that is gone is deleted (unbound only)', () => {
    const unbound = pod('gone', { bound: false });
    const bound = pod('gone2');
    assert.deepEqual(manage(ds(), inputs([node('a')], [unbound, bound, pod('a')])).remove, [
      unbound,
    ]);
  });
});

describe('rollingUpdate (maxSurge 0)', () => {
  const three = [node('a'), node('b'), node('c')];
  const cases = [
    {
      name: 'all old and available: one at a time',
      pods: () => [pod('a'), pod('b'), pod('c')],
      d: ds(),
      want: 1,
    },
    {
      name: 'a new pod not yet available blocks the next',
      pods: () => [pod('a', { hash: 'new', ready: false }), pod('b'), pod('c')],
      d: ds(),
      want: 0,
    },
    {
      name: 'a new available pod frees the next',
      pods: () => [pod('a', { hash: 'new' }), pod('b'), pod('c')],
      d: ds(),
      want: 1,
    },
    {
      name: 'a node between pods (old one terminating) counts as unavailable',
      pods: () => [pod('a', { deleting: true }), pod('b'), pod('c')],
      d: ds(),
      want: 0,
    },
    {
      name: 'old pods that are not available go regardless',
      pods: () => [pod('a', { ready: false }), pod('b', { ready: false }), pod('c')],
      d: ds(),
      // As Kubernetes: unavailable old pods do not use up maxUnavailable, so c goes too.
      want: 3,
    },
    {
      name: 'maxUnavailable 50% of 3 rounds up to 2',
      pods: () => [pod('a'), pod('b'), pod('c')],
      d: ds({
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } },
      }),
      want: 2,
    },
    {
      name: 'all updated: nothing',
      pods: () => [pod('a', { hash: 'new' }), pod('b', { hash: 'new' }), pod('c', { hash: 'new' })],
      d: ds(),
      want: 0,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const pods = c.pods();
      const got = rollingUpdate(c.d, inputs(three, pods));
      assert.equal(got.length, c.want);
      for (const p of got) assert.equal(p.metadata.labels?.['controller-revision-hash'], 'old');
    });
  }
  test('maxUnavailable as a number of nodes', () => {
    const d = (v: number | string) =>
      ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: v } } });
    assert.equal(maxUnavailableOf(d(3), 10), 3);
    assert.equal(maxUnavailableOf(d('25%'), 10), 3);
    assert.equal(maxUnavailableOf(d(0), 10), 1);
    assert.equal(maxUnavailableOf(d('10%'), 0), 0);
  });
});

describe('daemonSetStatus', () => {
  test('counts per node by the oldest pod', () => {
    const d = {
      ...ds({}, { nodeSelector: { role: 'worker' } }),
      status: {
        currentNumberScheduled: 0,
        desiredNumberScheduled: 0,
        numberMisscheduled: 0,
        numberReady: 0,
      },
    } as DaemonSet;
    const nodes = [
      node('a', { role: 'worker' }),
      node('b', { role: 'worker' }),
      node('c', { role: 'worker' }),
      node('x'),
    ];
    const pods = [pod('a', { hash: 'new' }), pod('b', { ready: false }), pod('x')];
    const s = daemonSetStatus(d, nodes, podsByNode(pods), 'new', T0);
    assert.deepEqual(
      {
        desired: s.desiredNumberScheduled,
        current: s.currentNumberScheduled,
        misscheduled: s.numberMisscheduled,
        ready: s.numberReady,
        available: s.numberAvailable,
        unavailable: s.numberUnavailable,
        updated: s.updatedNumberScheduled,
        observedGeneration: s.observedGeneration,
      },
      {
        desired: 3,
        current: 2,
        misscheduled: 1,
        ready: 1,
        available: 1,
        unavailable: 2,
        updated: 1,
        observedGeneration: 2,
      },
    );
  });
  test('minReadySeconds: ready but not long enough is not available', () => {
    const s = daemonSetStatus(
      ds({ minReadySeconds: 60 }),
      [node('a')],
      podsByNode([pod('a')]),
      'new',
      T0,
    );
    assert.equal(s.numberReady, 1);
    assert.equal(s.numberAvailable, 0);
  });
});
