/**
 * Scaling a Deployment whose replicas changed (or that is paused) without
 * rolling: Kubernetes' DeploymentController.scale, pure. With one active
 * ReplicaSet it takes the new size; a saturated new ReplicaSet lets the
 * old ones go to 0; during a rolling update the change is spread over the
 * active ReplicaSets in proportion to their size (by their max-replicas
 * annotation), the rounding leftover going to the largest (scaling up) or
 * taken from the smallest (scaling down).
 */
import type { Deployment, ReplicaSet } from '../../api/types.ts';
import { desiredReplicas, isRollingUpdate, maxSurge } from './fenceposts.ts';
import {
  activeOrLatest,
  activeReplicaSets,
  byCreation,
  isSaturated,
  specReplicas,
  sumSpecReplicas,
} from './replicasets.ts';
import { MAX_REPLICAS, intAnnotation } from './revisions.ts';
import type { ScaleStep } from './rolling.ts';

/** The sizes to write; every step also refreshes the replicas annotations. */
export function scaleSteps(
  d: Deployment,
  newRs: ReplicaSet | undefined,
  oldRss: readonly ReplicaSet[],
): ScaleStep[] {
  const want = desiredReplicas(d);
  const only = activeOrLatest(newRs, oldRss);
  if (only) return specReplicas(only) === want ? [] : [{ rs: only, replicas: want }];
  if (isSaturated(d, newRs)) return activeReplicaSets(oldRss).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];

  const all = activeReplicaSets([...oldRss, newRs]);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(all);
  // Larger first, newer first among equals when growing; older first when shrinking.
  const ordered = [...all].sort((a, b) => {
    const bySize = specReplicas(b) - specReplicas(a);
    if (bySize !== 0) return bySize;
    return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
  });
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of ordered) {
    const p = toAdd === 0 ? 0 : proportion(rs, d, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  const first = ordered[0];
  if (first && added !== toAdd)
    sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  return ordered.map((rs) => ({ rs, replicas: sizes.get(rs) as number }));
}

// GetProportion: this ReplicaSet's share of the change, bounded by what is left.
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const want = desiredReplicas(d);
  if (want === 0) return -specReplicas(rs);
  const deploymentReplicas = want + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const size = (specReplicas(rs) * deploymentReplicas) / annotated;
  return roundHalfAway(size) - specReplicas(rs);
}

// Go's math.Round: halves away from zero.
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
