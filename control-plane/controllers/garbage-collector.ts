/**
 * The garbage collector (Kubernetes' pkg/controller/garbagecollector):
 * ownerReferences cascades.
 *
 * - desired: no object outlives all its owners; an owner deleted in the
 *   foreground (foregroundDeletion finalizer) goes only after the
 *   dependents that block it; an owner deleted with orphan propagation
 *   (orphan finalizer) leaves its dependents, without references to it;
 * - observed: every deletable kind through the shared informers, an
 *   owner → dependents graph of keys, and uncached reads before acting on
 *   an owner the caches do not show;
 * - sync: per object (key "<plural.group>|<namespace>/<name>"): orphan its
 *   dependents then drop the orphan finalizer; or wait for its blocking
 *   dependents then drop foregroundDeletion; or, as a dependent, delete it
 *   or drop its references to owners that are gone.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import type { Logger } from '../api/log.ts';
import { RESOURCES, resourceForKind, type ResourceInfo } from '../api/resources.ts';
import type { KubeObject, OwnerReference } from '../api/types.ts';
import { AbsentOwners } from './garbage-collector/absent-owners.ts';
import {
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  blocksOwner,
  decideDependent,
  gcRelevantChange,
  hasFinalizer,
  isDeletingDependents,
  ownerStateOf,
  type OwnerState,
} from './garbage-collector/decide.ts';
import { DependentsGraph, gcKey, groupResource, parseGcKey } from './garbage-collector/graph.ts';
import { deleteObject, removeFinalizer, removeOwnerRefs } from './garbage-collector/writes.ts';
import { getIfExists } from './runtime/api-answers.ts';
import type { Result } from './runtime/controller.ts';
import type { KeySink } from './runtime/handlers.ts';
import type { ControllerSpec } from './runtime/spec.ts';

/** A write that met a changed object (409) is judged again this soon. */
const CHANGED_RETRY_MS = 50;
const AGAIN: Result = { requeueAfter: CHANGED_RETRY_MS };

/** The kinds the collector watches: every deletable, watchable one but Events. */
export const GC_RESOURCES: readonly ResourceInfo[] = RESOURCES.filter(
  (r) => r.kind !== 'Event' && r.verbs.includes('delete') && r.verbs.includes('watch'),
);

/** What reconcileGarbage reads and writes. */
export interface GarbageCollectorDeps {
  client: ApiClient;
  /** Informers by groupResource ("pods", "replicasets.apps"). */
  informers: Map<string, { resource: ResourceInfo; informer: Informer<KubeObject> }>;
  graph: DependentsGraph;
  absent: AbsentOwners;
  queue: KeySink;
  logger: Logger;
}

/** The controller as the manager runs it (20 workers, as ConcurrentGCSyncs). */
export const controller: ControllerSpec = {
  name: 'garbage-collector',
  workers: 20,
  setup(ctx) {
    const deps: GarbageCollectorDeps = {
      client: ctx.client,
      informers: new Map(),
      graph: new DependentsGraph(),
      absent: new AbsentOwners(),
      queue: ctx.queue,
      logger: ctx.logger,
    };
    for (const r of GC_RESOURCES) {
      const informer = ctx.informer<KubeObject>(r);
      deps.informers.set(groupResource(r), { resource: r, informer });
      watchResource(deps, r, informer);
    }
    return { reconcile: (key) => reconcileGarbage(key, deps) };
  },
};

// Handlers only keep the graph and queue keys; reconcile re-reads everything.
function watchResource(d: GarbageCollectorDeps, r: ResourceInfo, inf: Informer<KubeObject>) {
  const wanted = (o: KubeObject) =>
    (o.metadata.ownerReferences?.length ?? 0) > 0 || gcFinalizerPending(o);
  inf
    .on('add', (o) => {
      d.graph.add(r, o);
      if (wanted(o)) d.queue.add(gcKey(r, o));
    })
    .on('update', (old, o) => {
      d.graph.remove(r, old);
      d.graph.add(r, o);
      if (gcRelevantChange(old, o) && wanted(o)) d.queue.add(gcKey(r, o));
    })
    .on('delete', (o) => {
      d.graph.remove(r, o);
      // Its dependents may now be orphans; its owners may be waiting for it.
      for (const key of d.graph.dependentsOf(o.metadata.uid ?? '')) d.queue.add(key);
      for (const ref of o.metadata.ownerReferences ?? []) {
        const key = ownerKey(ref, o);
        if (key) d.queue.add(key);
      }
    });
}

function gcFinalizerPending(o: KubeObject): boolean {
  return (
    !!o.metadata.deletionTimestamp &&
    (hasFinalizer(o, FINALIZER_ORPHAN) || hasFinalizer(o, FINALIZER_FOREGROUND))
  );
}

/** One pass for the object with GC key `key`; safe to repeat. */
export async function reconcileGarbage(key: string, d: GarbageCollectorDeps): Promise<Result> {
  const { resource, objectKey } = parseGcKey(key);
  const entry = d.informers.get(resource);
  const obj = entry?.informer.get(objectKey);
  if (!entry || !obj) return;
  const r = entry.resource;
  if (obj.metadata.deletionTimestamp) {
    if (hasFinalizer(obj, FINALIZER_ORPHAN)) return orphanDependents(d, r, obj);
    if (hasFinalizer(obj, FINALIZER_FOREGROUND)) return deleteDependentsFirst(d, r, obj);
    return; // being deleted without the GC's help
  }
  if ((obj.metadata.ownerReferences?.length ?? 0) === 0) return;
  return collectDependent(d, r, obj);
}

