/**
 * Time as the controller runtime sees it: the current time and one-shot
 * timers. Components take a Clock so tests drive time with a FakeClock
 * (test/fakes/fake-clock.ts) instead of sleeping.
 */

/** A scheduled callback; cancel() is safe to call after it fired or twice. */
export interface ClockTimer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch (Date.now() for the real clock). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds (0 or less: as soon as possible). */
  setTimeout(fn: () => void, ms: number): ClockTimer;
}

/**
 * The wall clock. A pending timer keeps the process alive, as setTimeout
 * does, so owners cancel theirs when they stop (WorkQueue.shutDown does).
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * Waits `ms` on `clock`; resolves true when the time passed, false as soon as
 * `signal` aborts (never rejects).
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
