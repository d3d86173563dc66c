/**
 * ObjectIndex: a secondary index over one shared informer's cache, by
 * namespace and by controlling owner uid (client-go's namespace indexer
 * plus a controller-ref index), so a reconcile reads the pods of one
 * namespace or one owner without scanning the whole cluster. It follows
 * the informer's events; it holds the informer's objects, never copies.
 */
import type { Informer } from '../api/client/informer.ts';
import { objectKey } from '../api/client/informer-cache.ts';
import type { KubeObject } from '../api/types.ts';

export class ObjectIndex<T extends KubeObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly byOwner = new Map<string, Map<string, T>>();

  /** Indexes `informer`; call before the informer starts so it sees the first list. */
  constructor(informer: Informer<T>) {
    informer
      .on('add', (obj) => this.put(obj))
      .on('update', (old, obj) => {
        this.remove(old);
        this.put(obj);
      })
      .on('delete', (obj) => this.remove(obj));
  }

  /** The objects of `namespace` (unordered). */
  inNamespace(namespace: string): T[] {
    const m = this.byNamespace.get(namespace);
    return m ? [...m.values()] : [];
  }

  /** The objects whose controlling ownerReference has `uid` (unordered). */
  ownedBy(uid: string): T[] {
    const m = this.byOwner.get(uid);
    return m ? [...m.values()] : [];
  }

  private put(obj: T): void {
    const key = objectKey(obj);
    add(this.byNamespace, obj.metadata.namespace ?? '', key, obj);
    const owner = ownerUid(obj);
    if (owner) add(this.byOwner, owner, key, obj);
  }

  private remove(obj: T): void {
    const key = objectKey(obj);
    drop(this.byNamespace, obj.metadata.namespace ?? '', key);
    const owner = ownerUid(obj);
    if (owner) drop(this.byOwner, owner, key);
  }
}

function ownerUid(obj: KubeObject): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true)?.uid;
}

function add<T>(index: Map<string, Map<string, T>>, bucket: string, key: string, obj: T): void {
  let m = index.get(bucket);
  if (!m) index.set(bucket, (m = new Map()));
  m.set(key, obj);
}

function drop<T>(index: Map<string, Map<string, T>>, bucket: string, key: string): void {
  const m = index.get(bucket);
  if (!m) return;
  m.delete(key);
  if (m.size === 0) index.delete(bucket);
}