/** attemptToDeleteItem: judge the dependent by its owners, then act on its latest version. */
async function collectDependent(
  d: GarbageCollectorDeps,
  r: ResourceInfo,
  cached: KubeObject,
): Promise<Result> {
  let obj = cached;
  let states = await ownerStates(d, obj);
  if (![...states.values()].some((s) => s === 'dangling' || s === 'waiting')) return;
  // About to act: judge the latest version, not a cached one (it may have been adopted).
  const latest = await getIfExists(d.client, r, obj.metadata.name ?? '', {
    namespace: obj.metadata.namespace,
  });
  if (!latest || latest.metadata.uid !== obj.metadata.uid || latest.metadata.deletionTimestamp) {
    return;
  }
  obj = latest;
  states = await ownerStates(d, obj);
  const dependents = d.graph.dependentsOf(obj.metadata.uid ?? '');
  const cycle = dependents.some((k) => {
    const dep = lookup(d, k);
    return dep !== undefined && isDeletingDependents(dep);
  });
  const action = decideDependent(obj, states, dependents.length > 0, cycle);
  if (action.kind === 'remove-refs') {
    d.logger.info('Removing references to owners that are gone', {
      object: gcKey(r, obj),
      ownerUids: action.uids,
    });
    if (!(await removeOwnerRefs(d.client, r, obj, action.uids))) return AGAIN;
  } else if (action.kind === 'delete') {
    d.logger.info('Deleting object whose owners are gone', {
      object: gcKey(r, obj),
      propagationPolicy: action.policy,
    });
    if (!(await deleteObject(d.client, r, obj, action.policy))) return AGAIN;
  }
  return undefined;
}

/** The state of each owner of `obj`, by owner uid. */
async function ownerStates(d: GarbageCollectorDeps, obj: KubeObject) {
  const states = new Map<string, OwnerState>();
  for (const ref of obj.metadata.ownerReferences ?? []) {
    states.set(ref.uid, await ownerState(d, ref, obj));
  }
  return states;
}

async function ownerState(
  d: GarbageCollectorDeps,
  ref: OwnerReference,
  dependent: KubeObject,
): Promise<OwnerState> {
  if (d.absent.has(ref.uid)) return 'dangling';
  const r = resourceForKind(ref.apiVersion, ref.kind);
  // A namespaced owner of a cluster-scoped object cannot exist: leave such references alone.
  if (!r || (r.namespaced && !dependent.metadata.namespace)) return 'unknown';
  const namespace = r.namespaced ? dependent.metadata.namespace : undefined;
  const cached = d.informers
    .get(groupResource(r))
    ?.informer.get(namespace ? `${namespace}/${ref.name}` : ref.name);
  // The caches may lag: an owner they do not show is looked up on the server.
  const found =
    cached?.metadata.uid === ref.uid
      ? cached
      : await getIfExists(d.client, r, ref.name, { namespace });
  const state = ownerStateOf(ref, found);
  if (state === 'dangling') d.absent.add(ref.uid);
  return state;
}

/** processDeletingDependentsItem: drop foregroundDeletion once no dependent blocks. */
async function deleteDependentsFirst(
  d: GarbageCollectorDeps,
  r: ResourceInfo,
  owner: KubeObject,
): Promise<Result> {
  const uid = owner.metadata.uid ?? '';
  const dependents = d.graph
    .dependentsOf(uid)
    .map((k) => ({ key: k, obj: lookup(d, k) }))
    .filter((x): x is { key: string; obj: KubeObject } => x.obj !== undefined);
  const blocking = dependents.filter((x) => blocksOwner(x.obj, uid));
  if (blocking.length === 0) {
    d.logger.info('Foreground deletion: no blocking dependents left, removing finalizer', {
      object: gcKey(r, owner),
    });
    return (await removeFinalizer(d.client, r, owner, FINALIZER_FOREGROUND)) ? undefined : AGAIN;
  }
  // Each dependent sees this owner waiting and goes; their deletions bring the owner back here.
  for (const x of dependents) if (!isDeletingDependents(x.obj)) d.queue.add(x.key);
  return undefined;
}

/** attemptToOrphan: drop every reference to the owner, then its orphan finalizer. */
async function orphanDependents(
  d: GarbageCollectorDeps,
  r: ResourceInfo,
  owner: KubeObject,
): Promise<Result> {
  const uid = owner.metadata.uid ?? '';
  for (const key of d.graph.dependentsOf(uid)) {
    const dep = lookup(d, key);
    const entry = d.informers.get(parseGcKey(key).resource);
    if (!dep || !entry) continue;
    // A dependent replaced by a namesake holds no reference to this owner.
    await removeOwnerRefs(d.client, entry.resource, dep, [uid]);
  }
  d.logger.info('Orphaned dependents, removing finalizer', { object: gcKey(r, owner) });
  return (await removeFinalizer(d.client, r, owner, FINALIZER_ORPHAN)) ? undefined : AGAIN;
}

function lookup(d: GarbageCollectorDeps, key: string): KubeObject | undefined {
  const { resource, objectKey } = parseGcKey(key);
  return d.informers.get(resource)?.informer.get(objectKey);
}

// The GC key of the owner a reference names, or undefined for a kind skiff does not serve.
function ownerKey(ref: OwnerReference, dependent: KubeObject): string | undefined {
  const r = resourceForKind(ref.apiVersion, ref.kind);
  if (!r) return undefined;
  const ns = r.namespaced ? dependent.metadata.namespace : undefined;
  return `${groupResource(r)}|${ns ? `${ns}/${ref.name}` : ref.name}`;
}
