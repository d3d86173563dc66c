/**
 * The arithmetic of a rolling update (Kubernetes' rolling.go and
 * NewRSNewReplicas), pure: how far the new ReplicaSet may grow within
 * maxSurge, and how far the old ones may shrink within maxUnavailable,
 * unhealthy (unavailable) old pods going first.
 */
import type { Deployment, ReplicaSet } from '../../api/types.ts';
import { desiredReplicas, maxSurge, maxUnavailable } from './fenceposts.ts';
import { byCreation, specReplicas, sumAvailableReplicas, sumSpecReplicas } from './replicasets.ts';

/** A ReplicaSet and the spec.replicas it should get. */
export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
}

/**
 * The size for the new ReplicaSet now: RollingUpdate grows it as far as
 * spec.replicas + maxSurge total allows (never past spec.replicas);
 * Recreate sizes it at spec.replicas at once.
 */
export function newReplicaSetReplicas(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRs: ReplicaSet,
): number {
  const want = desiredReplicas(d);
  if ((d.spec.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return want;
  const current = sumSpecReplicas(all);
  const maxTotal = want + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRs);
  const up = Math.min(maxTotal - current, want - specReplicas(newRs));
  return specReplicas(newRs) + up;
}

/**
 * The scale-downs of old ReplicaSets a rolling update may do now
 * (reconcileOldReplicaSets): at most allPods − minAvailable − unavailable
 * new pods; first old pods that are not available (oldest ReplicaSet
 * first), then available ones while more than minAvailable stay
 * available. One step per ReplicaSet, with its final size.
 */
export function oldReplicaSetScaleDowns(
  d: Deployment,
  oldActive: readonly ReplicaSet[],
  newRs: ReplicaSet,
): ScaleStep[] {
  if (sumSpecReplicas(oldActive) === 0) return [];
  const all = [...oldActive, newRs];
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRs) - (newRs.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpecReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const sizes = new Map<ReplicaSet, number>(oldActive.map((rs) => [rs, specReplicas(rs)]));
  const oldest = [...oldActive].sort(byCreation);
  // cleanupUnhealthyReplicas: pods that are not available block nothing when removed.
  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs) as number;
    const unhealthy = size - (rs.status?.availableReplicas ?? 0);
    if (size === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, size - n);
    cleaned += n;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available. Kubernetes
  // trusts status.availableReplicas alone here; a ReplicaSet status that lags its
  // spec could then let two passes take the same pods down, so skiff also stays
  // within maxScaledDown, the bound computed from spec.replicas.
  const available = sumAvailableReplicas(all);
  let budget = Math.min(available - minAvailable, maxScaledDown - cleaned);
  for (const rs of oldest) {
    if (budget <= 0) break;
    const size = sizes.get(rs) as number;
    if (size === 0) continue;
    const n = Math.min(size, budget);
    sizes.set(rs, size - n);
    budget -= n;
  }
  return oldest
    .filter((rs) => sizes.get(rs) !== specReplicas(rs))
    .map((rs) => ({ rs, replicas: sizes.get(rs) as number }));
}
