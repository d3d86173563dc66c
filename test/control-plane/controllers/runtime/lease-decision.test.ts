/**
 * The leader election decision table: given the lease read now, what this
 * candidate saw before and when, its identity and local time, decide
 * create / acquire / renew / wait. Expiry is judged only by when this
 * candidate saw the record change, never by the lease's own timestamps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LeaseSpec } from '../../../../control-plane/api/types.ts';
import {
  decideLease,
  microTime,
  observe,
  releasedLease,
  type Observation,
} from '../../../../control-plane/controllers/runtime/lease-decision.ts';

const T = Date.UTC(2024, 4, 1, 12, 0, 0);
const ME = 'me';

const held = (holder: string, renewAt: number, transitions = 3, duration = 15): LeaseSpec => ({
  holderIdentity: holder,
  leaseDurationSeconds: duration,
  acquireTime: microTime(renewAt - 60_000),
  renewTime: microTime(renewAt),
  leaseTransitions: transitions,
});

interface Case {
  name: string;
  current: LeaseSpec | undefined;
  observed?: Observation;
  now: number;
  action: 'create' | 'acquire' | 'renew' | 'wait';
  transitions?: number;
  /** When set, the acquireTime written must be this. */
  acquireTime?: string;
}

const otherAtT = held('other', T);

const cases: Case[] = [
  { name: 'no lease: create it', current: undefined, now: T, action: 'create', transitions: 0 },
  {
    name: 'held by another, first seen now: wait (even if its renewTime is long past)',
    current: held('other', T - 3_600_000),
    now: T,
    action: 'wait',
  },
  {
    name: 'held by another, unchanged for less than its duration: wait',
    current: otherAtT,
    observed: { record: otherAtT, time: T },
    now: T + 14_999,
    action: 'wait',
  },
  {
    name: 'held by another, unchanged for its full duration: take over',
    current: otherAtT,
    observed: { record: otherAtT, time: T },
    now: T + 15_000,
    action: 'acquire',
    transitions: 4,
    acquireTime: microTime(T + 15_000),
  },
  {
    name: 'held by another that keeps renewing (record changed): wait, however old we saw it',
    current: held('other', T + 10_000),
    observed: { record: otherAtT, time: T },
    now: T + 60_000,
    action: 'wait',
  },
  {
    name: "the holder's own duration counts, not ours",
    current: held('other', T, 3, 40),
    observed: { record: held('other', T, 3, 40), time: T },
    now: T + 30_000,
    action: 'wait',
  },
  {
    name: 'released (empty holder): acquire at once',
    current: releasedLease(otherAtT, T),
    now: T,
    action: 'acquire',
    transitions: 4,
  },
  {
    name: 'held by me: renew, keeping acquireTime and transitions',
    current: held(ME, T),
    observed: { record: held(ME, T), time: T },
    now: T + 2_000,
    action: 'renew',
    transitions: 3,
    acquireTime: microTime(T - 60_000),
  },
  {
    name: 'held by me even though my lease looks expired: renew',
    current: held(ME, T),
    observed: { record: held(ME, T), time: T },
    now: T + 100_000,
    action: 'renew',
    transitions: 3,
  },
  {
    name: 'a lease object without a spec counts as released',
    current: {},
    now: T,
    action: 'acquire',
    transitions: 1,
  },
];

describe('lease decision', () => {
  for (const tc of cases) {
    test(tc.name, () => {
      const d = decideLease({
        current: tc.current,
        observed: tc.observed,
        identity: ME,
        now: tc.now,
        leaseDurationSeconds: 15,
      });
      assert.equal(d.action, tc.action);
      if (d.action === 'wait') {
        assert.equal(d.holder, tc.current?.holderIdentity);
        return;
      }
      assert.equal(d.spec.holderIdentity, ME);
      assert.equal(d.spec.leaseDurationSeconds, 15);
      assert.equal(d.spec.renewTime, microTime(tc.now));
      if (tc.transitions !== undefined) assert.equal(d.spec.leaseTransitions, tc.transitions);
      if (tc.acquireTime !== undefined) assert.equal(d.spec.acquireTime, tc.acquireTime);
      assert.deepEqual(d.observed, { record: d.spec, time: tc.now });
    });
  }

  test('observe keeps the first sighting of an unchanged record', () => {
    const first = observe(undefined, otherAtT, T);
    assert.equal(first.time, T);
    assert.equal(observe(first, { ...otherAtT }, T + 5_000).time, T);
    assert.equal(observe(first, held('other', T + 1), T + 5_000).time, T + 5_000);
  });

  test('MicroTime has six fractional digits', () => {
    assert.equal(microTime(Date.UTC(2024, 4, 1, 12, 0, 0, 123)), '2024-05-01T12:00:00.123000Z');
  });

  test('releasing keeps the transition count and gives a 1 s duration', () => {
    assert.deepEqual(releasedLease(held(ME, T, 7), T), {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: '2024-05-01T12:00:00.000000Z',
      renewTime: '2024-05-01T12:00:00.000000Z',
      leaseTransitions: 7,
    });
  });
});
