/**
 * runController: the engine every controller runs on, after
 * controller-runtime's internal controller. Workers take keys from the work
 * queue and call reconcile(key); the outcome decides what happens next:
 *
 * - success (no result): forget the key's failures;
 * - `{ requeueAfter: ms }`: forget, then add the key again after `ms`;
 * - a thrown TerminalError: log it and forget (retrying cannot help);
 * - any other thrown error: log it with the key and attempt, and add the
 *   key rate-limited (5 ms doubling per key, 10/s overall).
 *
 * reconcile is level-triggered: it reads the current state from caches by
 * key, never an event's payload, and is safe to run any number of times.
 * One key is never reconciled by two workers at once (the queue's promise).
 */
import { rootLogger, type Logger } from '../../api/log.ts';
import type { WorkQueue } from './work-queue.ts';

/** What reconcile asks for: nothing more, or another pass after `requeueAfter` ms. */
export type Result = { requeueAfter?: number } | void;

/** reconcile(key) for one "namespace/name" (or "name") key; `signal` aborts at shutdown. */
export type Reconcile = (key: string, signal: AbortSignal) => Promise<Result>;

/** An error that retrying cannot fix (bad spec, missing permission): logged, not requeued. */
export class TerminalError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'TerminalError';
  }
}

export interface ControllerOptions {
  /** Names the controller in logs ("replicaset", "endpoints"). */
  name: string;
  reconcile: Reconcile;
  /** Keys reconciled at the same time (distinct keys only). Default 1. */
  workers?: number;
  queue: WorkQueue;
  logger?: Logger;
  /** Aborting shuts the queue down; runController resolves when the workers stopped. */
  signal: AbortSignal;
}

/**
 * Runs `workers` workers over `queue` until `signal` aborts, then shuts the
 * queue down and resolves once every in-flight reconcile has returned.
 * Start it after the informers feeding the queue have synced.
 */
export async function runController(opts: ControllerOptions): Promise<void> {
  const log = (opts.logger ?? rootLogger).child({ controller: opts.name });
  const { queue, signal } = opts;
  const stop = (): void => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const workers = Math.max(1, opts.workers ?? 1);
  log.info('Starting workers', { workers });
  try {
    await Promise.all(Array.from({ length: workers }, () => worker(opts, log)));
  } finally {
    signal.removeEventListener('abort', stop);
  }
  log.info('All workers finished');
}

async function worker(opts: ControllerOptions, log: Logger): Promise<void> {
  const { queue, signal } = opts;
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      // After shutdown the queue still hands out what was queued; skip it.
      if (!signal.aborted) await reconcileOne(opts, key, log);
    } finally {
      queue.done(key);
    }
  }
}

async function reconcileOne(opts: ControllerOptions, key: string, log: Logger): Promise<void> {
  const { queue, signal } = opts;
  let result: Result;
  try {
    result = await opts.reconcile(key, signal);
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof TerminalError) {
      log.error('Reconciler error (terminal, not retried)', { key, err });
      queue.forget(key);
      return;
    }
    // numRequeues counts earlier failures; this is attempt numRequeues + 1.
    log.error('Reconciler error, will retry', { key, attempt: queue.numRequeues(key) + 1, err });
    queue.addRateLimited(key);
    return;
  }
  queue.forget(key);
  const after = result?.requeueAfter;
  if (after !== undefined && after > 0) queue.addAfter(key, after);
}
