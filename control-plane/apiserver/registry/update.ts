/**
 * Updates: one read-modify-write loop (Kubernetes' GuaranteedUpdate) shared
 * by PUT, PATCH, /status, /scale, /binding and /finalize. A mutation that
 * changes nothing writes nothing; one that empties the finalizers of an
 * object being deleted removes it; a store conflict re-reads and retries
 * (a client's own stale resourceVersion is a 409 from the mutation).
 */
import { ApiError } from '../../api/errors.ts';
import { storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStoreError } from '../../store/errors.ts';
import type { ApiContext } from '../context.ts';
import { OPTIMISTIC_LOCK_MSG, rethrowFor, targetOf } from '../error-mapping.ts';
import { hooksFor } from '../kinds/index.ts';
import { clone, decodeKv, encodeForStore, sameStoredObject, withRevision } from './codec.ts';
import { finalizersOf } from './object-meta.ts';

/** Attempts before giving up on constant conflicts. */
const MAX_ATTEMPTS = 50;

/** Turns the stored object into the one to store (may throw ApiError). */
export type Mutation = (existing: KubeObject) => KubeObject | Promise<KubeObject>;

export interface UpdateTarget {
  r: ResourceInfo;
  namespace: string | undefined;
  name: string;
  dryRun: boolean;
}

export interface UpdateResult {
  object: KubeObject;
  /** True when the object did not exist and `onMissing` created it. */
  created: boolean;
}

/**
 * Applies `mutate` to the stored object and writes the result with
 * compare-and-swap. `onMissing` handles a missing object (create-on-update);
 * without it a missing object is a 404.
 */
export async function guaranteedUpdate(
  ctx: ApiContext,
  t: UpdateTarget,
  mutate: Mutation,
  onMissing?: () => Promise<KubeObject>,
): Promise<UpdateResult> {
  const key = storageKey(t.r, t.namespace, t.name);
  const target = targetOf(t.r, t.name);
  const hooks = hooksFor(t.r);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const kv = await ctx.store.get(key).catch((e) => rethrowFor(e, target));
    if (!kv) {
      if (onMissing) return { object: await onMissing(), created: true };
      throw ApiError.notFound(target);
    }
    const existing = decodeKv(kv);
    const next = await mutate(clone(existing));
    if (shouldDeleteDuringUpdate(existing, next, hooks.canFinalize)) {
      if (t.dryRun) return { object: next, created: false };
      try {
        await ctx.store.delete(key, kv.modRevision);
      } catch (err) {
        if (isStoreError(err, 'Conflict')) continue;
        if (!isStoreError(err, 'NotFound')) rethrowFor(err, target);
      }
      await hooks.afterDelete?.(ctx, next);
      return { object: next, created: false };
    }
    if (sameStoredObject(next, existing)) return { object: existing, created: false };
    const claim = await hooks.beforeWrite?.(ctx, next, existing);
    if (t.dryRun) {
      await claim?.rollback();
      return { object: next, created: false };
    }
    let rev: number;
    try {
      rev = await ctx.store.update(key, encodeForStore(next), kv.modRevision);
    } catch (err) {
      await claim?.rollback();
      if (isStoreError(err, 'Conflict') || isStoreError(err, 'NotFound')) continue;
      return rethrowFor(err, target);
    }
    await claim?.commit();
    return { object: withRevision(next, rev), created: false };
  }
  throw ApiError.conflict(target, OPTIMISTIC_LOCK_MSG);
}

/**
 * Kubernetes' ShouldDeleteDuringUpdate: no finalizers left, a delete was
 * requested, and its grace period is 0 or unset (plus the kind's own rule).
 */
function shouldDeleteDuringUpdate(
  existing: KubeObject,
  next: KubeObject,
  canFinalize: ((obj: KubeObject) => boolean) | undefined,
): boolean {
  if (finalizersOf(next).length > 0 || !existing.metadata.deletionTimestamp) return false;
  const grace = existing.metadata.deletionGracePeriodSeconds;
  if (grace !== undefined && grace !== null && grace !== 0) return false;
  return canFinalize ? canFinalize(next) : true;
}

/** 409 for a resourceVersion or uid precondition that does not hold. */
export function checkPreconditions(
  r: ResourceInfo,
  name: string,
  existing: KubeObject,
  pre: { uid?: unknown; resourceVersion?: unknown },
): void {
  const target = targetOf(r, name);
  if (typeof pre.uid === 'string' && pre.uid !== '' && pre.uid !== existing.metadata.uid) {
    throw ApiError.conflict(
      target,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
    );
  }
  const rv = pre.resourceVersion;
  if (typeof rv === 'string' && rv !== '' && rv !== existing.metadata.resourceVersion) {
    throw ApiError.conflict(target, OPTIMISTIC_LOCK_MSG);
  }
}
