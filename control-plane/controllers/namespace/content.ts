/**
 * One deletion pass over a namespace's content (Kubernetes'
 * namespacedResourcesDeleter.deleteAllContent): for every namespaced kind
 * in the RESOURCES table, delete all its objects in the namespace (one
 * deletecollection where the kind allows it, else one delete per object,
 * background propagation), then list what is still there. Objects with a
 * grace period (pods on nodes) or finalizers stay for a while; the caller
 * comes back until nothing is left.
 */
import type { ApiClient } from '../../api/client/client.ts';
import { ApiError } from '../../api/errors.ts';
import { RESOURCES, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ContentReport } from './conditions.ts';

/** The kinds a namespace holds. */
export const NAMESPACED_RESOURCES: readonly ResourceInfo[] = RESOURCES.filter((r) => r.namespaced);

/** What a pass found, plus how long the slowest graceful deletion still has (ms). */
export interface PassResult extends ContentReport {
  /** The longest time left until a remaining object's grace period ends; 0 when none. */
  graceLeftMs: number;
}

/** Deletes everything in `namespace` once and reports what remains. */
export async function deleteContent(
  client: ApiClient,
  namespace: string,
  nowMs: number,
): Promise<PassResult> {
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  const failures: string[] = [];
  let graceLeftMs = 0;
  for (const r of NAMESPACED_RESOURCES) {
    const name = r.group ? `${r.plural}.${r.group}` : r.plural;
    let left: KubeObject[];
    try {
      left = await deleteAll(client, r, namespace);
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (left.length === 0) continue;
    remaining.set(name, left.length);
    for (const obj of left) {
      for (const f of obj.metadata.finalizers ?? [])
        finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      const deadline = obj.metadata.deletionTimestamp;
      const ms = deadline ? Date.parse(deadline) - nowMs : NaN;
      if (ms > graceLeftMs) graceLeftMs = ms;
    }
  }
  return { remaining, finalizers, failures, graceLeftMs };
}

// Deletes every object of `r` in the namespace; returns those still listed afterwards.
async function deleteAll(
  client: ApiClient,
  r: ResourceInfo,
  namespace: string,
): Promise<KubeObject[]> {
  if (r.verbs.includes('deletecollection')) {
    await client.deleteCollection(r, { namespace, propagationPolicy: 'Background' });
  } else {
    const list = await client.listAll(r, { namespace });
    for (const obj of list.items) {
      if (obj.metadata.deletionTimestamp) continue;
      try {
        await client.delete(r, obj.metadata.name ?? '', {
          namespace,
          propagationPolicy: 'Background',
        });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
  return (await client.listAll(r, { namespace })).items;
}
