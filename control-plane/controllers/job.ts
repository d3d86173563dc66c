/**
 * The Job controller (Kubernetes' pkg/controller/job, NonIndexed jobs):
 * runs pods until `completions` of them succeeded, `parallelism` at a time,
 * and gives up after `backoffLimit` failed pods or `activeDeadlineSeconds`.
 *
 * - desired: the Job (completions, parallelism, backoffLimit, deadline,
 *   suspend, template) from the cache;
 * - observed: the pods it controls (after claiming orphans its selector
 *   matches), sorted into active, succeeded, failed and terminating;
 * - sync: planJob decides the pods to create or delete and the status
 *   (counts, startTime, completionTime, FailureTarget / Failed,
 *   SuccessCriteriaMet / Complete, Suspended); the writes follow, then the
 *   status when it changed.
 *
 * Pods carry the template's labels (the API server adds job-name,
 * controller-uid and their batch.kubernetes.io/ forms) and a controlling
 * ownerReference to the Job. Expectations keep a pass that runs before the
 * cache saw the last writes from repeating them.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Job, Pod } from '../api/types.ts';
import { registerOwnedPodEvents } from './job/owned-pod-events.ts';
import { isFinished, planJob, type JobSettings } from './job/plan.ts';
import { statusChanged } from './job/status-changed.ts';
import { DEFAULT_BACKOFF_MS, MAX_BACKOFF_MS } from './job/pods.ts';
import { writePodChanges } from './job/pod-writes.ts';
import { WriteExpectations } from './job/write-expectations.ts';
import { ObjectIndex } from './replicaset-index.ts';
import { applyClaim, planClaim } from './replicaset-ownership.ts';
import { controllerRef } from './replicaset-pods.ts';
import { selectorOf } from './replicaset-selector.ts';
import type { Clock } from './runtime/clock.ts';
import { TerminalError, type Result } from './runtime/controller.ts';
import type { ControllerSpec } from './runtime/spec.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const JOBS = findResource('batch', 'v1', 'jobs') as ResourceInfo;

/** Settings of the Job controller. */
export interface JobOptions {
  /** First delay before replacing a failed pod, doubled per failure. Default 10 s. */
  podFailureBackoffMs?: number;
  /** Cap of that delay. Default 6 minutes. */
  podFailureBackoffMaxMs?: number;
}

/** What reconcileJob reads and writes. */
export interface JobDeps {
  client: ApiClient;
  jobs: Informer<Job>;
  pods: ObjectIndex<Pod>;
  expectations: WriteExpectations;
  clock: Clock;
  settings: JobSettings;
  logger: Logger;
}

/** The controller with settings (a short backoff for tests). */
export function jobController(opts: JobOptions = {}): ControllerSpec {
  const settings: JobSettings = {
    backoffBaseMs: opts.podFailureBackoffMs ?? DEFAULT_BACKOFF_MS,
    backoffMaxMs: opts.podFailureBackoffMaxMs ?? MAX_BACKOFF_MS,
  };
  return {
    name: 'job',
    workers: 5,
    setup(ctx) {
      const jobs = ctx.informer<Job>(JOBS);
      const podInformer = ctx.informer<Pod>(PODS);
      const deps: JobDeps = {
        client: ctx.client,
        jobs,
        pods: new ObjectIndex(podInformer),
        expectations: new WriteExpectations({ clock: ctx.clock }),
        clock: ctx.clock,
        settings,
        logger: ctx.logger,
      };
      registerOwnedPodEvents(podInformer, {
        kind: 'Job',
        group: 'batch',
        owners: jobs,
        ownerIndex: new ObjectIndex(jobs),
        selectorOf,
        expectations: deps.expectations,
        queue: ctx.queue,
      });
      return { reconcile: (key) => reconcileJob(key, deps) };
    },
  };
}

/** The controller with Kubernetes' defaults. */
export const controller: ControllerSpec = jobController();

/** One pass for the Job with `key` ("namespace/name"); safe to repeat. */
export async function reconcileJob(key: string, d: JobDeps): Promise<Result> {
  const job = d.jobs.get(key);
  if (!job) {
    d.expectations.delete(key);
    return;
  }
  if (isFinished(job)) return;
  if (job.spec.completionMode === 'Indexed') {
    throw new TerminalError(
      `Job ${key} has completionMode Indexed, which skiff does not run yet; use NonIndexed`,
    );
  }
  const selector = selectorOf(job);
  if (!selector) throw new TerminalError(`Job ${key} has an invalid selector`);

  const ref = controllerRef(job, 'batch/v1', 'Job');
  const candidates = d.pods.inNamespace(job.metadata.namespace ?? '');
  const owned = await applyClaim(d.client, PODS, planClaim(job, selector, candidates), ref, () =>
    stillLive(d.client, job),
  );
  const canManage = d.expectations.satisfied(key) && !job.metadata.deletionTimestamp;
  const plan = planJob(job, owned, d.clock.now(), d.settings, canManage);

  const outcome = await writePodChanges(d.client, job, plan, ref, d.expectations);
  if (outcome.notCreated > 0) plan.status.active = (plan.status.active ?? 0) - outcome.notCreated;
  if (statusChanged(job.status, plan.status)) await writeStatus(d.client, job, plan.status);
  if (outcome.failure) throw new Error(`sync pods of Job ${key}: ${outcome.failure}`);
  return plan.requeueAfterMs === undefined ? undefined : { requeueAfter: plan.requeueAfterMs };
}

// The uncached re-read before adopting: a deleted or replaced Job never adopts.
async function stillLive(client: ApiClient, job: Job): Promise<boolean> {
  try {
    const fresh = await client.get<Job>(JOBS, job.metadata.name ?? '', {
      namespace: job.metadata.namespace,
    });
    return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
}

// PUT .../status from the cached Job; on a stale resourceVersion once more from a fresh read.
async function writeStatus(client: ApiClient, job: Job, status: Job['status']): Promise<void> {
  try {
    await client.updateStatus(JOBS, { ...job, status });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
    const fresh = await client.get<Job>(JOBS, job.metadata.name ?? '', {
      namespace: job.metadata.namespace,
    });
    if (fresh.metadata.uid !== job.metadata.uid || isFinished(fresh)) return;
    await client.updateStatus(JOBS, { ...fresh, status });
  }
}
