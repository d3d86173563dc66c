// The kubelet's sync pass (PodSyncer, the real one the agent runs) driven
// through FakeRuntime and FakeClock: observe → computePodActions → run the
// actions → observe → generatePodStatus, repeated until the pod settles.
// Proves the pieces converge and report what Kubernetes would. The real
// Docker path is proved end to end in test/e2e/agent/.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Pod, PodStatus } from '../../../control-plane/api/types.ts';
import { Backoff } from '../../../node-agent/kubelet/backoff.ts';
import type { KubeletEvent } from '../../../node-agent/kubelet/image.ts';
import type { PodAction } from '../../../node-agent/kubelet/pod-actions.ts';
import { podObjects } from '../../../node-agent/kubelet/pod-objects.ts';
import { statusEqual } from '../../../node-agent/kubelet/pod-status.ts';
import { PodSyncer } from '../../../node-agent/kubelet/pod-sync.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeRuntime } from '../../fakes/fake-runtime.ts';
import { container, pod, unmountedVolumes } from './fixtures.ts';

const NETWORK = 'skiff-pods';
const HOST_IPS = ['172.30.0.11'];
const noProbes = {
  liveness: () => undefined,
  startup: () => undefined,
  readiness: () => undefined,
  sync: () => undefined,
};

/** The real PodSyncer over a fake runtime; `sync` stores the status in the pod as the agent does. */
class MiniKubelet {
  terminated = false;
  readonly events: KubeletEvent[] = [];
  private readonly syncer: PodSyncer;

  constructor(rt: FakeRuntime, clock: FakeClock, backoff = { baseMs: 10_000, capMs: 300_000 }) {
    const dataDir = mkdtempSync(join(tmpdir(), 'skiff-sync-loop-'));
    this.syncer = new PodSyncer({
      runtime: rt,
      volumes: unmountedVolumes(dataDir),
      objects: () => Promise.resolve(podObjects()),
      probes: noProbes,
      hooks: { check: () => Promise.resolve({ outcome: 'success', output: '' }) },
      restarts: new Backoff({ clock, ...backoff }),
      pulls: new Backoff({ clock, ...backoff }),
      clock,
      network: NETWORK,
      hostIPs: HOST_IPS,
      event: (_pod, e) => this.events.push(e),
      log: createLogger({}, { level: 'error' }),
    });
  }

  /** One sync pass; writes the new status into `p.status` (as a status update would). */
  async sync(p: Pod): Promise<{ actions: PodAction[]; status: PodStatus; changed: boolean }> {
    const r = await this.syncer.sync(p);
    if (r.terminated) this.terminated = true;
    const changed = !statusEqual(p.status, r.status);
    p.status = r.status;
    return { actions: r.actions, status: r.status, changed };
  }
}

const waiting = (s: PodStatus, name: string) =>
  [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])].find((c) => c.name === name)
    ?.state?.waiting;
const readyOf = (s: PodStatus) => s.conditions?.find((c) => c.type === 'Ready')?.status;

test('init container, then two app containers: Pending → Running and Ready, then nothing to do', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const kubelet = new MiniKubelet(rt, clock);
  const p = pod('web', [container('a'), container('b')], { initContainers: [container('setup')] });
  const uid = p.metadata.uid ?? '';

  const first = await kubelet.sync(p);
  assert.equal(first.status.phase, 'Pending');
  assert.ok(first.status.initContainerStatuses?.[0]?.state?.running);
  assert.equal(waiting(first.status, 'a')?.reason, 'PodInitializing');

  clock.advance(1000);
  rt.exit(rt.latest(uid, 'setup')?.id ?? '', 0);
  const second = await kubelet.sync(p);
  assert.equal(second.status.phase, 'Running');
  assert.equal(readyOf(second.status), 'True');
  assert.match(second.status.podIP ?? '', /^10\.244\.1\.\d+$/);
  assert.equal(second.status.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');

  clock.advance(1000);
  const third = await kubelet.sync(p);
  assert.deepEqual(third.actions, []);
  assert.equal(third.changed, false, 'a settled pod needs no status write');
  assert.deepEqual(rt.calls, [
    'createSandbox#0',
    'create setup#0',
    'start setup#0',
    'create a#0',
    'start a#0',
    'create b#0',
    'start b#0',
  ]);

  // An agent restart (fresh state, same runtime) adopts everything: nothing restarts.
  const restarted = new MiniKubelet(rt, clock);
  const adopted = await restarted.sync(p);
  assert.deepEqual(adopted.actions, []);
  assert.equal(adopted.changed, false);
  assert.equal(rt.calls.length, 7);
});

