/**
 * runController: what each reconcile outcome does to the key (forget,
 * requeueAfter, rate-limited retry, terminal), one worker per key with
 * several workers, and a clean stop on abort.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createLogger } from '../../../../control-plane/api/log.ts';
import {
  TerminalError,
  runController,
  type Reconcile,
} from '../../../../control-plane/controllers/runtime/controller.ts';
import { WorkQueue } from '../../../../control-plane/controllers/runtime/work-queue.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({}, { level: 'debug', sink: (l) => lines.push(JSON.parse(l)) });
  return { logger, lines };
}

async function settle(times = 20): Promise<void> {
  for (let i = 0; i < times; i++) await nextMacrotask();
}

// Starts a controller over a fresh queue on a fake clock; stop() aborts and awaits it.
function start(reconcile: Reconcile, workers = 1) {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  const ac = new AbortController();
  const { logger, lines } = captureLogger();
  const done = runController({
    name: 'test',
    reconcile,
    workers,
    queue,
    logger,
    signal: ac.signal,
  });
  const stop = async () => {
    ac.abort();
    await done;
  };
  return { clock, queue, lines, stop, signal: ac.signal };
}

describe('runController', () => {
  test('success forgets the key', async () => {
    let fail = true;
    const calls: string[] = [];
    const c = start(async (key) => {
      calls.push(key);
      if (fail) throw new Error('not yet');
    });
    c.queue.add('ns/a');
    await settle();
    assert.equal(c.queue.numRequeues('ns/a'), 1);
    fail = false;
    await c.clock.tick(5);
    await settle();
    assert.deepEqual(calls, ['ns/a', 'ns/a']);
    assert.equal(c.queue.numRequeues('ns/a'), 0, 'forgotten after success');
    await c.stop();
  });

  test('an error is retried with backoff and logged with the key and attempt', async () => {
    let calls = 0;
    const c = start(async () => {
      calls++;
      throw new Error('boom');
    });
    c.queue.add('ns/a');
    await settle();
    assert.equal(calls, 1);
    await c.clock.tick(4);
    await settle();
    assert.equal(calls, 1, 'waits 5 ms');
    await c.clock.tick(1);
    await settle();
    assert.equal(calls, 2);
    await c.clock.tick(10);
    await settle();
    assert.equal(calls, 3, 'then 10 ms');
    const errors = c.lines.filter((l) => l.msg === 'Reconciler error, will retry');
    assert.deepEqual(
      errors.map((l) => [l.controller, l.key, l.attempt]),
      [
        ['test', 'ns/a', 1],
        ['test', 'ns/a', 2],
        ['test', 'ns/a', 3],
      ],
    );
    assert.deepEqual(errors[0]?.err, { message: 'boom' });
    await c.stop();
  });

  test('a TerminalError is logged and not retried', async () => {
    let calls = 0;
    const c = start(async () => {
      calls++;
      throw new TerminalError('spec.replicas is negative');
    });
    c.queue.add('ns/a');
    await settle();
    await c.clock.tick(60_000);
    await settle();
    assert.equal(calls, 1);
    assert.equal(c.queue.numRequeues('ns/a'), 0);
    assert.equal(c.queue.delayedLen, 0);
    assert.ok(
      c.lines.some((l) => l.msg === 'Reconciler error (terminal, not retried)' && l.key === 'ns/a'),
    );
    await c.stop();
  });

  test('requeueAfter runs the key again after that delay', async () => {
    let calls = 0;
    const c = start(async () => {
      calls++;
      return calls === 1 ? { requeueAfter: 30_000 } : undefined;
    });
    c.queue.add('ns/a');
    await settle();
    await c.clock.tick(29_999);
    await settle();
    assert.equal(calls, 1);
    await c.clock.tick(1);
    await settle();
    assert.equal(calls, 2);
    await c.clock.tick(60_000);
    await settle();
    assert.equal(calls, 2, 'no further pass without a request');
    await c.stop();
  });

  test('several workers run distinct keys at once, never one key twice', async () => {
    const running = new Set<string>();
    let overlap = 0;
    let most = 0;
    const c = start(async (key) => {
      if (running.has(key)) overlap++;
      running.add(key);
      most = Math.max(most, running.size);
      await nextMacrotask();
      await nextMacrotask();
      running.delete(key);
    }, 4);
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 6; i++) c.queue.add(`ns/k${(round + i) % 8}`);
      await nextMacrotask();
    }
    await settle(200);
    assert.equal(overlap, 0);
    assert.ok(most > 1, 'workers ran in parallel');
    assert.ok(most <= 4);
    await c.stop();
  });

  test('abort stops the workers after the reconcile in flight returns', async () => {
    let release!: () => void;
    let sawAbort = false;
    const c = start(
      (_key, signal) =>
        new Promise<void>((resolve) => {
          release = () => {
            sawAbort = signal.aborted;
            resolve();
          };
        }),
    );
    c.queue.add('ns/a');
    await settle();
    let stopped = false;
    const stopping = c.stop().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, 'waits for the reconcile in flight');
    c.queue.add('ns/b');
    release();
    await stopping;
    assert.equal(sawAbort, true, 'reconcile saw the aborted signal');
    assert.equal(c.queue.isShuttingDown, true);
  });
});
