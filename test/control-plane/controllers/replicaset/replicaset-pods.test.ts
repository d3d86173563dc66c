/**
 * Pure pod logic of the ReplicaSet controller, as Kubernetes'
 * controller_utils defines it: active and available pods, the scale-down
 * order (ActivePodsWithRanks), slow-start batches, pods from templates.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../../../../control-plane/api/types.ts';
import {
  controllerRef,
  isPodActive,
  isPodAvailable,
  podFromTemplate,
  podsToDelete,
  slowStartBatches,
} from '../../../../control-plane/controllers/replicaset-pods.ts';

const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

interface PodInput {
  node?: string;
  phase?: string;
  readySince?: number;
  created?: number;
  restarts?: number;
  cost?: string;
  deleting?: boolean;
}

function pod(name: string, o: PodInput = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: iso(o.created ?? T0),
      ...(o.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions:
        o.readySince === undefined
          ? [{ type: 'Ready', status: 'False' }]
          : [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readySince) }],
      containerStatuses: [
        { name: 'c', image: 'i', imageID: '', ready: true, restartCount: o.restarts ?? 0 },
      ],
    },
  } as Pod;
}

describe('isPodActive', () => {
  const cases: [string, Pod, boolean][] = [
    ['running', pod('a'), true],
    ['pending', pod('a', { phase: 'Pending' }), true],
    ['succeeded', pod('a', { phase: 'Succeeded' }), false],
    ['failed', pod('a', { phase: 'Failed' }), false],
    ['being deleted', pod('a', { deleting: true }), false],
  ];
  for (const [name, p, want] of cases) test(name, () => assert.equal(isPodActive(p), want));
});

describe('isPodAvailable', () => {
  const cases: [string, Pod, number, number, boolean][] = [
    ['not ready', pod('a'), 0, T0, false],
    ['ready, minReadySeconds 0', pod('a', { readySince: T0 }), 0, T0, true],
    ['ready 4 s of 5', pod('a', { readySince: T0 }), 5, T0 + 4_000, false],
    ['ready exactly 5 s of 5', pod('a', { readySince: T0 }), 5, T0 + 5_000, true],
  ];
  for (const [name, p, minReady, now, want] of cases)
    test(name, () => assert.equal(isPodAvailable(p, minReady, now), want));
});

describe('podsToDelete ranks as ActivePodsWithRanks', () => {
  const cases: { name: string; pods: Pod[]; related?: Pod[]; first: string }[] = [
    {
      name: 'unscheduled before scheduled',
      pods: [pod('bound', { node: 'n1', readySince: T0 }), pod('unbound', { phase: 'Pending' })],
      first: 'unbound',
    },
    {
      name: 'pending before unknown before running',
      pods: [
        pod('running', { node: 'n1' }),
        pod('unknown', { node: 'n1', phase: 'Unknown' }),
        pod('pending', { node: 'n1', phase: 'Pending' }),
      ],
      first: 'pending',
    },
    {
      name: 'unknown before running',
      pods: [pod('running', { node: 'n1' }), pod('unknown', { node: 'n1', phase: 'Unknown' })],
      first: 'unknown',
    },
    {
      name: 'not ready before ready',
      pods: [pod('ready', { node: 'n1', readySince: T0 }), pod('unready', { node: 'n1' })],
      first: 'unready',
    },
    {
      name: 'lower deletion cost first',
      pods: [
        pod('cheap', { node: 'n1', readySince: T0, cost: '-5' }),
        pod('dear', { node: 'n1', readySince: T0, cost: '10' }),
      ],
      first: 'cheap',
    },
    {
      name: 'doubled up on a node before alone',
      pods: [
        pod('alone', { node: 'n1', readySince: T0 }),
        pod('crowded', { node: 'n2', readySince: T0 }),
      ],
      related: [pod('x', { node: 'n2' }), pod('y', { node: 'n2' })],
      first: 'crowded',
    },
    {
      name: 'ready for less time first',
      pods: [
        pod('old-ready', { node: 'n1', readySince: T0 }),
        pod('new-ready', { node: 'n1', readySince: T0 + 60_000 }),
      ],
      first: 'new-ready',
    },
    {
      name: 'more restarts first',
      pods: [pod('calm', { node: 'n1' }), pod('crashy', { node: 'n1', restarts: 4 })],
      first: 'crashy',
    },
    {
      name: 'newer first',
      pods: [
        pod('older', { node: 'n1', created: T0 }),
        pod('newer', { node: 'n1', created: T0 + 1_000 }),
      ],
      first: 'newer',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const related = [...c.pods, ...(c.related ?? [])];
      assert.equal(podsToDelete(c.pods, related, 1)[0]?.metadata.name, c.first);
      // The order does not depend on the input order.
      assert.equal(podsToDelete([...c.pods].reverse(), related, 1)[0]?.metadata.name, c.first);
    });
  }

  test('asks for more than exist: all of them; none: nothing', () => {
    const pods = [pod('a'), pod('b')];
    assert.equal(podsToDelete(pods, pods, 5).length, 2);
    assert.deepEqual(podsToDelete(pods, pods, 0), []);
  });
});

describe('slowStartBatches', () => {
  const cases: [number, number[]][] = [
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [16, [1, 2, 4, 8, 1]],
  ];
  for (const [count, want] of cases)
    test(`${count} pods`, () => assert.deepEqual(slowStartBatches(count), want));
});

test('podFromTemplate copies labels, annotations and spec and sets the controller ref', () => {
  const owner = controllerRef({ metadata: { name: 'web', uid: 'u1' } }, 'apps/v1', 'ReplicaSet');
  const template = {
    metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  };
  const p = podFromTemplate(template, 'ns', 'web', owner);
  assert.deepEqual(p.metadata, {
    generateName: 'web-',
    namespace: 'ns',
    labels: { app: 'web' },
    annotations: { a: 'b' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web',
        uid: 'u1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });
  assert.deepEqual(p.spec, template.spec);
  assert.notEqual(p.spec, template.spec, 'a copy, not the template itself');
});
