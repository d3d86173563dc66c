/**
 * The controllers' work queue, with client-go's workqueue semantics
 * (util/workqueue: Type + delaying + rate-limiting queues in one):
 *
 * - Keys ("namespace/name") are de-duplicated: a key waits in the queue at
 *   most once however often it is added (the dirty set).
 * - A key is never handed to two workers at once: while a worker holds it
 *   (the processing set), adding it again only marks it dirty, and done()
 *   puts it back in the queue for a later get().
 * - addAfter delays a key; addRateLimited delays it by the rate limiter
 *   (per-key backoff and an overall bucket); forget() clears its history.
 * - After shutDown() new adds are ignored, get() hands out what is still
 *   queued and then resolves undefined.
 *
 * @example
 * const q = new WorkQueue();
 * q.add('default/web');
 * const key = await q.get(); // 'default/web', now processing
 * q.done(key);
 */
import { realClock, type Clock, type ClockTimer } from './clock.ts';
import { KeyedHeap } from './keyed-heap.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions {
  /** Time source for delays. Default the wall clock. */
  clock?: Clock;
  /** Delays of addRateLimited. Default client-go's controller rate limiter. */
  rateLimiter?: RateLimiter;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  // FIFO of keys ready for a worker; `head` avoids O(n) shifts.
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly delayed = new KeyedHeap<number>((a, b) => a < b);
  private timer: ClockTimer | undefined;
  private timerAt = Infinity;
  private drained: (() => void)[] = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
  }

  /** Queues `key` unless it already waits; a key being processed is re-queued by done(). */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /**
   * Adds `key` after `ms`. An earlier pending delay of the same key wins
   * (client-go keeps the soonest ready time).
   */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending !== undefined && pending <= at) return;
    this.delayed.set(key, at);
    this.arm();
  }

  /** Adds `key` after the rate limiter's delay, counting one more failure of it. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears the failure history of `key` (its next addRateLimited waits the base delay). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** How many times `key` was rate-limited since it was last forgotten. */
  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * The next key to work on, waiting until there is one; undefined once the
   * queue is shut down and empty. The caller must call done(key) afterwards.
   */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of `key`; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  /** Stops accepting keys and drops delayed ones; waiting get() calls resolve undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    while (this.delayed.pop());
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  /** shutDown(), then resolves once no key is being processed. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** True after shutDown(). */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys ready for a worker (not counting delayed or in-process keys). */
  get len(): number {
    return this.queue.length - this.head;
  }

  /** Keys waiting for their delay to pass. */
  get delayedLen(): number {
    return this.delayed.size;
  }

  // Moves the front key to processing. Bookkeeping happens here, synchronously,
  // so a key is marked processing before any other get() can see the queue.
  private take(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++] as string;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0) {
      const key = this.take();
      if (key === undefined) return;
      (this.waiters.shift() as (key: string) => void)(key);
    }
  }

  // One timer, set for the soonest delayed key.
  private arm(): void {
    const next = this.delayed.peek();
    if (!next || next.value >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = next.value;
    this.timer = this.clock.setTimeout(() => this.fire(), next.value - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let top = this.delayed.peek(); top && top.value <= now; top = this.delayed.peek()) {
      this.delayed.pop();
      this.add(top.key);
    }
    this.arm();
  }
}
