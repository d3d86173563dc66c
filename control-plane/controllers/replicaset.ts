/**
 * The ReplicaSet controller (Kubernetes' pkg/controller/replicaset): keeps
 * the number of active pods a ReplicaSet controls at spec.replicas.
 *
 * - desired: the ReplicaSet (replicas, selector, template) from the cache;
 * - observed: the active pods of its namespace that it controls, after
 *   claiming (adopting matching orphans, releasing pods that stopped
 *   matching);
 * - sync: create the missing pods from the template in slow-start batches,
 *   or delete the surplus in ActivePods order, then write the status.
 *
 * Expectations keep a reconcile that runs before the informer saw the
 * last creates or deletes from repeating them.
 */
import type { ApiClient } from '../api/client/client.ts';
import { ApiError } from '../api/errors.ts';
import type { Pod, ReplicaSet } from '../api/types.ts';
import { PODS, REPLICASETS, type ReplicaSetDeps } from './replicaset-deps.ts';
import { ReplicaSetEvents } from './replicaset-events.ts';
import { Expectations } from './replicaset-expectations.ts';
import { ObjectIndex } from './replicaset-index.ts';
import { manageReplicas } from './replicaset-manage.ts';
import { applyClaim, planClaim } from './replicaset-ownership.ts';
import { controllerRef, isPodActive } from './replicaset-pods.ts';
import { selectorOf } from './replicaset-selector.ts';
import { nextAvailableInMs, replicaSetStatus, statusChanged } from './replicaset-status.ts';
import { TerminalError, type Result } from './runtime/controller.ts';
import type { ControllerSpec } from './runtime/spec.ts';

export { PODS, REPLICASETS, type ReplicaSetDeps } from './replicaset-deps.ts';

/** The controller as the manager runs it (5 workers, as ConcurrentRSSyncs). */
export const controller: ControllerSpec = {
  name: 'replicaset',
  workers: 5,
  setup(ctx) {
    const replicaSets = ctx.informer<ReplicaSet>(REPLICASETS);
    const podInformer = ctx.informer<Pod>(PODS);
    const deps: ReplicaSetDeps = {
      client: ctx.client,
      replicaSets,
      replicaSetIndex: new ObjectIndex(replicaSets),
      pods: new ObjectIndex(podInformer),
      expectations: new Expectations({ clock: ctx.clock }),
      clock: ctx.clock,
    };
    new ReplicaSetEvents(deps, ctx.queue).register(replicaSets, podInformer);
    return { reconcile: (key) => reconcileReplicaSet(key, deps) };
  },
};

/** One pass for the ReplicaSet with `key` ("namespace/name"); safe to repeat. */
export async function reconcileReplicaSet(key: string, d: ReplicaSetDeps): Promise<Result> {
  const rs = d.replicaSets.get(key);
  if (!rs) {
    d.expectations.delete(key);
    return;
  }
  const selector = selectorOf(rs);
  if (!selector) throw new TerminalError(`ReplicaSet ${key} has an invalid selector`);
  const needsSync = d.expectations.satisfied(key);
  const ns = rs.metadata.namespace ?? '';
  const candidates = d.pods.inNamespace(ns).filter(isPodActive);
  const ref = controllerRef(rs, 'apps/v1', 'ReplicaSet');
  const owned = await applyClaim(d.client, PODS, planClaim(rs, selector, candidates), ref, () =>
    stillLive(d.client, rs),
  );

  let failure;
  if (needsSync && !rs.metadata.deletionTimestamp) failure = await manageReplicas(rs, owned, d);
  const now = d.clock.now();
  const status = replicaSetStatus(rs, owned, failure, now);
  if (statusChanged(rs.status, status)) await writeStatus(d.client, rs, status);
  if (failure) throw new Error(`${failure.reason} for ReplicaSet ${key}: ${failure.message}`);
  const wait = nextAvailableInMs(owned, rs.spec.minReadySeconds ?? 0, now);
  return wait === undefined ? undefined : { requeueAfter: wait };
}

// The uncached re-read before adopting: a deleted or replaced owner never adopts.
async function stillLive(client: ApiClient, rs: ReplicaSet): Promise<boolean> {
  try {
    const fresh = await client.get<ReplicaSet>(REPLICASETS, rs.metadata.name ?? '', {
      namespace: rs.metadata.namespace,
    });
    return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
}

// PUT .../status from the cached object; on a stale resourceVersion re-read once and retry.
async function writeStatus(
  client: ApiClient,
  rs: ReplicaSet,
  status: ReplicaSet['status'],
): Promise<void> {
  try {
    await client.updateStatus(REPLICASETS, { ...rs, status });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
    const fresh = await client.get<ReplicaSet>(REPLICASETS, rs.metadata.name ?? '', {
      namespace: rs.metadata.namespace,
    });
    const observed = fresh.metadata.generation === rs.metadata.generation;
    if (observed) await client.updateStatus(REPLICASETS, { ...fresh, status });
  }
}
