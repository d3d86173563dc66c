/**
 * Deployment status and conditions (calculateStatus, syncRolloutStatus,
 * requeueStuckDeployment) and history pruning (cleanupDeployment), with
 * the reasons and messages kubectl reads.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeploymentStatus } from '../../../../control-plane/api/types.ts';
import { replicaSetsToPrune } from '../../../../control-plane/controllers/deployment/history.ts';
import {
  calculateStatus,
  rolloutStatus,
  stuckRequeueMs,
} from '../../../../control-plane/controllers/deployment/status.ts';
import { T0, deployment, rs } from './builders.ts';

const cond = (s: DeploymentStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('calculateStatus', () => {
  test('counts from the ReplicaSets; Available by maxUnavailable', () => {
    const d = deployment({ replicas: 10, maxSurge: 1, maxUnavailable: 2, generation: 3 });
    const old = rs('old', { replicas: 4, actual: 5, ready: 5, available: 5 });
    const cur = rs('new', { replicas: 5, actual: 5, ready: 4, available: 3 });
    const s = calculateStatus(d, [old, cur], cur, T0);
    assert.equal(s.observedGeneration, 3);
    assert.equal(s.replicas, 10);
    assert.equal(s.updatedReplicas, 5);
    assert.equal(s.readyReplicas, 9);
    assert.equal(s.availableReplicas, 8);
    assert.equal(s.unavailableReplicas, 1); // spec 9 - available 8
    assert.equal(cond(s, 'Available')?.status, 'True'); // 8 >= 10 - 2
    assert.equal(cond(s, 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.equal(cond(s, 'Available')?.message, 'Deployment has minimum availability.');
  });
  test('below replicas - maxUnavailable: Available False MinimumReplicasUnavailable', () => {
    const d = deployment({ replicas: 10, maxUnavailable: 2 });
    const s = calculateStatus(d, [rs('new', { replicas: 10, available: 7 })], undefined, T0);
    assert.equal(cond(s, 'Available')?.status, 'False');
    assert.equal(cond(s, 'Available')?.reason, 'MinimumReplicasUnavailable');
    assert.equal(cond(s, 'Available')?.message, 'Deployment does not have minimum availability.');
  });
});

describe('rolloutStatus: the Progressing condition', () => {
  const progressing = (reason: string, at: number) => ({
    type: 'Progressing',
    status: 'True',
    reason,
    message: 'x',
    lastUpdateTime: new Date(at).toISOString(),
    lastTransitionTime: new Date(at).toISOString(),
  });

  test('complete: NewReplicaSetAvailable naming the new ReplicaSet', () => {
    const d = deployment({ replicas: 3, maxSurge: 1, progressDeadlineSeconds: 600 });
    const cur = rs('web-abc', { replicas: 3 });
    const s = rolloutStatus(d, [cur], cur, T0);
    assert.equal(cond(s, 'Progressing')?.reason, 'NewReplicaSetAvailable');
    assert.equal(
      cond(s, 'Progressing')?.message,
      'ReplicaSet "web-abc" has successfully progressed.',
    );
  });

  test('progress since the stored status: ReplicaSetUpdated, lastUpdateTime now', () => {
    const d = deployment({
      replicas: 3,
      maxSurge: 1,
      progressDeadlineSeconds: 600,
      status: {
        replicas: 3,
        updatedReplicas: 1,
        conditions: [progressing('NewReplicaSetCreated', T0)],
      },
    });
    const s = rolloutStatus(
      d,
      [rs('old', { replicas: 1 }), rs('web-abc', { replicas: 2, available: 1 })],
      rs('web-abc', { replicas: 2, available: 1 }),
      T0 + 5_000,
    );
    const c = cond(s, 'Progressing');
    assert.equal(c?.reason, 'ReplicaSetUpdated');
    assert.equal(c?.message, 'ReplicaSet "web-abc" is progressing.');
    assert.equal(c?.lastUpdateTime, new Date(T0 + 5_000).toISOString());
    assert.equal(c?.lastTransitionTime, new Date(T0).toISOString(), 'still True: transition kept');
  });

  test('no progress past the deadline: ProgressDeadlineExceeded, and kubectl then fails', () => {
    const stalled = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 };
    const d = deployment({
      replicas: 3,
      maxSurge: 1,
      progressDeadlineSeconds: 60,
      status: { ...stalled, conditions: [progressing('ReplicaSetUpdated', T0)] },
    });
    const all = [
      rs('old', { replicas: 3 }),
      rs('web-abc', { replicas: 1, available: 0, ready: 0 }),
    ];
    const early = rolloutStatus(d, all, all[1], T0 + 59_000);
    assert.equal(cond(early, 'Progressing')?.reason, 'ReplicaSetUpdated');
    assert.equal(stuckRequeueMs(d, early, T0 + 59_000), 2_000);
    const late = rolloutStatus(d, all, all[1], T0 + 61_000);
    assert.equal(cond(late, 'Progressing')?.status, 'False');
    assert.equal(cond(late, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
    assert.equal(
      cond(late, 'Progressing')?.message,
      'ReplicaSet "web-abc" has timed out progressing.',
    );
  });

  test('without a deadline there is no Progressing condition', () => {
    const d = deployment({ replicas: 1 });
    const cur = rs('web-abc', { replicas: 1 });
    assert.equal(cond(rolloutStatus(d, [cur], cur, T0), 'Progressing'), undefined);
  });

  test('a ReplicaSet failure is surfaced as ReplicaFailure', () => {
    const d = deployment({ replicas: 1, progressDeadlineSeconds: 600 });
    const cur = rs('web-abc', { replicas: 1, available: 0, actual: 0 });
    cur.status = {
      ...cur.status,
      replicas: 0,
      conditions: [
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message: 'quota',
          // The schema's type wants this key on ReplicaSet conditions too.
          lastUpdateTime: undefined,
        },
      ],
    };
    const c = cond(rolloutStatus(d, [cur], cur, T0), 'ReplicaFailure');
    assert.equal(c?.reason, 'FailedCreate');
    assert.equal(c?.message, 'quota');
  });
});

describe('replicaSetsToPrune (revisionHistoryLimit)', () => {
  test('the lowest revisions beyond the limit, only when scaled to 0 and empty', () => {
    const d = deployment({ replicas: 1, revisionHistoryLimit: 2 });
    const olds = [
      rs('r1', { replicas: 0, revision: 1 }),
      rs('r2', { replicas: 0, revision: 2, actual: 1 }), // still has a pod
      rs('r3', { replicas: 0, revision: 3 }),
      rs('r4', { replicas: 0, revision: 4 }),
      rs('r5', { replicas: 0, revision: 5 }),
    ];
    assert.deepEqual(
      replicaSetsToPrune(d, olds).map((x) => x.metadata.name),
      ['r1', 'r3'],
    );
  });
  test('no limit, or within it: nothing', () => {
    assert.deepEqual(
      replicaSetsToPrune(deployment({ replicas: 1 }), [rs('r1', { replicas: 0, revision: 1 })]),
      [],
    );
    const d = deployment({ replicas: 1, revisionHistoryLimit: 2 });
    assert.deepEqual(replicaSetsToPrune(d, [rs('r1', { replicas: 0, revision: 1 })]), []);
  });
});
