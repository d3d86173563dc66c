/**
 * The informer's local cache as pure logic: objects by "namespace/name"
 * (cluster-scoped: "name"), changed by watch events or replaced whole by a
 * relist. Each change returns the deltas handlers must see, so a relist
 * after a 410 emits exactly the adds, updates and deletes that happened
 * while the watch was gone.
 */
import type { KubeObject, WatchEvent } from '../types.ts';

export type Delta<T> =
  | { type: 'add'; object: T }
  | { type: 'update'; old: T; object: T }
  | { type: 'delete'; object: T };

/** "namespace/name", or "name" for a cluster-scoped object (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every cached object, in key order. */
  list(): T[] {
    return this.keys().map((k) => this.items.get(k) as T);
  }

  /** Every key, sorted. */
  keys(): string[] {
    return [...this.items.keys()].sort();
  }

  get size(): number {
    return this.items.size;
  }

  /**
   * Applies one watch event; returns its delta, or undefined when it
   * changes nothing: a BOOKMARK, a delete of an unknown key, or an event
   * older than (or the same as) the cached object, which a reconnect may
   * replay and which must never move the cache backwards.
   */
  apply(ev: WatchEvent<T>): Delta<T> | undefined {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return undefined;
    const key = objectKey(ev.object);
    const old = this.items.get(key);
    if (ev.type === 'DELETED') {
      if (!old || isOlder(ev.object, old)) return undefined;
      this.items.delete(key);
      return {
        type: 'delete',
        object: old.metadata?.uid === ev.object.metadata?.uid ? ev.object : old,
      };
    }
    this.items.set(key, ev.object);
    if (!old) return { type: 'add', object: ev.object };
    if (isOlder(ev.object, old) || sameVersion(ev.object, old)) {
      this.items.set(key, old);
      return undefined;
    }
    return { type: 'update', old, object: ev.object };
  }

  /**
   * Replaces the whole cache with a fresh list; returns the differences:
   * delete for keys gone, add for new keys, update where the
   * resourceVersion changed (a recreated object with a new uid is a delete
   * then an add). Deletes come first, then the rest in key order.
   */
  replace(objects: readonly T[]): Delta<T>[] {
    const fresh = new Map<string, T>();
    for (const o of objects) fresh.set(objectKey(o), o);
    const deletes: Delta<T>[] = [];
    const changes: Delta<T>[] = [];
    for (const [key, old] of this.items) {
      const now = fresh.get(key);
      if (!now) deletes.push({ type: 'delete', object: old });
      else if (old.metadata?.uid && now.metadata?.uid && old.metadata.uid !== now.metadata.uid) {
        deletes.push({ type: 'delete', object: old });
      }
    }
    const gone = new Set(deletes.map((d) => objectKey(d.object)));
    for (const key of [...fresh.keys()].sort()) {
      const now = fresh.get(key) as T;
      const old = this.items.get(key);
      if (!old || gone.has(key)) changes.push({ type: 'add', object: now });
      else if (!sameVersion(now, old)) changes.push({ type: 'update', old, object: now });
    }
    this.items.clear();
    for (const [k, v] of fresh) this.items.set(k, v);
    return [...deletes, ...changes];
  }
}

function sameVersion(a: KubeObject, b: KubeObject): boolean {
  const ra = a.metadata?.resourceVersion;
  return ra !== undefined && ra === b.metadata?.resourceVersion;
}

// resourceVersion is opaque to clients in general, but skiff's are store
// revisions: compare them only when both are plain decimal numbers.
function isOlder(a: KubeObject, b: KubeObject): boolean {
  const ra = a.metadata?.resourceVersion;
  const rb = b.metadata?.resourceVersion;
  if (!ra || !rb || !DECIMAL.test(ra) || !DECIMAL.test(rb)) return false;
  // Runs for every watch event: compare digits, not BigInts (same order, leading zeros aside).
  const da = ra.replace(LEADING_ZEROS, '');
  const db = rb.replace(LEADING_ZEROS, '');
  return da.length !== db.length ? da.length < db.length : da < db;
}

const DECIMAL = /^\d+$/;
const LEADING_ZEROS = /^0+(?=\d)/;
