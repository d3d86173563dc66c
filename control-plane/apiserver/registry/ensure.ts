/**
 * Objects the server itself makes (bootstrap namespaces, default service
 * accounts, the `kubernetes` service and its endpoints): stored directly
 * with the server-owned metadata, created only when missing.
 */
import { storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStoreError } from '../../store/errors.ts';
import type { ApiContext } from '../context.ts';
import { decodeKv, encodeObject, withRevision } from './codec.ts';
import { fillCreateMeta } from './object-meta.ts';

/** Stores `obj` unless an object of that name exists; returns the stored one either way. */
export async function ensureObject(
  ctx: ApiContext,
  r: ResourceInfo,
  obj: KubeObject,
): Promise<KubeObject> {
  const key = storageKey(r, obj.metadata.namespace, obj.metadata.name);
  const existing = await ctx.store.get(key);
  if (existing) return decodeKv(existing);
  fillCreateMeta(obj.metadata as Record<string, unknown>, ctx.now());
  try {
    return withRevision(obj, await ctx.store.create(key, encodeObject(obj)));
  } catch (err) {
    if (!isStoreError(err, 'AlreadyExists')) throw err;
    const now = await ctx.store.get(key);
    if (!now) throw err;
    return decodeKv(now);
  }
}
