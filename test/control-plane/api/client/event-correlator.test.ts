/**
 * EventCorrelator (pure): dedup keys, aggregation of similar events and
 * the per-object spam filter, with client-go's defaults.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COMBINED_PREFIX,
  EventCorrelator,
  Lru,
  type EventInput,
} from '../../../../control-plane/api/client/event-correlator.ts';

const T0 = Date.UTC(2025, 0, 1);

function input(extra: Partial<EventInput> = {}): EventInput {
  return {
    component: 'kubelet',
    host: 'n1',
    involved: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1' },
    type: 'Normal',
    reason: 'Pulled',
    message: 'Container image "a:1" already present on machine',
    ...extra,
  };
}

describe('EventCorrelator keys', () => {
  const cases: { name: string; a: Partial<EventInput>; b: Partial<EventInput>; same: boolean }[] = [
    { name: 'identical records share a key', a: {}, b: {}, same: true },
    { name: 'another message is another event', a: {}, b: { message: 'x' }, same: false },
    { name: 'another reason', a: {}, b: { reason: 'Created' }, same: false },
    { name: 'another type', a: {}, b: { type: 'Warning' }, same: false },
    { name: 'another host', a: {}, b: { host: 'n2' }, same: false },
    {
      name: 'another pod UID (re-created pod)',
      a: {},
      b: { involved: { ...input().involved, uid: 'u2' } },
      same: false,
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const c = new EventCorrelator();
      const a = c.correlate(input(tc.a), T0);
      const b = c.correlate(input(tc.b), T0);
      assert.ok(a && b);
      assert.equal(a.key === b.key, tc.same);
    });
  }
});

describe('EventCorrelator aggregation', () => {
  test('the 10th distinct message within 10 minutes is combined, and later ones share its key', () => {
    const c = new EventCorrelator();
    const out = Array.from({ length: 12 }, (_, i) =>
      c.correlate(input({ reason: 'Unhealthy', message: `probe failed: ${i}` }), T0 + i * 1000),
    );
    for (const r of out.slice(0, 9)) assert.ok(r && !r.message.startsWith(COMBINED_PREFIX));
    const combined = out.slice(9);
    for (const [i, r] of combined.entries()) {
      assert.equal(r?.message, `${COMBINED_PREFIX}probe failed: ${i + 9}`);
      assert.equal(r?.key, combined[0]?.key);
    }
  });

  test('messages spread over more than the interval are not combined', () => {
    const c = new EventCorrelator();
    for (let i = 0; i < 12; i++) {
      const r = c.correlate(input({ message: `m${i}` }), T0 + i * 601_000);
      assert.equal(r?.message, `m${i}`);
    }
  });
});

describe('EventCorrelator spam filter', () => {
  test('25 events per object pass at once, then one per 5 minutes', () => {
    const c = new EventCorrelator();
    const passed = (t: number) => c.correlate(input(), t) !== undefined;
    let n = 0;
    for (let i = 0; i < 40; i++) if (passed(T0)) n++;
    assert.equal(n, 25);
    assert.equal(passed(T0 + 299_000), false);
    assert.equal(passed(T0 + 300_000), true);
    assert.equal(passed(T0 + 300_001), false);
    // Another object has its own bucket.
    const other = input({ involved: { ...input().involved, name: 'db', uid: 'u9' } });
    assert.ok(c.correlate(other, T0 + 300_001));
  });

  test('a bucket refills to the burst, no further', () => {
    const c = new EventCorrelator({ spamBurst: 3, spamRefillMs: 1000 });
    for (let i = 0; i < 3; i++) assert.ok(c.correlate(input(), T0));
    assert.equal(c.correlate(input(), T0), undefined);
    let n = 0;
    for (let i = 0; i < 10; i++) if (c.correlate(input(), T0 + 60_000)) n++;
    assert.equal(n, 3);
  });
});

test('Lru forgets the least recently used entry', () => {
  const lru = new Lru<number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.get('a'), 1); // a is now the most recent
  lru.set('c', 3);
  assert.equal(lru.get('b'), undefined);
  assert.equal(lru.get('a'), 1);
  assert.equal(lru.get('c'), 3);
  assert.equal(lru.size, 2);
});
