import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../fakes/fake-clock.ts';
import type { Probe } from '../../../control-plane/api/types.ts';
import {
  ProbeWorker,
  probeTiming,
  type ProbeOutcome,
  type ProbeTarget,
  type ProbeType,
} from '../../../node-agent/kubelet/probes.ts';

const START = Date.parse('2025-01-01T00:00:00Z');

function target(extra: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    containerId: 'c1',
    running: true,
    startedAt: START,
    terminated: false,
    started: true,
    willRestart: true,
    deleting: false,
    ...extra,
  };
}

/**
 * Drives a worker second by second for `seconds`, answering every check
 * with `answer(t)`; returns the seconds at which checks ran and the
 * published result after each second.
 */
function drive(
  type: ProbeType,
  probe: Probe,
  seconds: number,
  answer: (t: number) => ProbeOutcome,
  tgt: (t: number) => Partial<ProbeTarget> = () => ({}),
) {
  const clock = new FakeClock(START);
  const w = new ProbeWorker({ type, probe, clock });
  const checks: number[] = [];
  const results: (string | undefined)[] = [];
  for (let t = 0; t < seconds; t++) {
    const tg = target(tgt(t));
    if (w.tick(tg) === 'probe') {
      checks.push(t);
      w.record(answer(t));
    }
    results.push(w.result(tg.containerId ?? ''));
    clock.advance(1000);
  }
  return { checks, results, worker: w };
}

test('probe defaults are Kubernetes’', () => {
  assert.deepEqual(probeTiming({}), {
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  });
});

test('initial results: readiness failure, liveness success, startup none', () => {
  for (const [type, want] of [
    ['readiness', 'failure'],
    ['liveness', 'success'],
    ['startup', undefined],
  ] as const) {
    const w = new ProbeWorker({ type, probe: {}, clock: new FakeClock(START) });
    assert.equal(w.tick(target({ started: type !== 'startup' })), 'probe', type);
    assert.equal(w.result('c1'), want, type);
    assert.equal(w.result('other'), undefined);
  }
});

test('checks run every periodSeconds after initialDelaySeconds', () => {
  const { checks } = drive(
    'readiness',
    { periodSeconds: 3, initialDelaySeconds: 4 },
    14,
    () => 'success',
  );
  assert.deepEqual(checks, [6, 9, 12]);
});

test('readiness flips after successThreshold successes and failureThreshold failures in a row', () => {
  const answers: ProbeOutcome[] = [
    'success',
    'success',
    'failure',
    'success',
    'failure',
    'failure',
    'failure',
    'success',
    'success',
  ];
  const { results } = drive(
    'readiness',
    { periodSeconds: 1, successThreshold: 2, failureThreshold: 3 },
    answers.length,
    (t) => answers[t] ?? 'success',
  );
  assert.deepEqual(results, [
    'failure',
    'success',
    'success',
    'success',
    'success',
    'success',
    'failure',
    'failure',
    'success',
  ]);
});

test('prober errors count for nothing', () => {
  const { results } = drive('readiness', { periodSeconds: 1 }, 4, (t) =>
    t < 3 ? 'error' : 'success',
  );
  assert.deepEqual(results, ['failure', 'failure', 'failure', 'success']);
});

test('a liveness failure is published after failureThreshold, then the worker holds until a new container', () => {
  const { checks, results } = drive(
    'liveness',
    { periodSeconds: 1, failureThreshold: 2 },
    8,
    () => 'failure',
    (t) => (t < 5 ? {} : { containerId: 'c2', startedAt: START + 5000 }),
  );
  assert.deepEqual(checks, [0, 1, 5, 6]);
  assert.deepEqual(results, [
    'success',
    'failure',
    'failure',
    'failure',
    'failure',
    'success',
    'failure',
    'failure',
  ]);
});

test('liveness and readiness wait for the startup probe; startup stops once passed', () => {
  const clock = new FakeClock(START);
  const probe = { periodSeconds: 1 };
  const startup = new ProbeWorker({ type: 'startup', probe, clock });
  const liveness = new ProbeWorker({ type: 'liveness', probe, clock });
  assert.equal(liveness.tick(target({ started: false })), 'wait');
  assert.equal(startup.tick(target({ started: false })), 'probe');
  startup.record('success');
  assert.equal(startup.result('c1'), 'success');
  clock.advance(1000);
  assert.equal(startup.tick(target({ started: true })), 'wait');
  assert.equal(liveness.tick(target({ started: true })), 'probe');
});

test('a container that is not running reads as failure; the worker stops if it will not restart', () => {
  const w = new ProbeWorker({ type: 'readiness', probe: {}, clock: new FakeClock(START) });
  assert.equal(w.tick(target({ containerId: undefined })), 'wait');
  assert.equal(w.tick(target({ running: false, terminated: false })), 'wait');
  assert.equal(w.result('c1'), 'failure');
  assert.equal(w.tick(target({ running: false, terminated: true, willRestart: true })), 'wait');
  assert.equal(w.tick(target({ running: false, terminated: true, willRestart: false })), 'stop');
});

test('on deletion liveness and startup report success and stop; readiness goes on', () => {
  for (const type of ['liveness', 'startup'] as const) {
    const w = new ProbeWorker({ type, probe: {}, clock: new FakeClock(START) });
    assert.equal(w.tick(target({ deleting: true })), 'stop');
    assert.equal(w.result('c1'), 'success');
  }
  const r = new ProbeWorker({ type: 'readiness', probe: {}, clock: new FakeClock(START) });
  assert.equal(r.tick(target({ deleting: true })), 'probe');
});

test('msUntilDue and timeoutMs tell the caller when and how long', () => {
  const clock = new FakeClock(START);
  const w = new ProbeWorker({
    type: 'readiness',
    probe: { periodSeconds: 5, timeoutSeconds: 2 },
    clock,
  });
  assert.equal(w.timeoutMs, 2000);
  assert.equal(w.tick(target()), 'probe');
  clock.advance(1500);
  assert.equal(w.msUntilDue(), 3500);
  assert.equal(w.tick(target()), 'wait');
});
