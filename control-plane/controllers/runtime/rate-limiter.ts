/**
 * How long a failed key waits before its retry, as client-go's
 * workqueue rate limiters: a per-key exponential backoff, an overall token
 * bucket, and the maximum of both (DefaultControllerRateLimiter).
 */
import type { Clock } from './clock.ts';

export interface RateLimiter {
  /** The delay before `key` may be retried; counts one more failure of it. */
  when(key: string): number;
  /** Clears the failure history of `key` (after a success). */
  forget(key: string): void;
  /** How many times `key` has failed since it was last forgotten. */
  numRequeues(key: string): number;
}

/**
 * base × 2^failures, capped at `maxMs` (client-go's
 * ItemExponentialFailureRateLimiter): 5 ms, 10 ms, 20 ms ... 1000 s by default.
 */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(baseMs = 5, maxMs = 1_000_000) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** exp);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A token bucket shared by all keys (client-go's BucketRateLimiter over
 * x/time/rate): `burst` retries at once, then `qps` per second. Every call
 * takes a token, possibly one not yet refilled, and waits until it would be.
 */
export class BucketRateLimiter implements RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(clock: Clock, qps = 10, burst = 100) {
    this.clock = clock;
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters; every limiter counts every failure. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    let longest = 0;
    for (const l of this.limiters) longest = Math.max(longest, l.when(key));
    return longest;
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    let most = 0;
    for (const l of this.limiters) most = Math.max(most, l.numRequeues(key));
    return most;
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per-key 5 ms doubling to 1000 s,
 * and overall 10 retries per second with a burst of 100.
 */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter(5, 1_000_000),
    new BucketRateLimiter(clock, 10, 100),
  );
}
