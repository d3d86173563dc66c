/**
 * One sync of a Job as a pure decision (Kubernetes' syncJob + manageJob
 * for NonIndexed jobs): given the Job and its pods at `now`, the pods to
 * create, the active pods to delete, the status to write, and when to look
 * again.
 *
 * - failed pods beyond backoffLimit (or OnFailure restarts reaching it), or
 *   activeDeadlineSeconds passed: FailureTarget, active pods deleted, then
 *   Failed once none is left (reason BackoffLimitExceeded /
 *   DeadlineExceeded);
 * - completions reached with nothing active (or, without completions, a
 *   success and nothing active): SuccessCriteriaMet, then Complete and
 *   completionTime once no pod is terminating;
 * - otherwise active pods are kept at min(parallelism, completions left),
 *   creations waiting out the pod-failure backoff; a suspended Job has none.
 */
import type { Job, JobCondition, JobStatus, Pod } from '../../api/types.ts';
import { isPodReady, podsToDelete } from '../replicaset-pods.ts';
import { backoffLeftMs, pastBackoffLimitOnFailure, readyCount, sortJobPods } from './pods.ts';

/** Kubernetes' MaxPodCreateDeletePerSync. */
export const MAX_PODS_PER_SYNC = 500;

/** The controller-wide timing a Job sync uses. */
export interface JobSettings {
  /** First pod-failure backoff, doubled per failure. Default 10 s. */
  backoffBaseMs: number;
  /** Cap of the pod-failure backoff. Default 6 minutes. */
  backoffMaxMs: number;
}

/** What one Job sync does. */
export interface JobPlan {
  /** Pods to create from the template now. */
  create: number;
  /** Active pods to delete now. */
  remove: Pod[];
  /** The status to write (written only when it differs from the Job's). */
  status: JobStatus;
  /** Sync again after this many ms (a backoff or a deadline ahead). */
  requeueAfterMs?: number;
}

/** True once the Job has a Complete or Failed condition: nothing more is done for it. */
export function isFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

/**
 * The sync of `job` with its `pods` at `nowMs`. `canManage` is false while
 * earlier creates or deletes are not yet in the cache (expectations) or the
 * Job is being deleted: then no pod is created or deleted and the Job is not
 * declared finished.
 */
export function planJob(
  job: Job,
  pods: readonly Pod[],
  nowMs: number,
  settings: JobSettings,
  canManage: boolean,
): JobPlan {
  const prev = job.status ?? {};
  if (isFinished(job)) return { create: 0, remove: [], status: prev };
  const now = new Date(nowMs).toISOString();
  const sorted = sortJobPods(pods);
  const suspended = job.spec.suspend === true;
  let conditions = [...(prev.conditions ?? [])];
  let startTime = prev.startTime;
  const suspendedBefore = conditions.some((c) => c.type === 'Suspended' && c.status === 'True');
  if (!suspended && suspendedBefore) {
    conditions = setCondition(
      conditions,
      cond('Suspended', 'False', 'JobResumed', 'Job resumed', now),
    );
    startTime = now; // activeDeadlineSeconds counts continuous activity
  }
  if (!startTime && !suspended) startTime = now;

  const succeeded = Math.max(prev.succeeded ?? 0, sorted.succeeded.length);
  const failed = Math.max(prev.failed ?? 0, sorted.failed.length);
  const waits: number[] = [];
  let target = conditions.find(
    (c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True',
  );
  if (!target && (failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods))) {
    target = cond(
      'FailureTarget',
      'True',
      'BackoffLimitExceeded',
      'Job has reached the specified backoff limit',
      now,
    );
  }
  const deadline = job.spec.activeDeadlineSeconds;
  if (!target && deadline !== undefined && !suspended && startTime) {
    const left = Date.parse(startTime) + deadline * 1000 - nowMs;
    if (left <= 0) {
      target = cond(
        'FailureTarget',
        'True',
        'DeadlineExceeded',
        'Job was active longer than specified deadline',
        now,
      );
    } else waits.push(left);
  }

  let remove: Pod[] = [];
  let create = 0;
  // A Job that failed, met its success criteria or is suspended keeps no pod running.
  if (canManage && (target || suspended)) remove = sorted.active;
  else if (canManage && !target) {
    const want = wantActive(job, sorted.active.length, succeeded);
    const surplus = sorted.active.length - want;
    if (surplus > 0) {
      remove = podsToDelete(sorted.active, sorted.active, Math.min(surplus, MAX_PODS_PER_SYNC));
    } else if (want > sorted.active.length) {
      const wait = backoffLeftMs(sorted, nowMs, settings.backoffBaseMs, settings.backoffMaxMs);
      if (wait > 0) waits.push(wait);
      else create = Math.min(want - sorted.active.length, MAX_PODS_PER_SYNC);
    }
  }
  const active = sorted.active.length - remove.length + create;
  const terminating = sorted.terminating.length + remove.length;
  if (canManage && !target && !suspended && active === 0) {
    const completions = job.spec.completions;
    const done = completions === undefined ? succeeded > 0 : succeeded >= completions;
    if (done) {
      target = cond(
        'SuccessCriteriaMet',
        'True',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
        now,
      );
    }
  }
  if (suspended && !target && canManage) {
    conditions = setCondition(
      conditions,
      cond('Suspended', 'True', 'JobSuspended', 'Job suspended', now),
    );
  }

  let completionTime = prev.completionTime;
  if (target) {
    conditions = setCondition(conditions, target);
    if (canManage && active === 0 && terminating === 0) {
      const failedJob = target.type === 'FailureTarget';
      const terminal = failedJob ? 'Failed' : 'Complete';
      conditions = setCondition(
        conditions,
        cond(terminal, 'True', target.reason ?? '', target.message ?? '', now),
      );
      if (!failedJob) completionTime = now;
    }
  }
  const removedReady = remove.filter(isPodReady).length;
  const status: JobStatus = {
    ...prev,
    conditions,
    active,
    succeeded,
    failed,
    ready: readyCount(sorted) - removedReady,
    terminating,
    uncountedTerminatedPods: {},
  };
  if (startTime) status.startTime = startTime;
  if (completionTime) status.completionTime = completionTime;
  if (conditions.length === 0) delete status.conditions;
  const plan: JobPlan = { create, remove, status };
  if (waits.length > 0) plan.requeueAfterMs = Math.max(1, Math.min(...waits));
  return plan;
}

// manageJob's wantActive.
function wantActive(job: Job, active: number, succeeded: number): number {
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  // Without completions, one success ends the Job: let what runs finish, start nothing.
  if (completions === undefined) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(parallelism, completions - succeeded));
}

function cond(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): JobCondition {
  return { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
}

// Replaces the condition of the same type unless it already has this status (ensureJobConditionStatus).
function setCondition(conditions: JobCondition[], c: JobCondition): JobCondition[] {
  const old = conditions.find((x) => x.type === c.type);
  if (old && old.status === c.status) return conditions;
  return [...conditions.filter((x) => x.type !== c.type), c];
}
