/**
 * A Deployment's status from its ReplicaSets (calculateStatus and
 * syncRolloutStatus of Kubernetes' sync.go), pure, so that `kubectl
 * rollout status` reads what it expects: observedGeneration, replicas,
 * updatedReplicas, ready/available/unavailableReplicas, Available by
 * maxUnavailable, and Progressing through ReplicaSetUpdated to
 * NewReplicaSetAvailable, or ProgressDeadlineExceeded when
 * progressDeadlineSeconds pass without progress.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.ts';
import {
  MIN_AVAILABLE,
  MIN_UNAVAILABLE,
  NEW_RS_AVAILABLE,
  RS_UPDATED,
  TIMED_OUT,
  getCondition,
  lastUpdateMs,
  newCondition,
  removeCondition,
  setCondition,
} from './conditions.ts';
import { desiredReplicas, maxUnavailable } from './fenceposts.ts';
import {
  sumActualReplicas,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumSpecReplicas,
} from './replicasets.ts';

/** Counts and the Available condition (calculateStatus); other conditions carried over. */
export function calculateStatus(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRs: ReplicaSet | undefined,
  nowMs: number,
): DeploymentStatus {
  const available = sumAvailableReplicas(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sumActualReplicas(all),
    updatedReplicas: sumActualReplicas([newRs]),
    readyReplicas: sumReadyReplicas(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpecReplicas(all) - available),
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  const ok = available >= desiredReplicas(d) - maxUnavailable(d);
  setCondition(
    status,
    ok
      ? newCondition(
          'Available',
          'True',
          MIN_AVAILABLE,
          'Deployment has minimum availability.',
          nowMs,
        )
      : newCondition(
          'Available',
          'False',
          MIN_UNAVAILABLE,
          'Deployment does not have minimum availability.',
          nowMs,
        ),
  );
  return status;
}

/** A progress deadline is set (and not the "never" value). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** All replicas updated, existing and available, and the generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (
    s.updatedReplicas === want &&
    s.replicas === want &&
    s.availableReplicas === want &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** The new status shows progress over the stored one (DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress since the Progressing condition's lastUpdateTime for the deadline. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === NEW_RS_AVAILABLE) return false;
  if (c.reason === TIMED_OUT) return true;
  return lastUpdateMs(c) + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/** The status syncRolloutStatus writes: calculateStatus plus the Progressing verdict. */
export function rolloutStatus(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRs: ReplicaSet | undefined,
  nowMs: number,
): DeploymentStatus {
  const s = calculateStatus(d, all, newRs, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const cur = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === NEW_RS_AVAILABLE;
  if (hasProgressDeadline(d) && !complete) {
    const name = newRs?.metadata.name;
    const what = name ? `ReplicaSet "${name}"` : `Deployment "${d.metadata.name ?? ''}"`;
    if (deploymentComplete(d, s)) {
      setCondition(
        s,
        newCondition(
          'Progressing',
          'True',
          NEW_RS_AVAILABLE,
          `${what} has successfully progressed.`,
          nowMs,
        ),
      );
    } else if (deploymentProgressing(d, s)) {
      // Progress refreshes lastUpdateTime even with the same reason (the deadline restarts).
      const c = newCondition('Progressing', 'True', RS_UPDATED, `${what} is progressing.`, nowMs);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, 'Progressing');
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, nowMs)) {
      setCondition(
        s,
        newCondition(
          'Progressing',
          'False',
          TIMED_OUT,
          `${what} has timed out progressing.`,
          nowMs,
        ),
      );
    }
  }
  const failure = replicaFailure(all, newRs);
  if (failure) setCondition(s, failure);
  else removeCondition(s, 'ReplicaFailure');
  return s;
}

// The new ReplicaSet's ReplicaFailure, else any old one's (getReplicaFailures).
function replicaFailure(all: readonly ReplicaSet[], newRs: ReplicaSet | undefined) {
  const of = (rs: ReplicaSet | undefined) =>
    rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const found = of(newRs) ?? all.map(of).find((c) => c !== undefined);
  if (!found) return undefined;
  return {
    type: 'ReplicaFailure',
    status: found.status,
    reason: found.reason,
    message: found.message,
    lastUpdateTime: found.lastTransitionTime,
    lastTransitionTime: found.lastTransitionTime,
  };
}

/**
 * When to look again so a stalled rollout is marked timed out
 * (requeueStuckDeployment): ms until the deadline passes, or undefined
 * when there is no deadline, the rollout is complete or already timed out.
 */
export function stuckRequeueMs(
  d: Deployment,
  s: DeploymentStatus,
  nowMs: number,
): number | undefined {
  const c = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, s) || c.reason === TIMED_OUT) return undefined;
  const after = lastUpdateMs(c) + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - nowMs;
  return Math.max(1000, after + 1000);
}

/**
 * True when the two statuses differ in anything but condition timestamps
 * that would be rewritten anyway (reflect.DeepEqual on the result).
 */
export function statusDiffers(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return JSON.stringify(normalize(a ?? {})) !== JSON.stringify(normalize(b));
}

function normalize(s: DeploymentStatus): unknown {
  return {
    observedGeneration: s.observedGeneration ?? 0,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    collisionCount: s.collisionCount,
    conditions: [...(s.conditions ?? [])]
      .sort((x, y) => (x.type < y.type ? -1 : 1))
      .map((c) => [c.type, c.status, c.reason, c.message, c.lastUpdateTime, c.lastTransitionTime]),
  };
}
