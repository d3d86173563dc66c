/**
 * When a lone write's WAL flush may run on the event loop. Handing an
 * fdatasync to libuv's thread pool costs two thread wake-ups (out and back)
 * and a loop turn; when the disk flushes in a fraction of a millisecond
 * that handoff, not the flush, is most of a lone write's latency and CPU
 * (and on a busy machine each wake-up may wait for a core). So a batch of
 * one write with nothing else in flight is flushed inline, as SQLite's own
 * `synchronous = FULL` would, while such flushes stay fast on average.
 * When they get slow (a busy or slow disk) the loop would stall for them,
 * so lone writes go back to the thread pool for a while, then try again.
 * Pure logic over the times it is given.
 */

/**
 * Inline flushes are allowed while their moving average stays at or below
 * this. Above it the handoff (about 0.1 ms) is a small share of a write's
 * latency, and stalling the loop longer per write would hold up reads and
 * watch events. A busy shared disk stays under it: with other test suites
 * hammering this machine's disk (load 15-18) flushes averaged 1.3-2.8 ms,
 * and a 2 ms limit sent most lone writes to the thread pool, where every
 * wake-up then also waited for a core.
 */
export const INLINE_FLUSH_MAX_MS = 5;
/** After inline flushes got slow, this long with every flush on the thread pool. */
export const INLINE_FLUSH_BACKOFF_MS = 1000;
/**
 * Weight of the newest flush in the moving average (about the last 50
 * flushes): outliers and short bursts (a 10 ms flush among 0.3 ms ones
 * adds 0.2 ms) do not trip it; a disk that stays slow does (10 ms flushes
 * within 35 of them, 50 ms ones within 6).
 */
const WEIGHT = 0.02;

/** Tracks inline flush durations; says whether the next lone write may flush inline. */
export class InlineFlushGate {
  private readonly maxMs: number;
  private readonly backoffMs: number;
  private averageMs = 0;
  private offUntil = 0;

  /** `maxMs` 0 turns inline flushes off. */
  constructor(maxMs = INLINE_FLUSH_MAX_MS, backoffMs = INLINE_FLUSH_BACKOFF_MS) {
    this.maxMs = maxMs;
    this.backoffMs = backoffMs;
  }

  /** Whether a lone write committed at `now` (ms, any monotonic clock) may flush inline. */
  allowed(now: number): boolean {
    return this.maxMs > 0 && now >= this.offUntil;
  }

  /** Records an inline flush that took `ms` and ended at `now`. */
  record(ms: number, now: number): void {
    this.averageMs += WEIGHT * (ms - this.averageMs);
    if (this.averageMs <= this.maxMs) return;
    this.offUntil = now + this.backoffMs;
    // Retry from the limit: one more slow flush then backs off again at once.
    this.averageMs = this.maxMs;
  }
}
