import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../fakes/fake-clock.ts';
import {
  Backoff,
  crashLoopKey,
  goDuration,
  imagePullKey,
} from '../../../node-agent/kubelet/backoff.ts';
import { container, pod } from './fixtures.ts';

const S = 1000;

/**
 * A container that crashes the moment it starts: each restart happens as
 * soon as the backoff allows; returns the waits between crash and restart.
 */
function crashLoop(b: Backoff, clock: FakeClock, restarts: number): number[] {
  const waits: number[] = [];
  for (let i = 0; i < restarts; i++) {
    const finishedAt = clock.now();
    let waited = 0;
    while (b.isInBackOffSince('k', finishedAt)) {
      clock.advance(S);
      waited += S;
    }
    b.next('k', finishedAt);
    waits.push(waited);
  }
  return waits;
}

test('the restart delays are 0, 10, 20, 40, 80, 160, 300, 300 s (first restart is immediate)', () => {
  const clock = new FakeClock();
  const waits = crashLoop(new Backoff({ clock }), clock, 8);
  assert.deepEqual(
    waits.map((w) => w / S),
    [0, 10, 20, 40, 80, 160, 300, 300],
  );
});

test('base and cap are configurable', () => {
  const clock = new FakeClock();
  const waits = crashLoop(new Backoff({ clock, baseMs: 1 * S, capMs: 5 * S }), clock, 6);
  assert.deepEqual(
    waits.map((w) => w / S),
    [0, 1, 2, 4, 5, 5],
  );
});

test('after running more than 10 minutes (twice the cap) the delay starts from the base again', () => {
  const clock = new FakeClock();
  const b = new Backoff({ clock });
  crashLoop(b, clock, 4); // delay now 80 s
  assert.equal(b.get('k'), 80 * S);
  clock.advance(10 * 60 * S + S); // ran for over 10 minutes, then crashed
  const finishedAt = clock.now();
  assert.equal(b.isInBackOffSince('k', finishedAt), false, 'an expired entry does not hold back');
  b.next('k', finishedAt);
  assert.equal(b.get('k'), 10 * S);
});

test('exactly 10 minutes is not yet a reset', () => {
  const clock = new FakeClock();
  const b = new Backoff({ clock });
  crashLoop(b, clock, 2); // delay 20 s
  clock.advance(10 * 60 * S);
  b.next('k', clock.now());
  assert.equal(b.get('k'), 40 * S);
});

test('pull back-off counts from the last attempt (isInBackOffSinceUpdate)', () => {
  const clock = new FakeClock();
  const b = new Backoff({ clock });
  const failedAt = clock.now();
  b.next('img', failedAt);
  clock.advance(9 * S);
  assert.equal(b.isInBackOffSinceUpdate('img', clock.now()), true);
  clock.advance(S);
  assert.equal(b.isInBackOffSinceUpdate('img', clock.now()), false);
  b.next('img', clock.now());
  clock.advance(19 * S);
  assert.equal(b.isInBackOffSinceUpdate('img', clock.now()), true);
  assert.equal(b.isInBackOffSinceUpdate('other', clock.now()), false);
});

test('keys are independent; reset and gc forget entries', () => {
  const clock = new FakeClock();
  const b = new Backoff({ clock });
  b.next('a', clock.now());
  b.next('a', clock.now());
  b.next('b', clock.now());
  assert.deepEqual([b.get('a'), b.get('b'), b.get('c')], [20 * S, 10 * S, 0]);
  b.reset('a');
  assert.equal(b.get('a'), 0);
  clock.advance(10 * 60 * S + 1);
  b.gc();
  assert.equal(b.get('b'), 0);
});

test('keys name the pod, its UID and the container with its spec hash', () => {
  const p = pod('web', [container('app')], {}, { uid: 'u-1' });
  const app = container('app');
  const key = crashLoopKey(p, app);
  assert.match(key, /^web_default_u-1_app_[0-9a-f]{16}$/);
  assert.notEqual(crashLoopKey(p, container('app', { image: 'other:2' })), key);
  assert.equal(imagePullKey(p, 'skiff/echo:1'), 'u-1_skiff/echo:1');
});

const durations: [number, string][] = [
  [0, '0s'],
  [500, '500ms'],
  [10 * S, '10s'],
  [80 * S, '1m20s'],
  [160 * S, '2m40s'],
  [300 * S, '5m0s'],
  [3725 * S, '1h2m5s'],
  [1500, '1.5s'],
];

for (const [ms, want] of durations) {
  test(`goDuration(${ms}) = ${want}`, () => assert.equal(goDuration(ms), want));
}
