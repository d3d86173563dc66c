/**
 * Retrying writes. `retryOnConflict` re-runs a whole read-modify-write when
 * the write lost an optimistic-concurrency race (409 Conflict), as
 * client-go's retry.RetryOnConflict does; `withRetry` re-runs a call after
 * transient failures (5xx, 429, no connection) where the caller asks for it.
 */
import { ApiError } from '../errors.ts';
import { Backoff, sleep, type BackoffOptions } from './backoff.ts';
import { TransportError } from './transport.ts';

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included. */
  steps?: number;
  /** Stops retrying (the last error is thrown) when aborted. */
  signal?: AbortSignal;
}

/**
 * client-go's DefaultRetry is 5 attempts 10 ms apart; skiff grows the delay
 * and allows 10 attempts, so a few dozen writers racing on one object all
 * get through.
 */
export const DEFAULT_CONFLICT_RETRY = { steps: 10, initialMs: 10, maxMs: 1_000, factor: 2 };

/** For transient failures: 5 attempts from 200 ms, doubling. */
export const DEFAULT_TRANSIENT_RETRY = { steps: 5, initialMs: 200, maxMs: 5_000, factor: 2 };

/**
 * Runs `fn` (which must read the object afresh each time) until it does not
 * fail with 409 Conflict, at most `steps` times. Any other error, or the
 * last Conflict, is thrown.
 *
 * @example
 * await retryOnConflict(async () => {
 *   const cm = await client.get(CONFIGMAPS, 'counter', { namespace: 'default' });
 *   cm.data = { n: String(Number(cm.data?.n ?? 0) + 1) };
 *   return client.update(CONFIGMAPS, cm);
 * });
 */
export function retryOnConflict<R>(fn: () => Promise<R>, opts: RetryOptions = {}): Promise<R> {
  return retry(fn, isConflict, { ...DEFAULT_CONFLICT_RETRY, ...opts });
}

/**
 * Runs `fn` until it succeeds or fails with an error `retryable` rejects
 * (default `isTransientError`), at most `steps` times; honours a server's
 * Retry-After (Status details.retryAfterSeconds). Use it only for calls that
 * are safe to repeat.
 */
export function withRetry<R>(
  fn: () => Promise<R>,
  opts: RetryOptions & { retryable?: (err: unknown) => boolean } = {},
): Promise<R> {
  return retry(fn, opts.retryable ?? isTransientError, { ...DEFAULT_TRANSIENT_RETRY, ...opts });
}

/** True for a 409 whose reason is Conflict (a stale resourceVersion), not AlreadyExists. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'Conflict';
}

/**
 * True for failures worth repeating unchanged: no HTTP response at all
 * (connection refused or reset, timeouts), 429 Too Many Requests, and 5xx
 * except 501 Not Implemented.
 */
export function isTransientError(err: unknown): boolean {
  if (err instanceof TransportError) return true;
  if (!(err instanceof ApiError)) return false;
  return err.code === 429 || (err.code >= 500 && err.code !== 501);
}

async function retry<R>(
  fn: () => Promise<R>,
  retryable: (err: unknown) => boolean,
  opts: RetryOptions,
): Promise<R> {
  const steps = Math.max(1, opts.steps ?? 1);
  const backoff = new Backoff(opts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= steps || !retryable(err) || opts.signal?.aborted) throw err;
      const wait = Math.max(backoff.next(), retryAfterMs(err));
      if (!(await sleep(wait, opts.signal))) throw err;
    }
  }
}

function retryAfterMs(err: unknown): number {
  const s = err instanceof ApiError ? err.details?.retryAfterSeconds : undefined;
  return typeof s === 'number' && s > 0 ? s * 1000 : 0;
}
