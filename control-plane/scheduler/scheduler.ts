/**
 * The scheduling loop around the pure scheduler (kube-scheduler's
 * scheduleOne): informers on nodes, pods and namespaces keep the
 * ClusterSnapshot and the SchedulingQueue in step (scheduler-cache.ts);
 * the loop pops the next
 * pending pod, picks a node with schedulePod, counts the pod there at once
 * (assume) and binds it through pods/binding in the background, so the
 * next pod is scheduled without waiting for the API or the informer.
 *
 * - desired: pods without spec.nodeName whose schedulerName is ours;
 * - observed: nodes and the pods bound to them, plus assumed pods whose
 *   binding is in flight (confirmed when the informer sees the nodeName);
 * - sync: bind, or on failure write PodScheduled=False with
 *   kube-scheduler's message and a FailedScheduling event, and leave the
 *   pod unschedulable until a cluster event that could help (a node added
 *   or changed, a pod removed) moves it back: no polling, no busy loop.
 *
 * Binds run concurrently up to maxInFlightBinds; a failed bind forgets the
 * assumption and retries the pod after its backoff. Scheduling runs ahead
 * of the binds by up to as many pods again (assumed, their binds queued),
 * as kube-scheduler's scheduling cycle does not wait for binding cycles:
 * when an answer frees a slot, the next bind goes out at once instead of
 * after a scheduling attempt, so the API server is kept busy.
 *
 * @example
 * const s = startScheduler({ client, signal });
 * await s.ready;
 */
import type { ApiClient } from '../api/client/client.ts';
import { withRetry } from '../api/client/retry.ts';
import { TransportError } from '../api/client/transport.ts';
import { ApiError } from '../api/errors.ts';
import { rootLogger, type Logger } from '../api/log.ts';
import type { Pod } from '../api/types.ts';
import { realClock, type Clock } from '../controllers/runtime/clock.ts';
import { SchedulingQueue, type QueueOptions } from './queue.ts';
import { schedulePod } from './schedule.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { FailureRecorder } from './scheduler-failure.ts';
import { DEFAULT_SCHEDULER } from './scheduler-handlers.ts';
// kube-scheduler flushes unschedulable leftovers every 30 s.
const LEFTOVER_FLUSH_MS = 30_000;
// Pods scheduled before the loop yields to let informer events in.
const BATCH = 64;

export interface SchedulerOptions {
  client: ApiClient;
  /** Pods naming this scheduler (or none) are ours. Default "default-scheduler". */
  schedulerName?: string;
  /** Bindings in flight at once. Default 128. */
  maxInFlightBinds?: number;
  /** Backoff and unschedulable timeouts of the queue. */
  queue?: QueueOptions;
  logger?: Logger;
  clock?: Clock;
  /** Aborting stops the loop and the informers; `done` resolves after. */
  signal: AbortSignal;
}

export interface RunningScheduler {
  /** Resolves once the informers synced and the loop runs. */
  ready: Promise<void>;
  /** Resolves after the signal aborted and in-flight writes finished. */
  done: Promise<void>;
  /** Counters since start. */
  stats(): { scheduled: number; bound: number; bindErrors: number; unschedulable: number };
}

/** Starts the scheduler; see the module comment. */
export function startScheduler(opts: SchedulerOptions): RunningScheduler {
  const s = new Scheduler(opts);
  return { ready: s.ready, done: s.done, stats: () => ({ ...s.counters }) };
}

class Scheduler {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  readonly counters = { scheduled: 0, bound: 0, bindErrors: 0, unschedulable: 0 };
  private readonly o: SchedulerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly queue: SchedulingQueue;
  private readonly cache: SchedulerCache;
  private readonly failures: FailureRecorder;
  private readonly pending = new Set<Promise<void>>();
  // API writes (binds, failure records) waiting for one of the maxInFlight slots.
  private readonly waiting: (() => Promise<void>)[] = [];
  private readonly maxInFlight: number;
  private inFlight = 0;
  private slotFreed: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private nextStart = 0;

