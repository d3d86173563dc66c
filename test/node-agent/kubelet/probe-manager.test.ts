/**
 * ProbeManager (FakeClock, fake checker): timers per worker, thresholds
 * through to published results and onChange, startup gating, liveness on
 * hold until a new container, no overlapping checks, timeouts, first-check
 * jitter, Unhealthy events, and every timer cleared on remove/stop; then
 * once with the real checker and timers against an HTTP server on loopback.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Container, Pod, Probe } from '../../../control-plane/api/types.ts';
import type { KubeletEvent } from '../../../node-agent/kubelet/image.ts';
import type { ObservedPod } from '../../../node-agent/kubelet/observed-pod.ts';
import {
  DefaultProbeChecker,
  type CheckResult,
  type ProbeChecker,
  type ProbeContext,
} from '../../../node-agent/kubelet/probe-checks.ts';
import { ProbeManager } from '../../../node-agent/kubelet/probe-manager.ts';
import { MAX_PROBE_OUTPUT } from '../../../node-agent/kubelet/probe-target.ts';
import { eventually } from '../../control-plane/api/client/api-fixture.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { container, observed, pod as makePod, sandbox } from './fixtures.ts';

const START = Date.parse('2025-01-01T00:00:00Z');
const quiet = createLogger({}, { level: 'error' });

/** A probe whose httpGet path names its kind, so the fake checker can tell them apart. */
function probe(path: string, extra: Partial<Probe> = {}): Probe {
  return { httpGet: { path, port: 8080 }, periodSeconds: 10, ...extra };
}

type Answer = (path: string, ctx: ProbeContext) => CheckResult | Promise<CheckResult>;

/** Records every check (time, path, container) and answers with `answer`. */
class FakeChecker implements ProbeChecker {
  readonly calls: { at: number; path: string; containerId: string; podIP: string }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  answer: Answer = () => ({ outcome: 'success', output: '' });
  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  async check(p: Probe, ctx: ProbeContext): Promise<CheckResult> {
    const path = p.httpGet?.path ?? '';
    this.calls.push({
      at: this.clock.now() - START,
      path,
      containerId: ctx.containerId,
      podIP: ctx.podIP,
    });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.answer(path, ctx);
    } finally {
      this.inFlight--;
    }
  }

  /** Seconds (from START) at which checks of `path` ran. */
  at(path: string): number[] {
    return this.calls.filter((c) => c.path === path).map((c) => c.at / 1000);
  }
}

interface Harness {
  clock: FakeClock;
  checker: FakeChecker;
  probes: ProbeManager;
  changes: string[];
  events: KubeletEvent[];
  /** Advances time in 100 ms steps so checks finishing in between are followed up in time. */
  run(ms: number): Promise<void>;
}

function harness(opts: { random?: () => number; startedEarlier?: boolean } = {}): Harness {
  const clock = new FakeClock(opts.startedEarlier === false ? START : START - 3_600_000);
  const checker = new FakeChecker(clock);
  const changes: string[] = [];
  const events: KubeletEvent[] = [];
  const probes = new ProbeManager({
    checker,
    clock,
    log: quiet,
    onChange: (uid) => changes.push(uid),
    onEvent: (_pod, e) => events.push(e),
    random: opts.random ?? (() => 0),
  });
  if (clock.now() < START) clock.advance(START - clock.now());
  return {
    clock,
    checker,
    probes,
    changes,
    events,
    async run(ms) {
      let t = 0;
      do {
        const step = Math.min(100, ms - t);
        await clock.tick(step);
        t += step;
      } while (t < ms);
    },
  };
}

/** A pod with one container `app`, observed running since START as `id`. */
function runningPod(c: Container, id = 'c-app'): { pod: Pod; obs: ObservedPod } {
  const pod = makePod('web', [c]);
  const obs: ObservedPod = {
    sandboxes: [sandbox(pod)],
    containers: [observed(pod, c, { state: 'running', id, startedAt: START, createdAt: START })],
  };
  return { pod, obs };
}

