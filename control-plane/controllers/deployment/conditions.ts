/**
 * Deployment conditions with the reasons and messages kubectl and users
 * read (Kubernetes' deployment_util.go): Available and Progressing, and
 * the helpers that set them without moving lastTransitionTime when only
 * the message or reason changes.
 */
import type { DeploymentStatus } from '../../api/types.ts';

export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

// Progressing reasons.
export const NEW_RS_CREATED = 'NewReplicaSetCreated';
export const FOUND_NEW_RS = 'FoundNewReplicaSet';
export const RS_UPDATED = 'ReplicaSetUpdated';
export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const TIMED_OUT = 'ProgressDeadlineExceeded';
export const FAILED_RS_CREATE = 'ReplicaSetCreateError';
export const PAUSED = 'DeploymentPaused';
export const RESUMED = 'DeploymentResumed';
// Available reasons.
export const MIN_AVAILABLE = 'MinimumReplicasAvailable';
export const MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** A condition stamped `nowMs` for both times (NewDeploymentCondition). */
export function newCondition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  nowMs: number,
): DeploymentCondition {
  const t = new Date(nowMs).toISOString();
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** The condition of `type`, if present. */
export function getCondition(
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets `c` on `status` (SetDeploymentCondition): no change when status and
 * reason are the same; lastTransitionTime kept when only the reason changes.
 */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next =
    cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

/** Removes the condition of `type`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** Milliseconds of a condition's lastUpdateTime (0 when absent). */
export function lastUpdateMs(c: DeploymentCondition): number {
  const t = typeof c.lastUpdateTime === 'string' ? Date.parse(c.lastUpdateTime) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
