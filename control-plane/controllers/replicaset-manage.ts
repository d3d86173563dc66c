/**
 * manageReplicas of Kubernetes' ReplicaSet controller: the writes that
 * bring a ReplicaSet's active pods to spec.replicas. Creates go out in
 * slow-start batches (1, 2, 4 ...) and stop at the first failing batch;
 * deletes take the pods ActivePods ranks first, all at once. At most
 * BURST_REPLICAS of either per pass. Expectations are set before the
 * writes and lowered for writes that failed or never went out.
 */
import { objectKey } from '../api/client/informer-cache.ts';
import { ApiError } from '../api/errors.ts';
import type { Pod, ReplicaSet } from '../api/types.ts';
import { PODS, type ReplicaSetDeps } from './replicaset-deps.ts';
import { errorText, isNamespaceTerminating } from './runtime/api-answers.ts';
import {
  BURST_REPLICAS,
  controllerRef,
  isPodActive,
  podFromTemplate,
  podsToDelete,
  slowStartBatches,
} from './replicaset-pods.ts';
import type { ManageFailure } from './replicaset-status.ts';

/** Creates or deletes pods of `rs` given the `owned` active pods; a failure is returned, not thrown. */
export async function manageReplicas(
  rs: ReplicaSet,
  owned: readonly Pod[],
  d: ReplicaSetDeps,
): Promise<ManageFailure | undefined> {
  const key = objectKey(rs);
  const diff = owned.length - (rs.spec.replicas ?? 1);
  if (diff < 0) return createPods(rs, Math.min(-diff, BURST_REPLICAS), key, d);
  if (diff > 0) return deletePods(rs, owned, Math.min(diff, BURST_REPLICAS), key, d);
  return undefined;
}

async function createPods(
  rs: ReplicaSet,
  count: number,
  key: string,
  d: ReplicaSetDeps,
): Promise<ManageFailure | undefined> {
  const ns = rs.metadata.namespace ?? '';
  const pod = podFromTemplate(
    rs.spec.template ?? { spec: { containers: [] } },
    ns,
    rs.metadata.name ?? '',
    controllerRef(rs, 'apps/v1', 'ReplicaSet'),
  );
  d.expectations.expectCreations(key, count);
  let created = 0;
  let failure: unknown;
  for (const size of slowStartBatches(count)) {
    const results = await Promise.allSettled(
      Array.from({ length: size }, () => d.client.create(PODS, structuredClone(pod))),
    );
    for (const r of results) {
      if (r.status === 'fulfilled' || isNamespaceTerminating(r.reason)) created++;
      else failure ??= r.reason;
    }
    if (failure !== undefined) break;
  }
  // The informer will never see the pods that failed or were not attempted.
  for (let i = created; i < count; i++) d.expectations.creationObserved(key);
  if (failure === undefined) return undefined;
  return { reason: 'FailedCreate', message: errorText(failure) };
}

async function deletePods(
  rs: ReplicaSet,
  owned: readonly Pod[],
  count: number,
  key: string,
  d: ReplicaSetDeps,
): Promise<ManageFailure | undefined> {
  const victims = podsToDelete(owned, relatedPods(rs, d), count);
  d.expectations.expectDeletions(key, victims.map(objectKey));
  const results = await Promise.allSettled(
    victims.map((p) =>
      d.client.delete(PODS, p.metadata.name ?? '', {
        namespace: p.metadata.namespace,
        preconditions: { uid: p.metadata.uid },
      }),
    ),
  );
  let failure: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    d.expectations.deletionObserved(key, objectKey(victims[i] as Pod));
    const gone = r.reason instanceof ApiError && (r.reason.code === 404 || r.reason.code === 409);
    if (!gone) failure ??= r.reason;
  });
  if (failure === undefined) return undefined;
  return { reason: 'FailedDelete', message: errorText(failure) };
}

// The active pods of this ReplicaSet and of its siblings (same controlling owner).
function relatedPods(rs: ReplicaSet, d: ReplicaSetDeps): Pod[] {
  const owner = rs.metadata.ownerReferences?.find((r) => r.controller === true);
  const siblings = owner ? d.replicaSetIndex.ownedBy(owner.uid) : [rs];
  return siblings.flatMap((s) => d.pods.ownedBy(s.metadata.uid ?? '')).filter(isPodActive);
}
