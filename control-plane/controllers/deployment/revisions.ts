/**
 * The annotations a Deployment writes on its ReplicaSets, which `kubectl
 * rollout history` and `kubectl rollout undo` read (Kubernetes'
 * deployment_util.go): the revision, the revisions a ReplicaSet had before
 * a rollback brought it back, the replicas it was sized for, and the
 * Deployment's own annotations (kubernetes.io/change-cause among them).
 */
import type { Deployment, ReplicaSet } from '../../api/types.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

// Never copied from a Deployment to its ReplicaSets (skipCopyAnnotation).
const SKIP_COPY = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

// maxRevHistoryLengthInChars of the controller's defaults.
const MAX_HISTORY_CHARS = 2000;

/** The revision annotation as a number; 0 when absent or not a number. */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[REVISION];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : 0;
}

/** The highest revision among `rss` (0 for none). */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/**
 * Brings the annotations of `rs` (a copy the caller will write) in line
 * with `d` for revision `revision` (SetNewReplicaSetAnnotations): copies
 * the Deployment's annotations, raises the revision (keeping the old one
 * in revision-history), and for a new ReplicaSet sets the replica
 * annotations. Returns true when something changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  revision: number,
  exists: boolean,
  maxSurge: number,
): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = copyDeploymentAnnotations(d, rs);
  const old = a[REVISION];
  const oldInt = old === undefined ? 0 : Number(old) || 0;
  if (oldInt < revision) {
    a[REVISION] = String(revision);
    changed = true;
  }
  if (old !== undefined && oldInt < revision) appendHistory(a, old);
  if (
    !exists &&
    setReplicasAnnotations(rs, d.spec.replicas ?? 1, (d.spec.replicas ?? 1) + maxSurge)
  )
    changed = true;
  return changed;
}

function appendHistory(a: Record<string, string>, old: string): void {
  const history = a[REVISION_HISTORY] ?? '';
  if (history === '') {
    a[REVISION_HISTORY] = old;
    return;
  }
  const parts = history.split(',');
  let total = history.length + old.length + 1;
  let start = 0;
  while (total > MAX_HISTORY_CHARS && start < parts.length)
    total -= (parts[start++] as string).length + 1;
  if (total <= MAX_HISTORY_CHARS) a[REVISION_HISTORY] = [...parts.slice(start), old].join(',');
}

/** Copies the Deployment's annotations (but the controller's own) onto `rs`; true when any changed. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP_COPY.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas on `rs`; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of [
    [DESIRED_REPLICAS, String(desired)],
    [MAX_REPLICAS, String(max)],
  ] as const) {
    if (a[k] !== v) {
      a[k] = v;
      changed = true;
    }
  }
  return changed;
}

/** True when desired-replicas or max-replicas of `rs` differ from these. */
export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSet,
  desired: number,
  max: number,
): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/** An annotation holding a non-negative integer, or undefined. */
export function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}
