/**
 * Ownership through ownerReferences, as Kubernetes' ControllerRefManager
 * (ClaimPods / ClaimReplicaSets): an owner claims the objects its selector
 * matches. Used by the ReplicaSet controller for pods and by the
 * Deployment controller for ReplicaSets.
 *
 * - owned by this owner and still matching: kept;
 * - owned by this owner but no longer matching: released (the
 *   ownerReference removed), unless the owner is being deleted;
 * - orphan (no controlling owner), matching, neither being deleted: adopted;
 * - owned by another controller: never touched.
 */
import type { ApiClient } from '../api/client/client.ts';
import { ApiError } from '../api/errors.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { matchesLabels, type LabelSelectorRequirement } from '../api/selectors.ts';
import type { KubeObject, OwnerReference } from '../api/types.ts';

/** What claiming decided: objects owned now, and the writes that make it so. */
export interface ClaimPlan<T extends KubeObject> {
  /** Already controlled by the owner and matching. */
  owned: T[];
  /** Orphans to adopt; owned once the patch succeeds. */
  adopt: T[];
  /** Controlled by the owner but no longer matching. */
  release: T[];
}

/** Decides ownership of `candidates` (objects of the owner's namespace) for `owner`. */
export function planClaim<T extends KubeObject>(
  owner: KubeObject,
  selector: readonly LabelSelectorRequirement[],
  candidates: readonly T[],
): ClaimPlan<T> {
  const plan: ClaimPlan<T> = { owned: [], adopt: [], release: [] };
  const uid = owner.metadata.uid;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  for (const obj of candidates) {
    const ref = controllingRef(obj);
    const matches = matchesLabels(selector, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) plan.owned.push(obj);
      else if (!ownerDeleting) plan.release.push(obj);
      continue;
    }
    if (matches && !ownerDeleting && !obj.metadata.deletionTimestamp) plan.adopt.push(obj);
  }
  return plan;
}

/** The ownerReference with controller: true, if any. */
export function controllingRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * Carries out a plan: adopts (strategic-merge patch adding `ref`, with the
 * object's uid as precondition) and releases (patch deleting the
 * reference). Returns the owned objects, including those adopted. Objects
 * gone meanwhile (404) or changed under us (409) are skipped: the next
 * reconcile sees them again. Before adopting, `recheck` must confirm the
 * owner is still live (Kubernetes re-reads it uncached, so a deleted owner
 * never adopts).
 */
export async function applyClaim<T extends KubeObject>(
  client: ApiClient,
  r: ResourceInfo,
  plan: ClaimPlan<T>,
  ref: OwnerReference,
  recheck: () => Promise<boolean>,
): Promise<T[]> {
  const owned = [...plan.owned];
  if (plan.adopt.length > 0 && (await recheck())) {
    for (const obj of plan.adopt) {
      const patch = { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
      const adopted = await tolerateGone(() => patchObject<T>(client, r, obj, patch));
      if (adopted) owned.push(adopted);
    }
  }
  for (const obj of plan.release) {
    const patch = {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: ref.uid }], uid: obj.metadata.uid },
    };
    await tolerateGone(() => patchObject<T>(client, r, obj, patch));
  }
  return owned;
}

function patchObject<T extends KubeObject>(
  client: ApiClient,
  r: ResourceInfo,
  obj: KubeObject,
  patch: unknown,
): Promise<T> {
  return client.patch<T>(r, obj.metadata.name ?? '', patch, {
    type: 'strategic',
    namespace: obj.metadata.namespace,
  });
}

// NotFound: gone. Conflict/Invalid on the uid precondition: replaced by a namesake.
async function tolerateGone<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && (err.code === 404 || err.code === 409 || err.code === 422))
      return undefined;
    throw err;
  }
}