describe('ProbeManager', () => {
  test('readiness: checked at once, every period; published after the thresholds; onChange on each flip', async () => {
    const h = harness();
    const c = container('app', { readinessProbe: probe('/ready', { failureThreshold: 3 }) });
    const { pod, obs } = runningPod(c);
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(0);
    assert.equal(h.probes.readiness('c-app'), 'success');
    assert.deepEqual(h.changes, [pod.metadata.uid]);
    assert.equal(h.checker.calls[0]?.podIP, '10.244.1.5');

    h.checker.answer = () => ({
      outcome: 'failure',
      output: 'HTTP probe failed with statuscode: 500',
    });
    await h.run(25_000);
    assert.deepEqual(h.checker.at('/ready'), [0, 10, 20]);
    assert.equal(h.probes.readiness('c-app'), 'success', 'two failures are below the threshold');
    await h.run(10_000);
    assert.equal(h.probes.readiness('c-app'), 'failure');
    assert.equal(h.changes.length, 2);
    assert.equal(h.events.length, 3);
    assert.deepEqual(h.events[0], {
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
    });
    // Readiness failures do not stop the probe.
    await h.run(20_000);
    assert.deepEqual(h.checker.at('/ready'), [0, 10, 20, 30, 40, 50]);
    assert.equal(h.probes.liveness('c-app'), undefined, 'no liveness probe, no result');
    h.probes.stop();
  });

  test('liveness failure: published once, then on hold until a new container runs', async () => {
    const h = harness();
    const c = container('app', { livenessProbe: probe('/live', { failureThreshold: 1 }) });
    const { pod, obs } = runningPod(c);
    h.checker.answer = () => ({
      outcome: 'failure',
      output: 'dial tcp 10.244.1.5:8080: connect: connection refused',
    });
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(0);
    assert.equal(h.probes.liveness('c-app'), 'failure');
    assert.equal(
      h.events[0]?.message,
      'Liveness probe failed: dial tcp 10.244.1.5:8080: connect: connection refused',
    );
    await h.run(60_000);
    assert.deepEqual(h.checker.at('/live'), [0], 'no checks while the container is being killed');

    h.checker.answer = () => ({ outcome: 'success', output: '' });
    const restarted: ObservedPod = {
      ...obs,
      containers: [
        observed(pod, c, { state: 'running', id: 'c-app-2', attempt: 1, startedAt: h.clock.now() }),
      ],
    };
    h.probes.sync(pod, restarted, '10.244.1.5');
    assert.equal(h.probes.liveness('c-app-2'), 'success', 'a new container starts as live');
    await h.run(0);
    assert.deepEqual(h.checker.at('/live'), [0, 60]);
    assert.equal(h.checker.calls[1]?.containerId, 'c-app-2');
    assert.equal(h.probes.liveness('c-app'), undefined, 'the old container is forgotten');
    h.probes.stop();
  });

  test('a startup probe gates liveness and readiness; once it passes readiness is checked at once', async () => {
    const h = harness();
    const c = container('app', {
      startupProbe: probe('/start', { periodSeconds: 1, failureThreshold: 30 }),
      livenessProbe: probe('/live'),
      readinessProbe: probe('/ready'),
    });
    const { pod, obs } = runningPod(c);
    let startupCalls = 0;
    h.checker.answer = (path) =>
      path === '/start' && ++startupCalls < 3
        ? { outcome: 'failure', output: 'not yet' }
        : { outcome: 'success', output: '' };
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(1_500);
    assert.equal(h.probes.startup('c-app'), undefined);
    assert.deepEqual(h.checker.at('/live'), []);
    assert.deepEqual(h.checker.at('/ready'), []);
    await h.run(1_000);
    assert.equal(h.probes.startup('c-app'), 'success');
    assert.deepEqual(h.checker.at('/start'), [0, 1, 2]);
    assert.deepEqual(h.checker.at('/ready'), [2], 'readiness is checked at once');
    assert.deepEqual(h.checker.at('/live'), [], 'liveness keeps its period');
    assert.equal(h.probes.readiness('c-app'), 'success');
    await h.run(10_000);
    assert.deepEqual(h.checker.at('/live'), [10]);
    assert.deepEqual(h.checker.at('/start'), [0, 1, 2], 'a passed startup probe stops');
    assert.equal(h.events.filter((e) => e.message === 'Startup probe failed: not yet').length, 2);
    h.probes.stop();
  });

  test('initialDelaySeconds: no check before it', async () => {
    const h = harness();
    const c = container('app', { readinessProbe: probe('/ready', { initialDelaySeconds: 5 }) });
    const { pod, obs } = runningPod(c);
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(4_900);
    assert.deepEqual(h.checker.at('/ready'), []);
    await h.run(10_000);
    const first = h.checker.at('/ready')[0];
    assert.ok(first !== undefined && first >= 5 && first <= 15, `first check at ${first}s`);
    h.probes.stop();
  });

  test('a slow check never overlaps the next one of the same worker', async () => {
    const h = harness();
    const c = container('app', { readinessProbe: probe('/ready', { timeoutSeconds: 20 }) });
    const { pod, obs } = runningPod(c);
    h.checker.answer = () =>
      new Promise((resolve) =>
        h.clock.setTimeout(() => resolve({ outcome: 'success', output: '' }), 15_000),
      );
    h.probes.sync(pod, obs, '10.244.1.5');
    for (let i = 0; i < 5; i++) {
      await h.run(9_000);
      h.probes.sync(pod, obs, '10.244.1.5'); // syncs in between change nothing
    }
    assert.equal(h.checker.maxInFlight, 1);
    assert.deepEqual(h.checker.at('/ready'), [0, 15, 30, 45]);
    h.probes.stop();
  });

  test('a check that overruns its timeout counts as a failure', async () => {
    const h = harness();
    const c = container('app', {
      livenessProbe: probe('/live', { timeoutSeconds: 1, failureThreshold: 1 }),
    });
    const { pod, obs } = runningPod(c);
    h.checker.answer = () => new Promise<CheckResult>(() => undefined);
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(1_900);
    assert.equal(h.probes.liveness('c-app'), 'success');
    await h.run(200);
    assert.equal(h.probes.liveness('c-app'), 'failure');
    assert.match(
      h.events[0]?.message ?? '',
      /^Liveness probe failed: probe did not finish within its timeout of 1s$/,
    );
    h.probes.stop();
  });

  test('event output is capped; a prober error is reported and counts for nothing', async () => {
    const h = harness();
    const c = container('app', { readinessProbe: probe('/ready', { failureThreshold: 1 }) });
    const { pod, obs } = runningPod(c);
    h.checker.answer = () => ({ outcome: 'failure', output: 'x'.repeat(5000) + '\n' });
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(0);
    assert.equal(
      h.events[0]?.message,
      `Readiness probe failed: ${'x'.repeat(MAX_PROBE_OUTPUT)}...`,
    );
    h.checker.answer = () => ({
      outcome: 'error',
      output: 'couldn\'t find port "web" in container "app"',
    });
    await h.run(10_000);
    assert.equal(
      h.events[1]?.message,
      'Readiness probe errored and resulted in unknown state: couldn\'t find port "web" in container "app"',
    );
    assert.equal(h.probes.readiness('c-app'), 'failure');
    assert.equal(h.changes.length, 0, 'failure was already the initial readiness');
    h.probes.stop();
  });

  test('a checker that throws and handlers that throw do not stop the worker', async () => {
    const clock = new FakeClock(START - 3_600_000);
    const checker = new FakeChecker(clock);
    const events: KubeletEvent[] = [];
    const probes = new ProbeManager({
      checker,
      clock,
      log: quiet,
      onChange: () => {
        throw new Error('pod worker gone');
      },
      onEvent: (_pod, e) => events.push(e),
      random: () => 0,
    });
    clock.advance(3_600_000);
    const c = container('app', { readinessProbe: probe('/ready') });
    const { pod, obs } = runningPod(c);
    let calls = 0;
    checker.answer = () => {
      if (++calls === 1) throw new Error('exec: no such container');
      return { outcome: 'success', output: '' };
    };
    probes.sync(pod, obs, '10.244.1.5');
    for (let i = 0; i < 250; i++) await clock.tick(100);
    assert.equal(
      events[0]?.message,
      'Readiness probe errored and resulted in unknown state: exec: no such container',
    );
    assert.deepEqual(checker.at('/ready'), [0, 10, 20]);
    assert.equal(probes.readiness('c-app'), 'success');
    probes.stop();
  });

  test('the outcome of a check on a replaced container is dropped', async () => {
    const h = harness();
    const c = container('app', { readinessProbe: probe('/ready') });
    const { pod, obs } = runningPod(c);
    let release: ((r: CheckResult) => void) | undefined;
    h.checker.answer = () => new Promise((resolve) => (release = resolve));
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(0);
    const replaced: ObservedPod = {
      ...obs,
      containers: [
        observed(pod, c, { state: 'running', id: 'c-new', attempt: 1, startedAt: START }),
      ],
    };
    h.probes.sync(pod, replaced, '10.244.1.5');
    h.checker.answer = () => ({ outcome: 'success', output: '' });
    release?.({ outcome: 'failure', output: 'old container' });
    await h.run(0);
    assert.equal(h.events.length, 0);
    assert.deepEqual(
      h.checker.calls.map((x) => x.containerId),
      ['c-app', 'c-new'],
    );
    assert.equal(h.probes.readiness('c-new'), 'success');
    h.probes.stop();
  });

  test('first checks right after the manager started wait a random part of the period', async () => {
    const h = harness({ startedEarlier: false, random: () => 0.5 });
    const c = container('app', { livenessProbe: probe('/live'), readinessProbe: probe('/ready') });
    const { pod, obs } = runningPod(c);
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(6_000);
    assert.deepEqual(h.checker.at('/ready'), [0.5], 'readiness waits at most 1 s');
    assert.deepEqual(h.checker.at('/live'), [5]);
    // A pod that comes later than one period after the start is checked at once.
    const later = runningPod(container('app', { readinessProbe: probe('/ready2') }), 'c-later');
    await h.run(10_000);
    h.probes.sync(later.pod, later.obs, '10.244.1.6');
    await h.run(0);
    assert.deepEqual(h.checker.at('/ready2'), [16]);
    h.probes.stop();
  });

  test('remove and stop clear every timer and result', async () => {
    const h = harness();
    const mk = (name: string, id: string) =>
      runningPod(
        container('app', { livenessProbe: probe('/live'), readinessProbe: probe('/ready') }),
        id,
      );
    const a = mk('a', 'c-a');
    const b = mk('b', 'c-b');
    h.probes.sync(a.pod, a.obs, '10.244.1.5');
    h.probes.sync(b.pod, b.obs, '10.244.1.6');
    await h.run(0);
    assert.equal(h.clock.timers, 4);
    h.probes.remove(a.pod.metadata.uid ?? '');
    assert.equal(h.clock.timers, 2);
    assert.equal(h.probes.readiness('c-a'), undefined);
    assert.equal(h.probes.readiness('c-b'), 'success');
    h.probes.stop();
    assert.equal(h.clock.timers, 0);
    const calls = h.checker.calls.length;
    await h.run(60_000);
    assert.equal(h.checker.calls.length, calls);
  });

  test('a container that is not running yet is not checked; its checks start when it runs', async () => {
    const h = harness();
    const c = container('app', { readinessProbe: probe('/ready') });
    const { pod } = runningPod(c);
    h.probes.sync(pod, { sandboxes: [sandbox(pod)], containers: [] }, '10.244.1.5');
    await h.run(30_000);
    assert.equal(h.checker.calls.length, 0);
    assert.equal(h.clock.timers, 0, 'nothing polls while waiting');
    const obs: ObservedPod = {
      sandboxes: [sandbox(pod)],
      containers: [observed(pod, c, { state: 'running', id: 'c-late', startedAt: h.clock.now() })],
    };
    h.probes.sync(pod, obs, '10.244.1.5');
    await h.run(0);
    assert.deepEqual(h.checker.at('/ready'), [30]);
    h.probes.stop();
  });

  test('with the real checker and real timers: an HTTP readiness probe against a loopback server', async () => {
    let healthy = true;
    const server = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 500);
      res.end(healthy ? 'ok' : 'down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const changes: string[] = [];
    const events: KubeletEvent[] = [];
    const probes = new ProbeManager({
      checker: new DefaultProbeChecker({
        exec: () => Promise.reject(new Error('no exec here')),
      }),
      log: quiet,
      onChange: (uid) => changes.push(uid),
      onEvent: (_pod, e) => events.push(e),
    });
    try {
      const c = container('app', {
        readinessProbe: {
          httpGet: { path: '/healthz', port },
          periodSeconds: 1,
          failureThreshold: 1,
        },
      });
      const p = makePod('web', [c]);
      const obs: ObservedPod = {
        sandboxes: [sandbox(p)],
        containers: [observed(p, c, { state: 'running', id: 'c-real', startedAt: Date.now() })],
      };
      probes.sync(p, obs, '127.0.0.1');
      await eventually('ready', () => probes.readiness('c-real') === 'success', 30_000);
      healthy = false;
      await eventually('not ready', () => probes.readiness('c-real') === 'failure', 30_000);
      assert.equal(
        events[0]?.message,
        'Readiness probe failed: HTTP probe failed with statuscode: 500',
      );
      assert.ok(changes.length >= 2);
    } finally {
      probes.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
