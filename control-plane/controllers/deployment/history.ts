/**
 * revisionHistoryLimit (cleanupDeployment of Kubernetes' sync.go), pure:
 * of the old ReplicaSets beyond the limit, the lowest revisions go, but
 * only those scaled to 0 with no pods left, whose status is current and
 * that are not already being deleted.
 */
import type { Deployment, ReplicaSet } from '../../api/types.ts';
import { byRevision, specReplicas } from './replicasets.ts';

/** The old ReplicaSets to delete now. */
export function replicaSetsToPrune(d: Deployment, oldRss: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined) return [];
  const alive = oldRss.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return [...alive]
    .sort(byRevision)
    .slice(0, diff)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        specReplicas(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}
