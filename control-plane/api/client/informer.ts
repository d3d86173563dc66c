/**
 * Informer: a local, always-catching-up copy of one collection, as
 * client-go's reflector + shared informer. It lists, then watches from the
 * list's resourceVersion with bookmarks; a 410 Expired/Gone relists and
 * emits the differences; a lost connection re-watches from the last seen
 * resourceVersion after an exponential, jittered backoff.
 *
 * Ordering: one loop applies events in the stream's (resourceVersion)
 * order and awaits every handler before the next event, so a handler never
 * sees an older state after a newer one. Handlers should be quick (map the
 * event to a work-queue key); a thrown error is logged, never fatal.
 */
import { ApiError } from '../errors.ts';
import { rootLogger, type Logger } from '../log.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KubeObject, List, WatchEvent } from '../types.ts';
import { Backoff, sleep, type BackoffOptions } from './backoff.ts';
import { ObjectCache, type Delta } from './informer-cache.ts';
import type { ListOptions, WatchOptions } from './options.ts';
import type { SelectorInput } from './paths.ts';
import { TransportError } from './transport.ts';

/** What an informer needs of a client; ApiClient provides it. */
export interface ListWatcher {
  listAll<T extends KubeObject>(r: ResourceInfo, opts?: ListOptions): Promise<List<T>>;
  watch<T extends KubeObject>(r: ResourceInfo, opts?: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

export interface InformerOptions {
  client: ListWatcher;
  resource: ResourceInfo;
  /** Only this namespace; all namespaces when absent. */
  namespace?: string;
  labelSelector?: SelectorInput;
  fieldSelector?: SelectorInput;
  /** Page size of the list. Default 500. */
  pageSize?: number;
  /** Every this many ms, emit update(obj, obj) for every cached object; 0 (default) never. */
  resyncMs?: number;
  /** Reconnect delays. Default 200 ms doubling to 30 s, jittered. */
  backoff?: BackoffOptions;
  /** Server-side watch timeout; default random 300-600 s, as the reflector spreads relists. */
  watchTimeoutSeconds?: number;
  /** A watch silent this long is reopened. Default 5 minutes. */
  watchIdleTimeoutMs?: number;
  logger?: Logger;
}

type Handlers<T> = {
  add: (obj: T) => void | Promise<void>;
  update: (old: T, obj: T) => void | Promise<void>;
  delete: (obj: T) => void | Promise<void>;
  synced: () => void | Promise<void>;
};

export class Informer<T extends KubeObject = KubeObject> {
  /** Resolves after the first list is in the cache and its adds were handled; rejects if stopped first. */
  readonly ready: Promise<void>;
  private readonly opts: InformerOptions;
  private readonly cache = new ObjectCache<T>();
  private readonly handlers: { [K in keyof Handlers<T>]: Handlers<T>[K][] } = {
    add: [],
    update: [],
    delete: [],
    synced: [],
  };
  private readonly log: Logger;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private synced = false;
  private started = false;
  private rv = '';
  // Serializes handler calls of the watch loop and the resync timer.
  private chain: Promise<void> = Promise.resolve();
  // Dispatches on `chain` not yet finished.
  private queued = 0;

  constructor(opts: InformerOptions) {
    this.opts = opts;
    this.log = (opts.logger ?? rootLogger).child({
      component: 'informer',
      resource: opts.resource.plural,
    });
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // a stop before sync is not an unhandled rejection
  }

  /** Adds a handler; handlers run in the order they were added. */
  on<K extends keyof Handlers<T>>(event: K, fn: Handlers<T>[K]): this {
    this.handlers[event].push(fn);
    return this;
  }

  /** The cached object with key "namespace/name" (cluster-scoped: "name"), or undefined. */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Every cached object, in key order. */
  list(): T[] {
    return this.cache.list();
  }

  /** Every cached key, sorted. */
  keys(): string[] {
    return this.cache.keys();
  }

  /** True once the first list has been applied. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache reflects (the last event or bookmark seen). */
  lastResourceVersion(): string {
    return this.rv;
  }

  /**
   * Runs until `signal` aborts, then resolves. Only one run per informer.
   * @example
   * const pods = new Informer<Pod>({ client, resource: PODS });
   * pods.on('add', (p) => queue.add(objectKey(p)));
   * void pods.start(ac.signal);
   * await pods.ready;
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.opts.resource.plural} already started`);
    this.started = true;
    const timer = this.startResync(signal);
    try {
      await this.run(signal);
    } finally {
      if (timer) clearInterval(timer);
      await this.chain;
      if (!this.synced)
        this.rejectReady(
          new Error(`informer for ${this.opts.resource.plural} stopped before it synced`),
        );
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.opts.backoff);
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          backoff.reset();
        }
        const opened = Date.now();
        const seen = await this.watchOnce(signal, backoff);
        // A stream that ends at once with nothing in it must not become a busy loop.
        if (seen === 0 && Date.now() - opened < 1_000) await sleep(backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof TransportError && err.code === 'IdleTimeout') {
          this.log.debug('Watch idle, reopening', { resourceVersion: this.rv });
          continue;
        }
        // A watch that expired relists at once; a list failing 410 backs off like any error.
        if (err instanceof ApiError && err.code === 410 && !needList) {
          this.log.info('Watch expired, relisting', {
            resourceVersion: this.rv,
            reason: err.message,
          });
          needList = true;
          continue;
        }
        const wait = backoff.next();
        this.log.warn(needList ? 'List failed, retrying' : 'Watch failed, reconnecting', {
          err: err as Error,
          retryInMs: wait,
        });
        await sleep(wait, signal);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const list = await this.opts.client.listAll<T>(this.opts.resource, {
      ...this.selection(),
      limit: this.opts.pageSize ?? 500,
      signal,
    });
    if (signal.aborted) return;
    this.rv = list.metadata?.resourceVersion ?? '';
    await this.dispatch(this.cache.replace(list.items));
    if (!this.synced) {
      await this.emitSynced();
      this.synced = true;
      this.resolveReady();
    }
  }

  // Returns how many events the stream carried.
  private async watchOnce(signal: AbortSignal, backoff: Backoff): Promise<number> {
    const timeout = this.opts.watchTimeoutSeconds ?? Math.round(300 * (1 + Math.random()));
    let seen = 0;
    for await (const ev of this.opts.client.watch<T>(this.opts.resource, {
      ...this.selection(),
      resourceVersion: this.rv,
      allowWatchBookmarks: true,
      timeoutSeconds: timeout,
      idleTimeoutMs: this.opts.watchIdleTimeoutMs ?? 300_000,
      signal,
    })) {
      seen++;
      backoff.reset();
      const delta = this.cache.apply(ev);
      this.rv = ev.object.metadata?.resourceVersion ?? this.rv;
      if (delta) {
        const pending = this.dispatchNow(delta);
        if (pending) await pending;
      }
    }
    return seen;
  }

  private selection(): Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    return { namespace, labelSelector, fieldSelector };
  }

  private startResync(signal: AbortSignal): NodeJS.Timeout | undefined {
    const every = this.opts.resyncMs ?? 0;
    if (every <= 0) return undefined;
    return setInterval(() => {
      if (!this.synced || signal.aborted) return;
      // Snapshot now: everything applied so far is already queued before it.
      const objects = this.cache.list();
      void this.dispatch(objects.map((o) => ({ type: 'update', old: o, object: o })));
    }, every);
  }

  private dispatch(deltas: Delta<T>[]): Promise<void> {
    this.queued++;
    this.chain = this.chain.then(async () => {
      for (const d of deltas) await this.emitFrom(d, 0);
      this.queued--;
    });
    return this.chain;
  }

  /**
   * One watch event's delta. With nothing queued before it, its handlers
   * run at once and, when all of them are synchronous (a scheduler's or a
   * controller's map-to-key handlers), no promise is made at all: this runs
   * for every event of every watch. Returns what to await before the next
   * event, if anything.
   */
  private dispatchNow(d: Delta<T>): Promise<void> | undefined {
    if (this.queued > 0) return this.dispatch([d]);
    const count = this.handlers[d.type].length;
    for (let i = 0; i < count; i++) {
      const pending = this.call(d, i);
      if (pending === undefined) continue;
      // An async handler: it and the handlers after it finish before anything else runs.
      this.queued++;
      this.chain = this.chain.then(async () => {
        await pending;
        await this.emitFrom(d, i + 1);
        this.queued--;
      });
      return this.chain;
    }
    return undefined;
  }

  // Runs the delta's handlers from index `from` in order, awaiting each.
  private async emitFrom(d: Delta<T>, from: number): Promise<void> {
    for (let i = from; i < this.handlers[d.type].length; i++) await this.call(d, i);
  }

  // Calls handler `i` of the delta's event; a promise (never rejecting) only if it made one.
  private call(d: Delta<T>, i: number): Promise<void> | undefined {
    const fail = (err: unknown): void =>
      this.log.error('Informer handler failed', { event: d.type, err: err as Error });
    try {
      const result =
        d.type === 'update'
          ? (this.handlers.update[i] as Handlers<T>['update'])(d.old, d.object)
          : (this.handlers[d.type][i] as Handlers<T>['add'])(d.object);
      return isPromiseLike(result) ? Promise.resolve(result).catch(fail) : undefined;
    } catch (err) {
      fail(err);
      return undefined;
    }
  }

  private async emitSynced(): Promise<void> {
    for (const fn of this.handlers.synced) {
      try {
        await fn();
      } catch (err) {
        this.log.error('Informer handler failed', { event: 'synced', err: err as Error });
      }
    }
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<void> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}
