/**
 * The Job controller against a real API server (in-process, real SQLite
 * store) and the real kubectl. The test plays the kubelet: it finishes
 * pods by writing their phase through pods/status.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Job, Pod } from '../../../control-plane/api/types.ts';
import { jobController } from '../../../control-plane/controllers/job.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const JOBS = findResource('batch', 'v1', 'jobs') as ResourceInfo;

function newJob(ns: string, name: string, spec: Partial<Job['spec']>): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: {
      template: {
        spec: { containers: [{ name: 'work', image: 'example/work:1' }], restartPolicy: 'Never' },
      },
      ...spec,
    },
  } as Job;
}

describe('Job controller against the real API server', () => {
  const f = useControllerFixture((f) =>
    // A short pod-failure backoff keeps the failing Job quick.
    f.startControllers([jobController({ podFailureBackoffMs: 50, podFailureBackoffMaxMs: 200 })]),
  );

  const podsOf = async (ns: string) => (await f.client.list<Pod>(PODS, { namespace: ns })).items;
  const active = (pods: Pod[]) =>
    pods.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed',
    );
  const getJob = (ns: string, name: string) => f.client.get<Job>(JOBS, name, { namespace: ns });
  const condition = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type);

  // What a kubelet reports when the pod's container exits.
  async function finish(pod: Pod, phase: 'Succeeded' | 'Failed'): Promise<void> {
    const now = new Date().toISOString();
    await f.client.updateStatus(PODS, {
      ...pod,
      status: {
        ...pod.status,
        phase,
        containerStatuses: [
          {
            name: 'work',
            image: 'example/work:1',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode: phase === 'Succeeded' ? 0 : 1,
                startedAt: now,
                finishedAt: now,
              },
            },
          },
        ],
      },
    });
  }

  // Finishes one active pod at a time until `stop`; returns the most pods ever active at once.
  async function kubelet(
    ns: string,
    phase: 'Succeeded' | 'Failed',
    stop: () => Promise<boolean>,
  ): Promise<number> {
    let most = 0;
    const deadline = Date.now() + 60_000;
    while (!(await stop())) {
      if (Date.now() > deadline) throw new Error(`timed out finishing the pods of ${ns}`);
      const running = active(await podsOf(ns));
      most = Math.max(most, running.length);
      if (running[0]) await finish(running[0], phase);
      await new Promise((r) => setTimeout(r, 30));
    }
    return most;
  }

  test('completions 3, parallelism 2: at most 2 at once, then Complete (kubectl wait sees it)', async () => {
    const ns = await f.namespace('job');
    const job = await f.client.create(JOBS, newJob(ns, 'pi', { completions: 3, parallelism: 2 }));
    const waiting = f.api.kubectl(
      '-n',
      ns,
      'wait',
      '--for=condition=complete',
      'job/pi',
      '--timeout=90s',
    );
    waiting.catch(() => undefined);
    await eventually('two pods', async () => active(await podsOf(ns)).length === 2);
    for (const p of await podsOf(ns)) {
      assert.equal(p.metadata.labels?.['job-name'], 'pi');
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-name'], 'pi');
      assert.equal(p.metadata.labels?.['controller-uid'], job.metadata.uid);
      assert.deepEqual(
        p.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
        [['Job', 'pi', job.metadata.uid, true]],
      );
    }
    const most = await kubelet(
      ns,
      'Succeeded',
      async () => !!condition(await getJob(ns, 'pi'), 'Complete'),
    );
    assert.ok(most <= 2, `${most} pods were active at once`);
    assert.match(await waiting, /job.batch\/pi condition met/);

    const finished = await getJob(ns, 'pi');
    assert.equal(finished.status?.succeeded, 3);
    assert.equal(finished.status?.active, 0);
    assert.ok(finished.status?.startTime);
    assert.ok(finished.status?.completionTime);
    assert.equal(condition(finished, 'SuccessCriteriaMet')?.status, 'True');
    assert.equal((await podsOf(ns)).length, 3);
  });

  test('pods that always fail: the Job stops at backoffLimit with a Failed condition', async () => {
    const ns = await f.namespace('job');
    await f.client.create(JOBS, newJob(ns, 'doomed', { backoffLimit: 2 }));
    await kubelet(ns, 'Failed', async () => !!condition(await getJob(ns, 'doomed'), 'Failed'));
    const failed = await getJob(ns, 'doomed');
    const c = condition(failed, 'Failed');
    assert.equal(c?.status, 'True');
    assert.equal(c?.reason, 'BackoffLimitExceeded');
    assert.equal(c?.message, 'Job has reached the specified backoff limit');
    assert.equal(failed.status?.failed, 3);
    assert.equal(failed.status?.completionTime, undefined);
    // backoffLimit 2: three attempts in all, and no more after the Job failed.
    assert.equal((await podsOf(ns)).length, 3);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await podsOf(ns)).length, 3);
  });

  test('activeDeadlineSeconds: the running pod is deleted and the Job fails DeadlineExceeded', async () => {
    const ns = await f.namespace('job');
    await f.client.create(JOBS, newJob(ns, 'slow', { activeDeadlineSeconds: 1 }));
    await eventually(
      'the Job to fail on its deadline',
      async () => !!condition(await getJob(ns, 'slow'), 'Failed'),
      30_000,
    );
    const slow = await getJob(ns, 'slow');
    assert.equal(condition(slow, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(
      condition(slow, 'Failed')?.message,
      'Job was active longer than specified deadline',
    );
    assert.equal(active(await podsOf(ns)).length, 0);
  });
});
