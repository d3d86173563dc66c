import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff, sleep } from '../../../../control-plane/api/client/backoff.ts';

describe('backoff', () => {
  test('doubles from the initial delay up to the cap', () => {
    const b = new Backoff({ initialMs: 200, maxMs: 1_000, jitter: 0 });
    assert.deepEqual(
      [b.next(), b.next(), b.next(), b.next(), b.next()],
      [200, 400, 800, 1000, 1000],
    );
    b.reset();
    assert.equal(b.next(), 200);
  });

  test('jitter spreads each delay between half and one and a half times the base', () => {
    const low = new Backoff({ initialMs: 200, random: () => 0 });
    const high = new Backoff({ initialMs: 200, random: () => 0.999999 });
    assert.deepEqual([low.next(), low.next()], [100, 200]);
    assert.deepEqual([high.next(), high.next()], [300, 600]);
  });

  test('sleep resolves false at once when aborted', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    assert.equal(await p, false);
    assert.equal(await sleep(1), true);
  });
});
