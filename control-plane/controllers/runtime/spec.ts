/**
 * ControllerSpec: the one shape every controller module exports, so the
 * controller manager (control-plane/controllers/manager.ts) can run any
 * list of them the same way:
 *
 * 1. for each spec it makes a WorkQueue and calls setup(ctx); setup takes
 *    the shared informers it needs from ctx.informer(resource) and adds
 *    handlers that only map events to keys on ctx.queue (enqueueObject,
 *    enqueueOwner, or its own mapping);
 * 2. it starts every informer asked for, waits until all have synced;
 * 3. it runs runController({ name, reconcile, workers, queue }) per spec,
 *    and the optional run(signal) beside it, until the signal aborts.
 *
 * Informers are shared: two controllers asking for pods get the same
 * cache (one list+watch per resource per process), so handlers must be
 * quick and must not mutate cached objects.
 *
 * A module exports `export const controller: ControllerSpec`; one with
 * settings (timeouts, CIDRs) also exports a factory taking them, e.g.
 * `export function nodeLifecycleController(opts): ControllerSpec`, and
 * `controller` is that factory with the defaults.
 *
 * @example
 * export const controller: ControllerSpec = {
 *   name: 'replicaset',
 *   workers: 5,
 *   setup(ctx) {
 *     const rss = ctx.informer<ReplicaSet>(REPLICASETS);
 *     const pods = ctx.informer<Pod>(PODS);
 *     rss.on('add', ...).on('update', ...).on('delete', ...);
 *     return { reconcile: (key) => reconcileReplicaSet(key, { client: ctx.client, rss, pods }) };
 *   },
 * };
 */
import type { ApiClient } from '../../api/client/client.ts';
import type { Informer } from '../../api/client/informer.ts';
import type { Logger } from '../../api/log.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Clock } from './clock.ts';
import type { Reconcile } from './controller.ts';
import type { WorkQueue } from './work-queue.ts';

/** What setup() is given. */
export interface ControllerContext {
  /** The API client (controllers never touch the store). */
  client: ApiClient;
  /**
   * The process-wide shared informer of `resource` (all namespaces, no
   * selector), created on first request. The manager starts it after
   * setup and waits for it to sync before any reconcile runs.
   */
  informer<T extends KubeObject>(resource: ResourceInfo): Informer<T>;
  /** This controller's queue: handlers add keys; reconcile receives them. */
  queue: WorkQueue;
  /** Already a child logger with { controller: name }. */
  logger: Logger;
  /** Time source (the wall clock in production, a FakeClock in unit tests). */
  clock: Clock;
  /** Aborts when the manager stops (shutdown or lost leadership). */
  signal: AbortSignal;
}

/** What setup() returns. */
export interface ControllerInstance {
  /** reconcile(key) for one queued key; level-triggered and idempotent. */
  reconcile: Reconcile;
  /**
   * Optional extra loop run beside the workers after the informers synced
   * (e.g. a periodic monitor that enqueues keys); must return soon after
   * `signal` aborts. A rejection is logged, not fatal.
   */
  run?: (signal: AbortSignal) => Promise<void>;
}

/** A controller as the manager runs it. */
export interface ControllerSpec {
  /** Names the controller in logs and in --controllers lists ("replicaset"). */
  name: string;
  /** Keys reconciled at the same time. Default 1. */
  workers?: number;
  /** Wires informers and handlers; called once per manager run, before informers start. */
  setup(ctx: ControllerContext): ControllerInstance;
}
