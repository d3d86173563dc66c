/**
 * Time for the probe manager: one-shot timers (real ones, or a FakeClock's
 * in tests), and a probe check bounded by a deadline, so a checker that
 * never answers cannot stall its worker.
 */
import type { Probe } from '../../control-plane/api/types.ts';
import type { CheckResult, ProbeChecker, ProbeContext } from './probe-checks.ts';

/** One-shot timers; FakeClock (test/fakes/fake-clock.ts) has them. */
export interface TimerSource {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** Real timers that do not keep the process alive (the agent's servers do). */
export const realTimers: TimerSource = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A check still running this long after its timeout is abandoned as failed. */
export const CHECK_SLACK_MS = 1_000;

/**
 * The checker's answer; a failure when it has not answered `timeoutMs` +
 * CHECK_SLACK_MS after the start (the checker enforces the timeout itself;
 * this is the backstop), and an `error` outcome when it throws.
 */
export function checkWithDeadline(
  checker: ProbeChecker,
  probe: Probe,
  ctx: ProbeContext,
  timeoutMs: number,
  timers: TimerSource,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    const guard = timers.setTimeout(
      () =>
        resolve({
          outcome: 'failure',
          output: `probe did not finish within its timeout of ${timeoutMs / 1000}s`,
        }),
      timeoutMs + CHECK_SLACK_MS,
    );
    const failed = (err: unknown) => {
      guard.cancel();
      resolve({ outcome: 'error', output: err instanceof Error ? err.message : String(err) });
    };
    try {
      checker.check(probe, ctx, timeoutMs).then((r) => {
        guard.cancel();
        resolve(r);
      }, failed);
    } catch (err) {
      failed(err);
    }
  });
}
