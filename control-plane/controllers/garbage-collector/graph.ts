/**
 * The garbage collector's view of ownership: which objects name an owner
 * uid in their ownerReferences (Kubernetes' GraphBuilder, reduced to the
 * owner → dependents edges). It stores only keys, so its memory grows with
 * the number of references, not with object sizes; the objects themselves
 * stay in the shared informers.
 *
 * A key is "<resource>|<namespace>/<name>", the resource as
 * "plural.group" ("replicasets.apps", "pods" for the core group).
 */
import { objectKey } from '../../api/client/informer-cache.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';

/** "plural.group" ("pods", "replicasets.apps"), as Kubernetes' GroupResource prints. */
export function groupResource(r: Pick<ResourceInfo, 'group' | 'plural'>): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** The GC work-queue key of `obj` of resource `r`. */
export function gcKey(r: ResourceInfo, obj: KubeObject): string {
  return `${groupResource(r)}|${objectKey(obj)}`;
}

/** Splits a GC key into its resource and object key. */
export function parseGcKey(key: string): { resource: string; objectKey: string } {
  const bar = key.indexOf('|');
  return { resource: key.slice(0, bar), objectKey: key.slice(bar + 1) };
}

/** Owner uid → keys of the objects that name it in ownerReferences. */
export class DependentsGraph {
  // owner uid → keys of the objects referencing it.
  private readonly dependents = new Map<string, Set<string>>();

  /** Records the references of `obj` (call on add). */
  add(r: ResourceInfo, obj: KubeObject): void {
    const key = gcKey(r, obj);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(key);
    }
  }

  /** Forgets the references of `obj` (call on delete, and with the old object on update). */
  remove(r: ResourceInfo, obj: KubeObject): void {
    const key = gcKey(r, obj);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) this.dependents.delete(ref.uid);
    }
  }

  /** The keys of the objects that reference the owner `uid` (sorted). */
  dependentsOf(uid: string): string[] {
    return [...(this.dependents.get(uid) ?? [])].sort();
  }

  /** Number of owners with at least one dependent (for logs and tests). */
  get owners(): number {
    return this.dependents.size;
  }
}
