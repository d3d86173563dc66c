/**
 * The work queue's client-go semantics: de-duplication, one worker per key,
 * re-queue on done, delays and rate limits on a fake clock, shutdown.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { WorkQueue } from '../../../../control-plane/controllers/runtime/work-queue.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';

// A small deterministic PRNG (mulberry32) so a failing walk reproduces.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('work queue', () => {
  test('a key waits at most once', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    assert.equal(q.len, 2);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), 'ns/b');
    assert.equal(q.len, 0);
  });

  test('a key added while processed is handed out again only after done()', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('ns/a');
    const key = await q.get();
    assert.equal(key, 'ns/a');
    q.add('ns/a');
    q.add('ns/a');
    assert.equal(q.len, 0, 'not queued while a worker holds it');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await nextMacrotask();
    assert.equal(second, undefined, 'no second worker gets it');
    q.done('ns/a');
    await nextMacrotask();
    assert.equal(second, 'ns/a', 'queued once more on done');
  });

  test('waiting workers are served in order as keys arrive', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const got = [q.get(), q.get()];
    q.add('ns/x');
    q.add('ns/y');
    assert.deepEqual(await Promise.all(got), ['ns/x', 'ns/y']);
  });

  test('never hands a key to two workers, and loses no add (random concurrent walk)', async () => {
    const random = rng(7);
    const q = new WorkQueue({ clock: new FakeClock() });
    const keys = Array.from({ length: 12 }, (_, i) => `ns/k${i}`);
    const active = new Set<string>();
    let violations = 0;
    let processed = 0;
    // seq of the last add of each key, and of the last time a worker started it
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let seq = 0;
    const add = (k: string) => {
      lastAdd.set(k, ++seq);
      q.add(k);
    };
    const worker = async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (active.has(k)) violations++;
        active.add(k);
        lastStart.set(k, ++seq);
        processed++;
        // Yield a random number of times, adding keys (often our own) meanwhile.
        for (let i = Math.floor(random() * 3); i > 0; i--) {
          if (random() < 0.5)
            add(random() < 0.5 ? k : (keys[Math.floor(random() * keys.length)] as string));
          await nextMacrotask();
        }
        active.delete(k);
        q.done(k);
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    for (let round = 0; round < 400; round++) {
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        add(keys[Math.floor(random() * keys.length)] as string);
      }
      await nextMacrotask();
    }
    // Let the workers finish what is queued, then stop them.
    for (let i = 0; i < 1000 && (q.len > 0 || active.size > 0); i++) await nextMacrotask();
    await q.shutDownWithDrain();
    await Promise.all(workers);
    assert.equal(violations, 0, 'a key was processed by two workers at once');
    assert.ok(processed > 100, `only ${processed} keys were processed`);
    for (const [k, addedAt] of lastAdd) {
      assert.ok((lastStart.get(k) ?? 0) > addedAt, `${k} was added after its last processing`);
    }
  });

  test('addAfter delays a key; the soonest of two delays wins', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('ns/a', 100);
    q.addAfter('ns/b', 500);
    q.addAfter('ns/b', 200);
    q.addAfter('ns/c', 150);
    q.addAfter('ns/c', 900);
    q.addAfter('ns/now', 0);
    assert.equal(q.len, 1);
    clock.advance(99);
    assert.equal(q.len, 1);
    clock.advance(1);
    assert.equal(q.len, 2);
    clock.advance(100);
    assert.equal(q.len, 4, 'b at 200 ms and c at 150 ms');
    assert.equal(q.delayedLen, 0);
  });

  test('a delayed key wakes a waiting worker', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const got = q.get();
    q.addAfter('ns/a', 1_000);
    await clock.tick(1_000);
    assert.equal(await got, 'ns/a');
  });

  test('addRateLimited backs off 5 ms doubling per key until forget()', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    // Adds `key` rate-limited and returns the ms until it is ready, then takes it.
    const readyAfter = (key: string): number => {
      const start = clock.now();
      q.addRateLimited(key);
      while (q.len === 0) clock.advance(1);
      void q.get();
      q.done(key);
      return clock.now() - start;
    };
    const delays = [1, 2, 3, 4, 5].map(() => readyAfter('ns/a'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(q.numRequeues('ns/a'), 5);
    q.forget('ns/a');
    assert.equal(q.numRequeues('ns/a'), 0);
    assert.equal(readyAfter('ns/a'), 5);
  });

  test('the per-key backoff stops growing at 1000 s', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    for (let i = 0; i < 30; i++) {
      q.addRateLimited('ns/b');
      clock.advance(2_000_000);
      void q.get();
      q.done('ns/b');
    }
    const start = clock.now();
    q.addRateLimited('ns/b');
    clock.advance(999_999);
    assert.equal(q.len, 0);
    clock.advance(1);
    assert.equal(q.len, 1);
    assert.equal(clock.now() - start, 1_000_000);
  });

  test('repeated rate-limited adds keep the soonest delay', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    for (let i = 0; i < 10; i++) q.addRateLimited('ns/a');
    assert.equal(q.numRequeues('ns/a'), 10);
    clock.advance(5);
    assert.equal(q.len, 1);
  });

  test('the overall bucket allows a burst of 100, then 10 per second', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    for (let i = 0; i < 100; i++) q.addRateLimited(`ns/k${i}`);
    clock.advance(5);
    assert.equal(q.len, 100, 'the burst waits only the per-key 5 ms');
    q.addRateLimited('ns/k100');
    q.addRateLimited('ns/k101');
    clock.advance(90);
    assert.equal(q.len, 100);
    clock.advance(10);
    assert.equal(q.len, 101, 'the 101st waits for a token (100 ms at 10/s)');
    clock.advance(100);
    assert.equal(q.len, 102);
  });

  test('after shutDown: adds are ignored, queued keys drain, then get() ends', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('ns/a');
    q.addAfter('ns/later', 10);
    q.shutDown();
    q.add('ns/b');
    clock.advance(100);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), undefined);
    assert.equal(clock.timers, 0, 'the delay timer was cancelled');
    const waiting = new WorkQueue({ clock });
    const pending = waiting.get();
    waiting.shutDown();
    assert.equal(await pending, undefined);
  });

  test('shutDownWithDrain resolves once the keys in process are done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('ns/a');
    const key = await q.get();
    let drained = false;
    const d = q.shutDownWithDrain().then(() => (drained = true));
    await nextMacrotask();
    assert.equal(drained, false);
    q.done(key as string);
    await d;
    assert.equal(drained, true);
  });
});
