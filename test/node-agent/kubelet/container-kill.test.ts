// killContainer over FakeRuntime and FakeClock: the Killing event, the
// preStop hook run before the stop (exec hooks through the real
// DefaultProbeChecker and the fake's exec), the grace left after the hook
// (never under 2 s), and a failing hook that still ends in the stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../../control-plane/api/types.ts';
import {
  killContainer,
  type ContainerKillDeps,
} from '../../../node-agent/kubelet/container-kill.ts';
import type { KubeletEvent } from '../../../node-agent/kubelet/image.ts';
import type {
  KillContainerAction,
  LifecycleHandler,
} from '../../../node-agent/kubelet/pod-kill.ts';
import {
  DefaultProbeChecker,
  type ProbeChecker,
} from '../../../node-agent/kubelet/probe-checks.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeRuntime } from '../../fakes/fake-runtime.ts';
import { container, pod } from './fixtures.ts';

const PRE_STOP: LifecycleHandler = { exec: { command: ['/bin/sh', '-c', 'drain'] } };

interface Harness {
  rt: FakeRuntime;
  clock: FakeClock;
  events: KubeletEvent[];
  deps: ContainerKillDeps;
  p: Pod;
  /** The running container's ID. */
  id: string;
  action(grace: number, preStop?: LifecycleHandler): KillContainerAction;
}

/** A pod with one running container "app"; hooks run through `hooks` (default: the real checker). */
async function harness(hooks?: ProbeChecker): Promise<Harness> {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const events: KubeletEvent[] = [];
  const c = container('app', { lifecycle: { preStop: PRE_STOP } });
  const p = pod('web', [c]);
  const { id: sandboxId } = await rt.createSandbox(p, { network: 'skiff-pods', attempt: 0 });
  const id = await rt.createContainer(p, c, sandboxId, 0, {
    image: 'skiff/echo:1',
    env: [],
    mounts: [],
  });
  await rt.startContainer(id);
  rt.calls.length = 0;
  const deps: ContainerKillDeps = {
    runtime: rt,
    hooks: hooks ?? new DefaultProbeChecker(rt),
    clock,
    event: (_pod, e) => events.push(e),
  };
  const action = (grace: number, preStop?: LifecycleHandler): KillContainerAction => ({
    type: 'killContainer',
    containerId: id,
    name: 'app',
    reason: 'Deleted',
    message: 'Stopping container app',
    gracePeriodSeconds: grace,
    ...(preStop ? { preStop } : {}),
  });
  return { rt, clock, events, deps, p, id, action };
}

/** An exec handler that records the hook in the runtime's calls and takes `seconds` of fake time. */
function hookTaking(h: Harness, seconds: number, exitCode = 0, output = ''): void {
  h.rt.execHandler = (c, cmd) => {
    h.rt.calls.push(`exec ${c.containerName}: ${cmd.join(' ')}`);
    h.clock.advance(seconds * 1000);
    return { exitCode, output, timedOut: false };
  };
}

test('no preStop hook: the Killing event, then the stop with the whole grace period', async () => {
  const h = await harness();
  await killContainer(h.deps, h.p, h.action(30), '10.244.1.2');
  assert.deepEqual(h.events, [
    { type: 'Normal', reason: 'Killing', message: 'Stopping container app' },
  ]);
  assert.deepEqual(h.rt.calls, ['stop app#0 30s']);
  assert.equal((await h.rt.inspect(h.id))?.state, 'exited');
});

const graceCases: { name: string; grace: number; hookSeconds: number; left: number }[] = [
  { name: 'an instant hook leaves the grace period whole', grace: 30, hookSeconds: 0, left: 30 },
  { name: 'a 5 s hook leaves 25 s', grace: 30, hookSeconds: 5, left: 25 },
  {
    name: 'a hook that uses up all but 1 s leaves the minimum 2 s',
    grace: 30,
    hookSeconds: 29,
    left: 2,
  },
  {
    name: 'a hook longer than the grace period leaves the minimum 2 s',
    grace: 10,
    hookSeconds: 15,
    left: 2,
  },
];

for (const tc of graceCases) {
  test(`preStop exec hook runs before the stop: ${tc.name}`, async () => {
    const h = await harness();
    hookTaking(h, tc.hookSeconds);
    await killContainer(h.deps, h.p, h.action(tc.grace, PRE_STOP), '10.244.1.2');
    assert.deepEqual(h.rt.calls, ['exec app: /bin/sh -c drain', `stop app#0 ${tc.left}s`]);
    assert.deepEqual(
      h.events.map((e) => e.reason),
      ['Killing'],
    );
  });
}

test('a failing preStop hook: FailedPreStopHook warning, and the stop still happens', async () => {
  const h = await harness();
  hookTaking(h, 1, 1, 'drain: connection refused');
  await killContainer(h.deps, h.p, h.action(30, PRE_STOP), '10.244.1.2');
  assert.deepEqual(h.rt.calls, ['exec app: /bin/sh -c drain', 'stop app#0 29s']);
  assert.deepEqual(
    h.events.map((e) => `${e.type} ${e.reason}`),
    ['Normal Killing', 'Warning FailedPreStopHook'],
  );
  assert.match(h.events[1]?.message ?? '', /^PreStopHook failed/);
  assert.equal((await h.rt.inspect(h.id))?.state, 'exited');
});

test('a hook runner that throws: FailedPreStopHook, and the stop still happens', async () => {
  const h = await harness({ check: () => Promise.reject(new Error('hook runner broke')) });
  await killContainer(h.deps, h.p, h.action(30, PRE_STOP), '10.244.1.2');
  assert.deepEqual(h.rt.calls, ['stop app#0 30s']);
  assert.deepEqual(
    h.events.map((e) => e.reason),
    ['Killing', 'FailedPreStopHook'],
  );
});

test('the hook gets the pod IP, the container and the grace period as its timeout', async () => {
  const seen: { podIP: string; container: string; containerId: string; timeoutMs: number }[] = [];
  const h = await harness({
    check: async (_probe, ctx, timeoutMs) => {
      seen.push({
        podIP: ctx.podIP,
        container: ctx.container.name,
        containerId: ctx.containerId,
        timeoutMs,
      });
      return { outcome: 'success', output: '' };
    },
  });
  const httpHook: LifecycleHandler = { httpGet: { path: '/drain', port: 8080 } };
  await killContainer(h.deps, h.p, h.action(20, httpHook), '10.244.1.7');
  assert.deepEqual(seen, [
    { podIP: '10.244.1.7', container: 'app', containerId: h.id, timeoutMs: 20_000 },
  ]);
  assert.deepEqual(h.rt.calls, ['stop app#0 20s']);
});