test('a crashing container: CrashLoopBackOff between restarts whose delays double', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const kubelet = new MiniKubelet(rt, clock, { baseMs: 1000, capMs: 4000 });
  const p = pod('crash', [container('app')]);
  const uid = p.metadata.uid ?? '';
  const startedAt: number[] = [];
  const messages = new Set<string>();
  for (let i = 0; i < 80 && startedAt.length < 5; i++) {
    const before = rt.calls.length;
    const { status } = await kubelet.sync(p);
    if (rt.calls.slice(before).some((c) => c.startsWith('start app'))) startedAt.push(clock.now());
    const app = rt.latest(uid, 'app');
    if (app?.state === 'running') rt.exit(app.id, 1);
    const w = waiting(status, 'app');
    if (w?.reason === 'CrashLoopBackOff') {
      messages.add(w.message ?? '');
      assert.equal(status.phase, 'Running');
      assert.equal(status.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
    }
    clock.advance(250);
  }
  const gaps = startedAt.slice(1).map((t, i) => t - (startedAt[i] ?? 0));
  // The first restart comes on the next pass; then each gap is the back-off delay.
  assert.deepEqual(gaps, [250, 1000, 2000, 4000]);
  const ref = `crash_default(${uid})`;
  assert.deepEqual(
    [...messages],
    [
      `back-off 1s restarting failed container=app pod=${ref}`,
      `back-off 2s restarting failed container=app pod=${ref}`,
      `back-off 4s restarting failed container=app pod=${ref}`,
    ],
  );
  assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 4);
});

test('an unreachable registry: ErrImagePull, then ImagePullBackOff; other pods are not disturbed', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  rt.unreachable.add('127.0.0.1:5999/none:1');
  const kubelet = new MiniKubelet(rt, clock);
  const bad = pod('bad', [container('app', { image: '127.0.0.1:5999/none:1' })]);
  const good = pod('good', [container('app')]);

  const s1 = (await kubelet.sync(bad)).status;
  assert.deepEqual(waiting(s1, 'app'), {
    reason: 'ErrImagePull',
    message: 'failed to pull image "127.0.0.1:5999/none:1": connection refused',
  });
  assert.equal(s1.phase, 'Pending');
  clock.advance(2000);
  assert.deepEqual(waiting((await kubelet.sync(bad)).status, 'app'), {
    reason: 'ImagePullBackOff',
    message: 'Back-off pulling image "127.0.0.1:5999/none:1"',
  });
  clock.advance(9000);
  assert.equal(
    waiting((await kubelet.sync(bad)).status, 'app')?.reason,
    'ErrImagePull',
    'retried after 10 s',
  );
  assert.deepEqual(rt.calls.filter((c) => c.startsWith('pull')).length, 2);

  assert.equal((await kubelet.sync(good)).status.phase, 'Running');
});

test('a malformed image name: InvalidImageName, nothing pulled or created', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const kubelet = new MiniKubelet(rt, clock);
  const p = pod('invalid', [container('app', { image: 'Not Valid!' })]);
  const { status } = await kubelet.sync(p);
  assert.equal(waiting(status, 'app')?.reason, 'InvalidImageName');
  assert.match(
    waiting(status, 'app')?.message ?? '',
    /^Failed to apply default image tag "Not Valid!": couldn't parse image name/,
  );
  assert.deepEqual(rt.calls, ['createSandbox#0']);
});

test('restartPolicy Never and exit 0: Succeeded, Completed, sandbox stopped', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const kubelet = new MiniKubelet(rt, clock);
  const p = pod('job', [container('app')], { restartPolicy: 'Never' });
  await kubelet.sync(p);
  rt.exit(rt.latest(p.metadata.uid ?? '', 'app')?.id ?? '', 0);
  const done = await kubelet.sync(p);
  assert.equal(done.status.phase, 'Succeeded');
  assert.equal(done.status.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.ok(rt.calls.includes('stopSandbox 0'));
  const again = await kubelet.sync(p);
  assert.deepEqual(again.actions, []);
  assert.equal(again.status.phase, 'Succeeded');
});

test('an OOM-killed container restarts and shows OOMKilled as its last state', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const kubelet = new MiniKubelet(rt, clock);
  const p = pod('hog', [container('app')]);
  await kubelet.sync(p);
  rt.exit(rt.latest(p.metadata.uid ?? '', 'app')?.id ?? '', 137, true);
  const { status } = await kubelet.sync(p);
  const app = status.containerStatuses?.[0];
  assert.ok(app?.state?.running, 'restarted at once (first restart has no back-off)');
  assert.equal(app.lastState?.terminated?.reason, 'OOMKilled');
  assert.equal(app.restartCount, 1);
});

test('deletion: a container that ignores SIGTERM is killed after the grace period, then all is removed', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  rt.ignoreSigterm.add('stubborn');
  const kubelet = new MiniKubelet(rt, clock);
  const p = pod('leaving', [container('stubborn'), container('polite')]);
  await kubelet.sync(p);
  p.metadata.deletionTimestamp = '2024-01-01T00:00:10Z';
  p.metadata.deletionGracePeriodSeconds = 5;

  const kill = await kubelet.sync(p);
  assert.deepEqual(
    kill.actions.map((a) => a.type),
    ['killContainer', 'killContainer', 'stopSandbox'],
  );
  assert.ok(rt.calls.some((c) => /^stop stubborn#0 5s$/.test(c)));
  assert.equal(rt.latest(p.metadata.uid ?? '', 'stubborn')?.exitCode, 137);
  assert.equal(rt.latest(p.metadata.uid ?? '', 'polite')?.exitCode, 0);

  const remove = await kubelet.sync(p);
  assert.deepEqual(
    remove.actions.map((a) => a.type),
    ['removePod'],
  );
  const last = await kubelet.sync(p);
  assert.deepEqual(
    last.actions.map((a) => a.type),
    ['podTerminated'],
  );
  assert.equal(kubelet.terminated, true);
  assert.deepEqual(await rt.listContainers(), []);
  assert.deepEqual(await rt.listPodSandboxes(), []);
});
