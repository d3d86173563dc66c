/**
 * A Deployment's view of its ReplicaSets (Kubernetes' deployment_util.go),
 * pure: which one is new (its template equals the Deployment's), which are
 * old, sums over them, and the orderings the algorithms use.
 */
import type { Deployment, ReplicaSet } from '../../api/types.ts';
import { equalIgnoreHash } from './hash.ts';
import { DESIRED_REPLICAS, intAnnotation, revisionOf } from './revisions.ts';

/** spec.replicas of a ReplicaSet (API default 1). */
export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;

/** Oldest first; equal times by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return Date.parse(ta) - Date.parse(tb);
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** Lowest revision first; equal revisions by creation (ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreation(a, b);
}

/** The oldest ReplicaSet whose template equals the Deployment's, ignoring the hash label. */
export function findNewReplicaSet(
  d: Deployment,
  rss: readonly ReplicaSet[],
): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one, and those of them that still have replicas. */
export function findOldReplicaSets(
  d: Deployment,
  rss: readonly ReplicaSet[],
): { all: ReplicaSet[]; withReplicas: ReplicaSet[] } {
  const uid = findNewReplicaSet(d, rss)?.metadata.uid;
  const all = rss.filter((rs) => uid === undefined || rs.metadata.uid !== uid);
  return { all, withReplicas: all.filter((rs) => specReplicas(rs) !== 0) };
}

/** The ReplicaSets with spec.replicas above 0. */
export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

/** Σ spec.replicas. */
export function sumSpecReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
}

/** Σ status.replicas (pods that exist). */
export function sumActualReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

/** Σ status.readyReplicas. */
export function sumReadyReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/** Σ status.availableReplicas. */
export function sumAvailableReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/**
 * The one ReplicaSet with replicas, or when none has any the newest
 * (FindActiveOrLatest); undefined when several have replicas.
 */
export function activeOrLatest(
  newRs: ReplicaSet | undefined,
  oldRss: readonly ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRs && oldRss.length === 0) return undefined;
  const newestFirst = [...oldRss].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRs]);
  if (active.length === 0) return newRs ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** The new ReplicaSet runs all the Deployment's replicas, all available (IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = d.spec.replicas ?? 1;
  return (
    intAnnotation(rs, DESIRED_REPLICAS) === want &&
    specReplicas(rs) === want &&
    (rs.status?.availableReplicas ?? 0) === want
  );
}
