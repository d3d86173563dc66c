/**
 * Runs a sync function level-triggered and rate-limited, as kube-proxy's
 * BoundedFrequencyRunner: requests mark the state dirty and coalesce; a
 * requested run starts at most `minIntervalMs` after the previous
 * requested one (a burst of changes becomes one run; a lone change runs at
 * once), never two at once, and a run happens at least every
 * `maxIntervalMs`. Those periodic runs do not delay the next requested
 * one: a change right after one is synced at once (it waits only for a
 * run in progress).
 */

/** How a SyncLimiter runs. */
export interface SyncLimiterOptions {
  /** The work; a rejection is the caller's to log (the limiter only re-schedules via retry()). */
  run: () => Promise<void>;
  /** Minimum time between the starts of two runs. */
  minIntervalMs: number;
  /** A run happens at least this often even without requests. */
  maxIntervalMs: number;
}

/** A rate-limited, coalescing runner; see the module comment. */
export class SyncLimiter {
  readonly #o: SyncLimiterOptions;
  #dirty = false;
  #running: Promise<void> | undefined;
  #lastStart = -Infinity;
  #notBefore = -Infinity;
  #timerAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #periodic: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Whether the pending run was asked for by request()/retry()/runNow() (not only periodic). */
  #requested = false;
  #waiters: (() => void)[] = [];

  constructor(o: SyncLimiterOptions) {
    this.#o = o;
    this.#periodic = setInterval(() => {
      this.#dirty = true;
      this.#schedule();
    }, o.maxIntervalMs);
  }

  /** Marks dirty: a run starts as soon as the minimum interval (and any retry back-off) allows. */
  request(): void {
    this.#dirty = true;
    this.#requested = true;
    this.#schedule();
  }

  /** Marks dirty, with no run before `delayMs` from now (the back-off after a failure). */
  retry(delayMs: number): void {
    this.#dirty = true;
    this.#requested = true;
    this.#notBefore = performance.now() + delayMs;
    this.#schedule();
  }

  /** Requests a run now (ignoring the minimum interval) and resolves when one that started after this call ends. */
  async runNow(): Promise<void> {
    this.#dirty = true;
    this.#requested = true;
    const done = new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (this.#running) await this.#running;
    this.#clearTimer();
    void this.#start();
    return done;
  }

  /** Stops all timers and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    clearInterval(this.#periodic);
    await this.#running;
    for (const w of this.#waiters.splice(0)) w();
  }

  #schedule(): void {
    // A running sync re-schedules when it ends if it was marked dirty meanwhile.
    if (this.#stopped || this.#running || !this.#dirty) return;
    const at = Math.max(
      this.#notBefore,
      this.#requested ? this.#lastStart + this.#o.minIntervalMs : -Infinity,
    );
    if (this.#timer && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.#start();
      },
      Math.max(0, at - performance.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #start(): Promise<void> {
    if (this.#stopped || this.#running || !this.#dirty) return;
    this.#dirty = false;
    if (this.#requested) this.#lastStart = performance.now();
    this.#requested = false;
    this.#notBefore = -Infinity;
    const waiters = this.#waiters.splice(0);
    this.#running = this.#o.run().catch(() => undefined);
    await this.#running;
    this.#running = undefined;
    for (const w of waiters) w();
    this.#schedule();
  }
}
