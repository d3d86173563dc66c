/**
 * delete, following Kubernetes' generic registry (Store.Delete):
 * - preconditions (uid, resourceVersion) → 409;
 * - graceful kinds (pods) get deletionTimestamp + deletionGracePeriodSeconds
 *   and stay until a delete with a grace period of 0 (the kubelet's);
 *   a shorter grace period shortens a pending one, a longer one is ignored;
 * - propagationPolicy Orphan / Foreground adds the `orphan` /
 *   `foregroundDeletion` finalizer (the garbage collector acts on them);
 * - with finalizers, the object gets deletionTimestamp and stays until an
 *   update empties them (see update.ts);
 * - otherwise the object leaves the store at once.
 * Answers the object (pods, services, ...) or a Status Success, as Kubernetes.
 */
import { ApiError } from '../../api/errors.ts';
import { storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStoreError } from '../../store/errors.ts';
import { timestamp, type ApiContext } from '../context.ts';
import { rethrowFor, targetOf } from '../error-mapping.ts';
import { hooksFor } from '../kinds/index.ts';
import { clone, decodeKv, encodeForStore, sameStoredObject, withRevision } from './codec.ts';
import type { DeleteOpts } from './hooks.ts';
import { finalizersOf } from './object-meta.ts';
import { successStatus } from './status.ts';

const MAX_ATTEMPTS = 50;
const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

export interface DeleteRequest {
  r: ResourceInfo;
  namespace: string | undefined;
  name: string;
  opts: DeleteOpts;
}

/** What a delete answers: the object or a Status, and whether it left the store. */
export interface DeleteResult {
  body: unknown;
  deleted: boolean;
}

export async function deleteObject(ctx: ApiContext, req: DeleteRequest): Promise<DeleteResult> {
  const { r, name, opts } = req;
  const key = storageKey(r, req.namespace, name);
  const target = targetOf(r, name);
  const hooks = hooksFor(r);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const kv = await ctx.store.get(key).catch((e) => rethrowFor(e, target));
    if (!kv) throw ApiError.notFound(target);
    const existing = decodeKv(kv);
    checkDeletePreconditions(r, name, existing, opts);
    hooks.checkDelete?.(existing);
    let plan: Plan;
    if (hooks.delete) {
      const custom = await hooks.delete(ctx, clone(existing), opts);
      plan =
        custom === 'delete-now'
          ? planDelete(ctx, r, existing, opts)
          : { kind: 'update', next: custom };
    } else {
      plan = planDelete(ctx, r, existing, opts);
    }
    if (plan.kind === 'pending') return { body: answer(r, existing), deleted: false };
    if (plan.kind === 'update') {
      if (opts.dryRun || sameStoredObject(plan.next, existing))
        return { body: plan.next, deleted: false };
      try {
        const rev = await ctx.store.update(key, encodeForStore(plan.next), kv.modRevision);
        return { body: withRevision(plan.next, rev), deleted: false };
      } catch (err) {
        if (isStoreError(err, 'Conflict')) continue;
        return rethrowFor(err, target);
      }
    }
    if (opts.dryRun) return { body: answer(r, existing), deleted: true };
    try {
      const res = await ctx.store.delete(key, kv.modRevision);
      const gone = withRevision(existing, res.revision);
      await hooks.afterDelete?.(ctx, gone);
      return { body: answer(r, gone), deleted: true };
    } catch (err) {
      if (isStoreError(err, 'Conflict')) continue;
      return rethrowFor(err, target);
    }
  }
  throw ApiError.conflict(target, 'the object kept changing during the delete; try again');
}

type Plan = { kind: 'pending' } | { kind: 'update'; next: KubeObject } | { kind: 'delete' };

/** Decides what a delete does to `existing` (BeforeDelete + updateForGracefulDeletionAndFinalizers). */
function planDelete(
  ctx: ApiContext,
  r: ResourceInfo,
  existing: KubeObject,
  opts: DeleteOpts,
): Plan {
  const next = clone(existing);
  const meta = next.metadata;
  const now = ctx.now();
  let grace: number | undefined;
  if (meta.deletionTimestamp) {
    const pending = meta.deletionGracePeriodSeconds ?? 0;
    if (pending > 0) {
      const requested = opts.gracePeriodSeconds;
      if (requested === undefined || requested >= pending) return { kind: 'pending' };
      // Only a shorter grace period may be given: move the deadline earlier.
      const started = Date.parse(meta.deletionTimestamp) - pending * 1000;
      meta.deletionTimestamp = timestamp(new Date(started + requested * 1000));
      meta.deletionGracePeriodSeconds = requested;
      grace = requested;
    }
  } else {
    grace = hooksFor(r).gracePeriod?.(existing, opts.gracePeriodSeconds);
    if (grace !== undefined) {
      meta.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      bumpGeneration(next);
    }
  }
  const finalizers = gcFinalizers(finalizersOf(existing), opts);
  if (finalizers.length > 0) meta.finalizers = finalizers;
  else delete meta.finalizers;
  if (finalizers.length > 0) {
    if (grace === undefined) markAsDeleting(next, now);
    return { kind: 'update', next };
  }
  if (grace !== undefined && grace > 0) return { kind: 'update', next };
  return { kind: 'delete' };
}

/** The finalizers after applying the propagation policy (deletionFinalizersForGarbageCollection). */
function gcFinalizers(current: string[], opts: DeleteOpts): string[] {
  const policy = opts.propagationPolicy;
  const has = (f: string) => current.includes(f);
  const orphan = policy ? policy === 'Orphan' : has(ORPHAN);
  const foreground = policy ? policy === 'Foreground' : !has(ORPHAN) && has(FOREGROUND);
  const out = current.filter((f) => f !== ORPHAN && f !== FOREGROUND);
  if (orphan) out.push(ORPHAN);
  if (foreground) out.push(FOREGROUND);
  return out;
}

/** A non-graceful delete of an object with finalizers (markAsDeleting). */
function markAsDeleting(obj: KubeObject, now: Date): void {
  const meta = obj.metadata;
  if (!meta.deletionTimestamp) bumpGeneration(obj);
  if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > now.getTime()) {
    meta.deletionTimestamp = timestamp(now);
  }
  meta.deletionGracePeriodSeconds = 0;
}

function bumpGeneration(obj: KubeObject): void {
  const g = obj.metadata.generation;
  if (typeof g === 'number' && g > 0) obj.metadata.generation = g + 1;
}

function checkDeletePreconditions(
  r: ResourceInfo,
  name: string,
  existing: KubeObject,
  opts: DeleteOpts,
): void {
  const pre = opts.preconditions;
  if (!pre) return;
  const target = targetOf(r, name);
  if (pre.uid && pre.uid !== existing.metadata.uid) {
    throw ApiError.conflict(
      target,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
    );
  }
  if (pre.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
    throw ApiError.conflict(
      target,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
    );
  }
}

/** The object (kinds with ReturnDeletedObject) or a Status naming it (finalizeDelete). */
function answer(r: ResourceInfo, obj: KubeObject): unknown {
  if (hooksFor(r).returnDeletedObject) return obj;
  return successStatus({
    name: obj.metadata.name ?? '',
    ...(r.group ? { group: r.group } : {}),
    kind: r.plural,
    uid: obj.metadata.uid ?? '',
  });
}
