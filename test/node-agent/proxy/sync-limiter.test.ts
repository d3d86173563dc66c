import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncLimiter } from '../../../node-agent/proxy/sync-limiter.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SyncLimiter: a burst of requests coalesces, runs never overlap', async () => {
  let runs = 0;
  let active = 0;
  let overlapped = false;
  const limiter = new SyncLimiter({
    run: async () => {
      active++;
      overlapped ||= active > 1;
      runs++;
      await sleep(50);
      active--;
    },
    minIntervalMs: 300,
    maxIntervalMs: 60_000,
  });
  try {
    for (let i = 0; i < 50; i++) limiter.request();
    await sleep(100);
    for (let i = 0; i < 50; i++) limiter.request(); // during the minimum interval: one more run
    await sleep(1500);
    assert.equal(runs, 2);
    assert.equal(overlapped, false);
    await limiter.runNow();
    assert.equal(runs, 3);
  } finally {
    await limiter.stop();
  }
});

test('SyncLimiter: retry waits for its back-off; nothing runs after stop', async () => {
  const starts: number[] = [];
  const limiter = new SyncLimiter({
    run: () => {
      starts.push(performance.now());
      return Promise.resolve();
    },
    minIntervalMs: 10,
    maxIntervalMs: 60_000,
  });
  const t = performance.now();
  limiter.retry(400);
  limiter.request(); // does not jump the back-off
  await sleep(1200);
  assert.equal(starts.length, 1);
  assert.ok((starts[0] ?? 0) - t >= 390, `ran after ${(starts[0] ?? 0) - t} ms`);
  await limiter.stop();
  limiter.request();
  await sleep(100);
  assert.equal(starts.length, 1);
});

test('SyncLimiter: a periodic run does not hold back the next requested one', async () => {
  let runs = 0;
  const limiter = new SyncLimiter({
    run: () => {
      runs++;
      return Promise.resolve();
    },
    minIntervalMs: 600_000, // were the periodic run counted, the request would wait 10 minutes
    maxIntervalMs: 5000,
  });
  try {
    for (let i = 0; i < 200 && runs === 0; i++) await sleep(50); // the first periodic run
    assert.equal(runs, 1, 'a periodic run happened');
    limiter.request();
    // Well before the next periodic run (5 s later), the request has run.
    for (let i = 0; i < 60 && runs === 1; i++) await sleep(50);
    assert.equal(runs, 2, 'the requested run came at once');
  } finally {
    await limiter.stop();
  }
});
