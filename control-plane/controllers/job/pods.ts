/**
 * A Job's pods sorted by what they mean to it, and the pod-failure backoff
 * (Kubernetes' job controller: getStatus, pastBackoffLimitOnFailure,
 * backoffRecord.getRemainingTime), pure.
 *
 * Counting is by the pods present ("legacy" tracking, without the
 * job-tracking finalizer): finished pods are kept until the Job is deleted,
 * so they stay countable; the counts never go below what the Job's status
 * already recorded.
 */
import type { Job, Pod } from '../../api/types.ts';
import { isPodReady } from '../replicaset-pods.ts';

/** Kubernetes' DefaultJobPodFailureBackOff: the first delay before replacing a failed pod. */
export const DEFAULT_BACKOFF_MS = 10_000;
/** Kubernetes' MaxJobPodFailureBackOff: the cap of that delay. */
export const MAX_BACKOFF_MS = 360_000;

/** A Job's pods by what they count as. */
export interface JobPods {
  /** Neither finished nor being deleted. */
  active: Pod[];
  succeeded: Pod[];
  failed: Pod[];
  /** Being deleted and not finished. */
  terminating: Pod[];
}

/** Sorts the Job's pods (owned, of its selector) by phase and deletion. */
export function sortJobPods(pods: readonly Pod[]): JobPods {
  const out: JobPods = { active: [], succeeded: [], failed: [], terminating: [] };
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded') out.succeeded.push(p);
    else if (phase === 'Failed') out.failed.push(p);
    else if (p.metadata.deletionTimestamp) out.terminating.push(p);
    else out.active.push(p);
  }
  return out;
}

/** The active pods whose Ready condition is True. */
export function readyCount(pods: JobPods): number {
  return pods.active.filter(isPodReady).length;
}

/**
 * pastBackoffLimitOnFailure: with restartPolicy OnFailure, the container
 * restarts of the running and pending pods reach the backoffLimit (any
 * restart at all when the limit is 0).
 */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const s of [
      ...(p.status?.initContainerStatuses ?? []),
      ...(p.status?.containerStatuses ?? []),
    ]) {
      restarts += s.restartCount ?? 0;
    }
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/**
 * When a finished pod finished (ms): the latest container termination,
 * else the latest condition transition, else its start or creation time.
 */
export function finishedAtMs(pod: Pod): number {
  let best = NaN;
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) best = later(best, s.state?.terminated?.finishedAt);
  if (Number.isNaN(best))
    for (const c of pod.status?.conditions ?? []) best = later(best, c.lastTransitionTime);
  if (Number.isNaN(best)) best = later(best, pod.status?.startTime);
  if (Number.isNaN(best)) best = later(best, pod.metadata.creationTimestamp);
  return Number.isNaN(best) ? 0 : best;
}

function later(ms: number, time: string | undefined): number {
  const t = time ? Date.parse(time) : NaN;
  if (Number.isNaN(t)) return ms;
  return Number.isNaN(ms) ? t : Math.max(ms, t);
}

/**
 * How long pod creation must still wait after failures (ms; 0: create
 * now): `base` doubled for each failure since the last success, capped
 * at `max`, counted from the last failure.
 */
export function backoffLeftMs(
  pods: JobPods,
  nowMs: number,
  base = DEFAULT_BACKOFF_MS,
  max = MAX_BACKOFF_MS,
): number {
  const lastSuccess = Math.max(0, ...pods.succeeded.map(finishedAtMs));
  const failures = pods.failed.map(finishedAtMs).filter((t) => t > lastSuccess);
  if (failures.length === 0) return 0;
  let backoff = base;
  for (let i = 1; i < failures.length && backoff < max; i++) backoff *= 2;
  backoff = Math.min(backoff, max);
  const elapsed = nowMs - Math.max(...failures);
  if (elapsed < 0) return backoff;
  return Math.max(0, backoff - elapsed);
}
