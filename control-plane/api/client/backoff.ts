/**
 * Exponential backoff with jitter, and an abortable sleep. The computation
 * is pure (the random source is injectable) so tests check the sequence.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** First delay. Default 200 ms. */
  initialMs?: number;
  /** Cap on the un-jittered delay. Default 30 s. */
  maxMs?: number;
  /** Growth per step. Default 2. */
  factor?: number;
  /**
   * Spread: each delay is the base times a uniform factor in
   * [1 - jitter/2, 1 + jitter/2), so clients that failed together do not
   * retry together. Default 1 (0.5x to 1.5x).
   */
  jitter?: number;
  /** Uniform [0, 1) source; Math.random by default. */
  random?: () => number;
}

/** Delays 200 ms, 400 ms, 800 ms ... up to 30 s (each jittered); `reset()` after a success. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private base: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 200;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 1;
    this.random = opts.random ?? Math.random;
    this.base = this.initialMs;
  }

  /** The delay to wait now; the next call returns a longer one, up to the cap. */
  next(): number {
    const base = this.base;
    this.base = Math.min(this.maxMs, base * this.factor);
    return Math.round(base * (1 - this.jitter / 2 + this.jitter * this.random()));
  }

  /** Back to the first delay. */
  reset(): void {
    this.base = this.initialMs;
  }
}

/** Waits `ms`; resolves false early (never throws) when `signal` aborts, true otherwise. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}
