/**
 * The ways a Deployment pass converges (Kubernetes' rolling.go,
 * recreate.go and sync.go), each ending in a status write:
 *
 * - rolling: grow the new ReplicaSet within maxSurge, else shrink old
 *   ones within maxUnavailable; prune history once complete;
 * - recreate: shrink every old ReplicaSet to 0, wait until their pods are
 *   gone, then create and grow the new one;
 * - scale: a paused Deployment or a changed spec.replicas is spread over
 *   the ReplicaSets without rolling (proportional scaling).
 */
import type { ReplicaSet } from '../../api/types.ts';
import type { Result } from '../runtime/controller.ts';
import { REPLICASETS } from './deps.ts';
import { desiredReplicas } from './fenceposts.ts';
import { replicaSetsToPrune } from './history.ts';
import { allReplicaSets } from './new-replicaset.ts';
import type { Pass } from './pass.ts';
import { scaleSteps } from './proportional.ts';
import { activeReplicaSets, specReplicas, sumActualReplicas } from './replicasets.ts';
import { DESIRED_REPLICAS, intAnnotation } from './revisions.ts';
import { newReplicaSetReplicas, oldReplicaSetScaleDowns } from './rolling.ts';
import {
  calculateStatus,
  deploymentComplete,
  rolloutStatus,
  statusDiffers,
  stuckRequeueMs,
} from './status.ts';

/** RollingUpdate: one step of surge or scale-down per pass. */
export async function rolloutRolling(pass: Pass): Promise<Result> {
  const { newRs, oldRss } = await allReplicaSets(pass, true);
  if (!newRs) throw new Error(`deployment ${pass.d.metadata.name ?? ''}: no new replica set`);
  const want = desiredReplicas(pass.d);
  let scaled: boolean;
  if (specReplicas(newRs) > want) scaled = await pass.scaleIfNeeded(newRs, want);
  else if (specReplicas(newRs) === want) scaled = false;
  else {
    const all = [...oldRss, newRs];
    scaled = await pass.scaleIfNeeded(newRs, newReplicaSetReplicas(pass.d, all, newRs));
  }
  if (!scaled) {
    const steps = oldReplicaSetScaleDowns(pass.d, activeReplicaSets(oldRss), newRs);
    for (const s of steps) await pass.scaleIfNeeded(s.rs, s.replicas);
    scaled = steps.length > 0;
  }
  if (!scaled && deploymentComplete(pass.d, pass.d.status ?? {})) await prune(pass, oldRss);
  return syncRolloutStatus(pass, oldRss, newRs);
}

/** Recreate: old pods all gone before the new ReplicaSet gets any. */
export async function rolloutRecreate(pass: Pass): Promise<Result> {
  let { newRs, oldRss } = await allReplicaSets(pass, false);
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRss))
    scaledDown = (await pass.scaleIfNeeded(rs, 0)) || scaledDown;
  if (scaledDown || oldPodsRunning(pass, newRs, oldRss))
    return syncRolloutStatus(pass, oldRss, newRs);
  if (!newRs) ({ newRs, oldRss } = await allReplicaSets(pass, true));
  if (newRs) await pass.scaleIfNeeded(newRs, desiredReplicas(pass.d));
  if (deploymentComplete(pass.d, pass.d.status ?? {})) await prune(pass, oldRss);
  return syncRolloutStatus(pass, oldRss, newRs);
}

/** Paused or resized: proportional scaling, history pruning while paused, then counts. */
export async function syncScale(pass: Pass): Promise<Result> {
  const { newRs, oldRss } = await allReplicaSets(pass, false);
  for (const s of scaleSteps(pass.d, newRs, oldRss)) await pass.scale(s.rs, s.replicas);
  if (pass.d.spec.paused) await prune(pass, oldRss);
  return syncStatusOnly(pass, oldRss, newRs);
}

/** Writes the counts and Available (no Progressing verdict), if they changed. */
export async function syncStatusOnly(
  pass: Pass,
  oldRss: readonly ReplicaSet[],
  newRs: ReplicaSet | undefined,
): Promise<Result> {
  const all = [...oldRss, newRs].map((rs) => pass.fresh(rs)).filter((rs) => rs !== undefined);
  const status = calculateStatus(pass.d, all, pass.fresh(newRs), pass.now());
  if (statusDiffers(pass.d.status, status)) await pass.writeStatus(status);
}

/** True when some ReplicaSet sized for other replicas than spec.replicas (isScalingEvent). */
export async function isScalingEvent(pass: Pass): Promise<boolean> {
  const { newRs, oldRss } = await allReplicaSets(pass, false);
  const want = desiredReplicas(pass.d);
  return activeReplicaSets([...oldRss, newRs]).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS);
    return desired !== undefined && desired !== want;
  });
}

async function syncRolloutStatus(
  pass: Pass,
  oldRss: readonly ReplicaSet[],
  newRs: ReplicaSet | undefined,
): Promise<Result> {
  const fresh = pass.fresh(newRs);
  const all = [...oldRss.map((rs) => pass.fresh(rs)), ...(fresh ? [fresh] : [])];
  const now = pass.now();
  const status = rolloutStatus(pass.d, all, fresh, now);
  if (statusDiffers(pass.d.status, status)) {
    await pass.writeStatus(status);
    return;
  }
  const wait = stuckRequeueMs(pass.d, status, now);
  return wait === undefined ? undefined : { requeueAfter: wait };
}

// Old ReplicaSets or their pods still exist (a pod of any phase but finished counts).
function oldPodsRunning(
  pass: Pass,
  newRs: ReplicaSet | undefined,
  oldRss: readonly ReplicaSet[],
): boolean {
  if (sumActualReplicas(oldRss.map((rs) => pass.fresh(rs))) > 0) return true;
  return pass
    .replicaSets()
    .filter((rs) => rs.metadata.uid !== newRs?.metadata.uid)
    .some((rs) =>
      pass.deps.pods
        .ownedBy(rs.metadata.uid ?? '')
        .some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'),
    );
}

async function prune(pass: Pass, oldRss: readonly ReplicaSet[]): Promise<void> {
  for (const rs of replicaSetsToPrune(
    pass.d,
    oldRss.map((x) => pass.fresh(x)),
  )) {
    pass.deps.logger.info('Deleting old replica set beyond revisionHistoryLimit', {
      deployment: pass.d.metadata.name,
      replicaSet: rs.metadata.name,
    });
    await pass.deps.client
      .delete(REPLICASETS, rs.metadata.name ?? '', {
        namespace: rs.metadata.namespace,
        preconditions: { uid: rs.metadata.uid },
      })
      .catch((err: unknown) => {
        if (!(err instanceof Error && 'code' in err && (err.code === 404 || err.code === 409)))
          throw err;
      });
  }
}
