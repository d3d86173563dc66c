/**
 * Event handlers that only map informer events to work-queue keys (as
 * controller-runtime's EnqueueRequestForObject / EnqueueRequestForOwner).
 * They never pass an object on: reconcile re-reads the caches by key.
 *
 * @example
 * const h = enqueueOwner(queue, 'ReplicaSet', 'apps');
 * pods.on('add', h.add).on('update', h.update).on('delete', h.delete);
 */
import { objectKey } from '../../api/client/informer-cache.ts';
import type { KubeObject, OwnerReference } from '../../api/types.ts';

/** The keys queue.add receives. */
export interface KeySink {
  add(key: string): void;
}

/** Informer handlers: add(obj), update(old, obj), delete(obj). */
export interface EventHandlers<T extends KubeObject> {
  add: (obj: T) => void;
  update: (old: T, obj: T) => void;
  delete: (obj: T) => void;
}

/** Queues the object's own key ("namespace/name", or "name" when cluster-scoped). */
export function enqueueObject<T extends KubeObject>(queue: KeySink): EventHandlers<T> {
  const add = (obj: T): void => queue.add(objectKey(obj));
  return { add, update: (_old, obj) => add(obj), delete: add };
}

/**
 * The controlling owner (ownerReferences entry with controller: true) of
 * `obj` when it is of `kind` (and of API group `group` when given), else
 * undefined.
 */
export function controllerOf(
  obj: KubeObject,
  kind: string,
  group?: string,
): OwnerReference | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref || ref.kind !== kind) return undefined;
  if (group !== undefined && apiGroup(ref.apiVersion) !== group) return undefined;
  return ref;
}

/**
 * Queues the key of the object's controlling owner of `kind` (same
 * namespace). On update both the old and the new owner are queued, so an
 * owner learns that it lost a child as well as that it gained one.
 */
export function enqueueOwner<T extends KubeObject>(
  queue: KeySink,
  kind: string,
  group?: string,
): EventHandlers<T> {
  const add = (obj: T): void => {
    const ref = controllerOf(obj, kind, group);
    if (!ref) return;
    const ns = obj.metadata?.namespace;
    queue.add(ns ? `${ns}/${ref.name}` : ref.name);
  };
  return {
    add,
    update: (old, obj) => {
      add(old);
      add(obj);
    },
    delete: add,
  };
}

// "apps/v1" → "apps", "v1" → "" (the core group).
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
