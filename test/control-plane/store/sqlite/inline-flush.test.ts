/**
 * The inline-flush gate (pure logic over given times): lone writes flush
 * inline while inline flushes stay fast on average; a disk that stays slow
 * sends them to the thread pool for the back-off period; outliers do not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  INLINE_FLUSH_BACKOFF_MS,
  INLINE_FLUSH_MAX_MS,
  InlineFlushGate,
} from '../../../../control-plane/store/sqlite/inline-flush.ts';

/** Records `durations` (ms) one after another starting at `t`; returns the end time. */
function run(gate: InlineFlushGate, t: number, durations: number[]): number {
  for (const ms of durations) {
    t += ms;
    gate.record(ms, t);
  }
  return t;
}

const fast = (n: number): number[] => Array.from({ length: n }, () => INLINE_FLUSH_MAX_MS / 8);
const slow = (n: number): number[] => Array.from({ length: n }, () => INLINE_FLUSH_MAX_MS * 5);

test('fast flushes keep inline flushing on, and a lone slow outlier does not turn it off', () => {
  const gate = new InlineFlushGate();
  assert.equal(gate.allowed(0), true);
  let t = run(gate, 0, fast(100));
  t = run(gate, t, slow(1));
  assert.equal(gate.allowed(t), true);
  t = run(gate, t, fast(100));
  assert.equal(gate.allowed(t), true);
});

test('flushes that stay slow turn inline flushing off for the back-off, then it is retried', () => {
  const gate = new InlineFlushGate();
  let t = run(gate, 0, fast(100));
  let flushes = 0;
  while (gate.allowed(t) && flushes < 100) {
    t = run(gate, t, slow(1));
    flushes++;
  }
  assert.equal(gate.allowed(t), false, 'slow flushes turned it off');
  assert.ok(flushes > 1, `off after ${flushes} slow flush(es): one outlier must not do it`);
  assert.equal(gate.allowed(t + INLINE_FLUSH_BACKOFF_MS - 1), false);
  t += INLINE_FLUSH_BACKOFF_MS;
  assert.equal(gate.allowed(t), true, 'retried after the back-off');
  // Still slow: one more slow flush is enough to back off again.
  t = run(gate, t, slow(1));
  assert.equal(gate.allowed(t), false);
  // Fast again: after the back-off it stays on.
  t += INLINE_FLUSH_BACKOFF_MS;
  t = run(gate, t, fast(100));
  assert.equal(gate.allowed(t), true);
});

test('a limit of 0 never allows inline flushes', () => {
  assert.equal(new InlineFlushGate(0).allowed(1e9), false);
});
