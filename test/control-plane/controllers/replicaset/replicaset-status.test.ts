/** A ReplicaSet's status from its pods (calculateStatus), and the minReadySeconds requeue. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, ReplicaSet } from '../../../../control-plane/api/types.ts';
import {
  nextAvailableInMs,
  replicaSetStatus,
} from '../../../../control-plane/controllers/replicaset-status.ts';

const T0 = Date.UTC(2024, 0, 1);

function rs(
  minReadySeconds = 0,
  conditions?: NonNullable<ReplicaSet['status']>['conditions'],
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', generation: 7 },
    spec: {
      replicas: 3,
      minReadySeconds,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [] } },
    },
    status: { replicas: 0, ...(conditions ? { conditions } : {}) },
  };
}

function pod(labels: Record<string, string>, readySince?: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels },
    spec: { containers: [] },
    status: {
      conditions:
        readySince === undefined
          ? []
          : [
              {
                type: 'Ready',
                status: 'True',
                lastTransitionTime: new Date(readySince).toISOString(),
              },
            ],
    },
  } as Pod;
}

test('counts replicas, fully labeled, ready and available pods and the generation', () => {
  const pods = [
    pod({ app: 'web', tier: 'front' }, T0 - 10_000),
    pod({ app: 'web', tier: 'front' }, T0 - 1_000),
    pod({ app: 'web' }),
  ];
  const s = replicaSetStatus(rs(5), pods, undefined, T0);
  assert.deepEqual(s, {
    replicas: 3,
    fullyLabeledReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 1,
    observedGeneration: 7,
  });
});

test('ReplicaFailure is set on a failed create and kept until the failures stop', () => {
  const failed = replicaSetStatus(rs(), [], { reason: 'FailedCreate', message: 'quota' }, T0);
  const c = failed.conditions?.[0];
  assert.equal(c?.type, 'ReplicaFailure');
  assert.equal(c?.status, 'True');
  assert.equal(c?.reason, 'FailedCreate');
  assert.equal(c?.message, 'quota');
  const again = replicaSetStatus(
    rs(0, failed.conditions),
    [],
    { reason: 'FailedCreate', message: 'other' },
    T0 + 60_000,
  );
  assert.deepEqual(again.conditions, failed.conditions, 'the first failure stays as it was');
  const healed = replicaSetStatus(rs(0, failed.conditions), [], undefined, T0 + 120_000);
  assert.equal(healed.conditions, undefined);
});

test('nextAvailableInMs: the soonest pod to pass minReadySeconds', () => {
  const pods = [pod({}, T0 - 1_000), pod({}, T0 - 3_000), pod({}, T0 - 60_000), pod({})];
  assert.equal(nextAvailableInMs(pods, 5, T0), 2_000);
  assert.equal(nextAvailableInMs(pods, 0, T0), undefined);
  assert.equal(nextAvailableInMs([pod({}, T0 - 60_000)], 5, T0), undefined);
});
