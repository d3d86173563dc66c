/**
 * The Job controller's pure decisions: pods to create or delete, counts,
 * conditions (FailureTarget → Failed, SuccessCriteriaMet → Complete,
 * Suspended), the active deadline and the pod-failure backoff.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Job, JobCondition, Pod } from '../../../control-plane/api/types.ts';
import { planJob, type JobPlan } from '../../../control-plane/controllers/job/plan.ts';
import { statusChanged } from '../../../control-plane/controllers/job/status-changed.ts';
import {
  backoffLeftMs,
  pastBackoffLimitOnFailure,
  sortJobPods,
} from '../../../control-plane/controllers/job/pods.ts';

const T0 = Date.UTC(2024, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();
const SETTINGS = { backoffBaseMs: 10_000, backoffMaxMs: 360_000 };

function job(spec: Partial<Job['spec']> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'ns', uid: 'job-uid', generation: 1 },
    spec: {
      completions: 3,
      parallelism: 2,
      backoffLimit: 2,
      template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } },
      ...spec,
    },
    status,
  } as Job;
}

let seq = 0;
function pod(
  phase: string,
  o: { finishedMs?: number; ready?: boolean; deleting?: boolean; restarts?: number } = {},
): Pod {
  const name = `p${++seq}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: iso(T0 - 60_000),
      ...(o.deleting ? { deletionTimestamp: iso(T0 + 30_000) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'c',
          image: 'i',
          imageID: '',
          ready: !!o.ready,
          restartCount: o.restarts ?? 0,
          ...(o.finishedMs !== undefined
            ? {
                state: {
                  terminated: {
                    exitCode: phase === 'Failed' ? 1 : 0,
                    finishedAt: iso(o.finishedMs),
                  },
                },
              }
            : {}),
        },
      ],
    },
  } as Pod;
}
const cond = (p: JobPlan, type: string) => p.status.conditions?.find((c) => c.type === type);
const types = (p: JobPlan) =>
  (p.status.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();
const plan = (j: Job, pods: Pod[], canManage = true, now = T0) =>
  planJob(j, pods, now, SETTINGS, canManage);
const existing = (type: string, reason: string, message: string): JobCondition => ({
  type,
  status: 'True',
  reason,
  message,
  lastProbeTime: iso(T0 - 1000),
  lastTransitionTime: iso(T0 - 1000),
});

describe('planJob: running to completion', () => {
  const cases = [
    {
      name: 'a new Job starts parallelism pods',
      j: job(),
      pods: [],
      create: 2,
      remove: 0,
      active: 2,
    },
    {
      name: 'parallelism reached: nothing to create',
      j: job(),
      pods: [pod('Running'), pod('Pending')],
      create: 0,
      remove: 0,
      active: 2,
    },
    {
      name: 'one succeeded: one more up to parallelism',
      j: job(),
      pods: [pod('Succeeded', { finishedMs: T0 }), pod('Running')],
      create: 1,
      remove: 0,
      active: 2,
    },
    {
      name: 'two succeeded: one more for the last completion',
      j: job(),
      pods: [pod('Succeeded'), pod('Succeeded'), pod('Running')],
      create: 0,
      remove: 0,
      active: 1,
    },
    {
      name: 'parallelism lowered: the surplus goes',
      j: job({ parallelism: 1 }),
      pods: [pod('Running'), pod('Running'), pod('Running')],
      create: 0,
      remove: 2,
      active: 1,
    },
    {
      name: 'no permission to manage (expectations): nothing written',
      j: job(),
      pods: [],
      create: 0,
      remove: 0,
      active: 0,
      canManage: false,
    },
    {
      name: 'without completions: parallelism pods',
      j: job({ completions: undefined }),
      pods: [],
      create: 2,
      remove: 0,
      active: 2,
    },
    {
      name: 'without completions, after a success: nothing new',
      j: job({ completions: undefined }),
      pods: [pod('Succeeded'), pod('Running')],
      create: 0,
      remove: 0,
      active: 1,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = plan(c.j, c.pods, c.canManage ?? true);
      assert.equal(p.create, c.create);
      assert.equal(p.remove.length, c.remove);
      assert.equal(p.status.active, c.active);
      assert.deepEqual(types(p), []);
    });
  }

  test('startTime is set once; counts and ready are reported', () => {
    const p = plan(job(), [
      pod('Succeeded'),
      pod('Running', { ready: true }),
      pod('Failed', { finishedMs: T0 - 60_000 }),
    ]);
    assert.equal(p.status.startTime, iso(T0));
    assert.deepEqual(
      {
        active: p.status.active,
        succeeded: p.status.succeeded,
        failed: p.status.failed,
        ready: p.status.ready,
      },
      { active: 2, succeeded: 1, failed: 1, ready: 1 }, // active counts the pod being created
    );
    assert.equal(plan(job({}, { startTime: iso(T0 - 5000) }), []).status.startTime, iso(T0 - 5000));
  });

  test('completions reached, nothing left: SuccessCriteriaMet and Complete with completionTime', () => {
    const p = plan(job(), [pod('Succeeded'), pod('Succeeded'), pod('Succeeded')]);
    assert.deepEqual(types(p), ['Complete=True', 'SuccessCriteriaMet=True']);
    assert.equal(cond(p, 'Complete')?.reason, 'CompletionsReached');
    assert.equal(cond(p, 'Complete')?.message, 'Reached expected number of succeeded pods');
    assert.equal(p.status.completionTime, iso(T0));
    assert.equal(p.status.succeeded, 3);
  });

  test('completions reached while a pod still terminates: SuccessCriteriaMet only', () => {
    const p = plan(job(), [
      pod('Succeeded'),
      pod('Succeeded'),
      pod('Succeeded'),
      pod('Running', { deleting: true }),
    ]);
    assert.deepEqual(types(p), ['SuccessCriteriaMet=True']);
    assert.equal(p.status.completionTime, undefined);
    assert.equal(p.status.terminating, 1);
  });

  test('without completions: complete once a pod succeeded and none is active', () => {
    const p = plan(job({ completions: undefined }), [pod('Succeeded'), pod('Failed')]);
    assert.deepEqual(types(p), ['Complete=True', 'SuccessCriteriaMet=True']);
  });

  test('counts never go below what the status recorded', () => {
    const p = plan(job({}, { succeeded: 2, failed: 1 }), [pod('Running')]);
    assert.equal(p.status.succeeded, 2);
    assert.equal(p.status.failed, 1);
    assert.equal(p.create, 0); // one completion left, one pod active
  });

  test('a finished Job is left as it is', () => {
    const done = job(
      {},
      { conditions: [existing('Complete', 'CompletionsReached', 'x')], succeeded: 3 },
    );
    const p = plan(done, [pod('Running')]);
    assert.equal(p.create, 0);
    assert.equal(p.remove.length, 0);
    assert.equal(p.status, done.status);
  });
});

describe('planJob: failing', () => {
  test('failed pods beyond backoffLimit: FailureTarget and Failed at once when nothing runs', () => {
    const p = plan(job(), [pod('Failed'), pod('Failed'), pod('Failed')]);
    assert.deepEqual(types(p), ['Failed=True', 'FailureTarget=True']);
    assert.equal(cond(p, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(cond(p, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.equal(p.status.completionTime, undefined);
    assert.equal(p.status.failed, 3);
  });

  test('at the limit (failed == backoffLimit): not yet', () => {
    const p = plan(job(), [
      pod('Failed', { finishedMs: T0 - 100_000 }),
      pod('Failed', { finishedMs: T0 - 100_000 }),
    ]);
    assert.deepEqual(types(p), []);
  });

  test('beyond the limit with pods running: they are deleted, Failed waits for them', () => {
    const running = pod('Running', { ready: true });
    const p = plan(job(), [pod('Failed'), pod('Failed'), pod('Failed'), running]);
    assert.deepEqual(p.remove, [running]);
    assert.deepEqual(types(p), ['FailureTarget=True']);
    assert.equal(p.status.active, 0);
    assert.equal(p.status.terminating, 1);
    assert.equal(p.status.ready, 0);
  });

  test('FailureTarget recorded, the last pod gone: Failed with the same reason', () => {
    const j = job(
      {},
      {
        conditions: [
          existing(
            'FailureTarget',
            'BackoffLimitExceeded',
            'Job has reached the specified backoff limit',
          ),
        ],
      },
    );
    const p = plan(j, [pod('Failed'), pod('Failed'), pod('Failed')]);
    assert.deepEqual(types(p), ['Failed=True', 'FailureTarget=True']);
    assert.equal(cond(p, 'FailureTarget')?.lastTransitionTime, iso(T0 - 1000));
  });

  test('OnFailure: container restarts reaching backoffLimit fail the Job', () => {
    const j = job({
      template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'OnFailure' } },
    });
    const restarting = pod('Running', { restarts: 2 });
    assert.equal(pastBackoffLimitOnFailure(j, [restarting]), true);
    assert.equal(pastBackoffLimitOnFailure(j, [pod('Running', { restarts: 1 })]), false);
    const p = plan(j, [restarting]);
    assert.deepEqual(p.remove, [restarting]);
    assert.equal(cond(p, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  });

  test('activeDeadlineSeconds passed: active pods deleted, DeadlineExceeded', () => {
    const running = pod('Running');
    const j = job({ activeDeadlineSeconds: 10 }, { startTime: iso(T0 - 11_000) });
    const p = plan(j, [running]);
    assert.deepEqual(p.remove, [running]);
    assert.equal(cond(p, 'FailureTarget')?.reason, 'DeadlineExceeded');
    assert.equal(
      cond(p, 'FailureTarget')?.message,
      'Job was active longer than specified deadline',
    );
  });

  test('activeDeadlineSeconds ahead: look again when it passes', () => {
    const p = plan(job({ activeDeadlineSeconds: 10 }, { startTime: iso(T0 - 4_000) }), [
      pod('Running'),
      pod('Running'),
    ]);
    assert.equal(p.requeueAfterMs, 6_000);
    assert.deepEqual(types(p), []);
  });
});

describe('pod-failure backoff', () => {
  const cases = [
    { name: 'no failure', pods: [pod('Running')], left: 0 },
    { name: 'one failure just now: 10 s', pods: [pod('Failed', { finishedMs: T0 })], left: 10_000 },
    { name: 'one failure 4 s ago', pods: [pod('Failed', { finishedMs: T0 - 4_000 })], left: 6_000 },
    {
      name: 'two failures: 20 s from the last',
      pods: [pod('Failed', { finishedMs: T0 - 30_000 }), pod('Failed', { finishedMs: T0 - 5_000 })],
      left: 15_000,
    },
    {
      name: 'a success after the failures resets it',
      pods: [
        pod('Failed', { finishedMs: T0 - 2_000 }),
        pod('Succeeded', { finishedMs: T0 - 1_000 }),
      ],
      left: 0,
    },
    {
      name: 'capped at the maximum',
      pods: Array.from({ length: 12 }, () => pod('Failed', { finishedMs: T0 })),
      left: 360_000,
    },
  ];
  for (const c of cases)
    test(c.name, () =>
      assert.equal(backoffLeftMs(sortJobPods(c.pods), T0, 10_000, 360_000), c.left),
    );

  test('planJob waits out the backoff before replacing a failed pod', () => {
    const p = plan(job(), [pod('Failed', { finishedMs: T0 - 3_000 }), pod('Running')]);
    assert.equal(p.create, 0);
    assert.equal(p.requeueAfterMs, 7_000);
    const later = plan(job(), [pod('Failed', { finishedMs: T0 - 11_000 }), pod('Running')]);
    assert.equal(later.create, 1);
  });
});

describe('planJob: suspend', () => {
  test('suspended: active pods deleted, Suspended condition, no startTime', () => {
    const running = pod('Running');
    const p = plan(job({ suspend: true }), [running]);
    assert.deepEqual(p.remove, [running]);
    assert.equal(cond(p, 'Suspended')?.status, 'True');
    assert.equal(cond(p, 'Suspended')?.reason, 'JobSuspended');
    assert.equal(p.status.startTime, undefined);
  });
  test('resumed: Suspended False and a fresh startTime', () => {
    const j = job(
      { suspend: false },
      {
        startTime: iso(T0 - 100_000),
        conditions: [existing('Suspended', 'JobSuspended', 'Job suspended')],
      },
    );
    const p = plan(j, []);
    assert.equal(cond(p, 'Suspended')?.status, 'False');
    assert.equal(cond(p, 'Suspended')?.reason, 'JobResumed');
    assert.equal(p.status.startTime, iso(T0));
    assert.equal(p.create, 2);
  });
});

describe('statusChanged', () => {
  const cases = [
    {
      name: 'empty parts equal absent ones',
      a: { active: 1, uncountedTerminatedPods: {}, conditions: [] },
      b: { active: 1 },
      changed: false,
    },
    {
      name: 'key order does not matter',
      a: { active: 1, failed: 2 },
      b: { failed: 2, active: 1 },
      changed: false,
    },
    { name: 'a count differs', a: { active: 1 }, b: { active: 2 }, changed: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(statusChanged(c.a, c.b), c.changed));
});