  constructor(o: SchedulerOptions) {
    this.o = o;
    const name = o.schedulerName ?? DEFAULT_SCHEDULER;
    this.clock = o.clock ?? realClock;
    this.log = (o.logger ?? rootLogger).child({ component: 'scheduler' });
    this.queue = new SchedulingQueue(o.queue);
    this.maxInFlight = Math.max(1, o.maxInFlightBinds ?? 128);
    this.cache = new SchedulerCache({
      client: o.client,
      schedulerName: name,
      queue: this.queue,
      clock: this.clock,
      logger: this.log,
      onWork: () => this.wakeUp(),
    });
    this.failures = new FailureRecorder({
      client: o.client,
      logger: this.log,
      component: name,
      now: () => this.clock.now(),
    });
    const informers = this.cache.run(o.signal);
    this.ready = this.cache.ready.then(() =>
      this.log.info('Scheduler informers synced', { nodes: this.cache.snapshot.nodeCount }),
    );
    this.ready.catch(() => undefined);
    this.done = this.ready
      .then(() => this.loop())
      .catch(() => undefined)
      .then(async () => {
        // Stepping down: writes not started yet are dropped; the next leader decides anew.
        this.waiting.length = 0;
        await informers;
        await Promise.all(this.pending);
        this.log.info('Scheduler stopped', this.counters);
      });
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async loop(): Promise<void> {
    const { signal } = this.o;
    this.log.info('Scheduling loop started', { maxInFlightBinds: this.maxInFlight });
    let lastFlush = this.clock.now();
    let n = 0;
    while (!signal.aborted) {
      const now = this.clock.now();
      this.queue.flushBackoffCompleted(now);
      if (now - lastFlush >= LEFTOVER_FLUSH_MS) {
        this.queue.flushUnschedulableLeftover(now);
        lastFlush = now;
      }
      if (this.waiting.length >= this.maxInFlight) {
        await new Promise<void>((r) => (this.slotFreed = r));
        continue;
      }
      const next = this.queue.pop();
      if (!next) {
        await this.idle(lastFlush + LEFTOVER_FLUSH_MS);
        continue;
      }
      this.scheduleOne(next.key, next.pod);
      if (++n % BATCH === 0) await new Promise((r) => setImmediate(r));
    }
  }

  // Sleeps until woken by an event, the next backoff expiry, or the leftover flush.
  private async idle(flushAt: number): Promise<void> {
    const at = Math.min(this.queue.nextBackoffAt() ?? Infinity, flushAt);
    const { signal } = this.o;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        timer.cancel();
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = this.clock.setTimeout(done, at - this.clock.now());
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private scheduleOne(key: string, pod: Pod): void {
    const r = schedulePod(pod, this.cache.snapshot, { startIndex: this.nextStart });
    this.nextStart = r.nextStartIndex;
    if ('node' in r) {
      this.counters.scheduled++;
      this.cache.assume(key, pod, r.node);
      this.write(() => this.bind(key, pod, r.node));
      return;
    }
    this.counters.unschedulable++;
    this.queue.requeue(key, r.plugins, this.clock.now());
    this.log.debug('Pod is unschedulable', { pod: key, message: r.unschedulable });
    this.write(() => this.failures.record(pod, r.unschedulable));
  }

  private async bind(key: string, pod: Pod, node: string): Promise<void> {
    const ref = {
      name: pod.metadata.name ?? '',
      namespace: pod.metadata.namespace,
      uid: pod.metadata.uid,
    };
    try {
      // A kept-alive connection the server just closed resets the request: send it
      // again at once (a repeat of a bind that landed answers 409, handled below).
      // Stepping down cancels binds in flight; the next leader sees what landed.
      const { signal } = this.o;
      await withRetry(() => this.o.client.bind(ref, node, { signal }), {
        steps: 3,
        initialMs: 5,
        maxMs: 20,
        signal,
        retryable: connectionReset,
      });
      this.counters.bound++;
      this.queue.done(key);
    } catch (err) {
      if (this.o.signal.aborted) return;
      this.counters.bindErrors++;
      this.cache.forget(key, node);
      // Bound elsewhere or gone: the informer will tell; else try again after backoff.
      const final = err instanceof ApiError && (err.code === 404 || err.code === 409);
      if (final) this.queue.done(key);
      else {
        this.log.warn('Binding failed, will retry', { pod: key, node, err: err as Error });
        this.queue.requeue(key, new Set(), this.clock.now());
        this.wakeUp();
      }
    }
  }

  // Starts `start` when a slot is free, else queues it (FIFO).
  private write(start: () => Promise<void>): void {
    this.waiting.push(start);
    this.startWrites();
  }

  private startWrites(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const p = (this.waiting.shift() as () => Promise<void>)();
      this.inFlight++;
      this.pending.add(p);
      void p.finally(() => {
        this.inFlight--;
        this.pending.delete(p);
        this.startWrites();
        const w = this.slotFreed;
        this.slotFreed = undefined;
        w?.();
      });
    }
  }
}

function connectionReset(err: unknown): boolean {
  return err instanceof TransportError && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
}
