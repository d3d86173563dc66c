// startContainer over FakeRuntime and FakeClock: the image decision, the
// pull and its back-off, create and start, with the kubelet's events in
// order and the SyncError reason each failed step gives the container.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Container, Pod } from '../../../control-plane/api/types.ts';
import { Backoff, imagePullKey } from '../../../node-agent/kubelet/backoff.ts';
import {
  startContainer,
  type ContainerStartDeps,
  type StartContext,
} from '../../../node-agent/kubelet/container-start.ts';
import type { KubeletEvent } from '../../../node-agent/kubelet/image.ts';
import { podObjects } from '../../../node-agent/kubelet/pod-objects.ts';
import { isSyncError, type WaitingReason } from '../../../node-agent/kubelet/sync-error.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeRuntime } from '../../fakes/fake-runtime.ts';
import { container, pod, unmountedVolumes } from './fixtures.ts';

const UNREACHABLE = '127.0.0.1:5999/none:1';
const quiet = createLogger({}, { level: 'error' });
const dataDir = mkdtempSync(join(tmpdir(), 'skiff-container-start-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

interface Harness {
  rt: FakeRuntime;
  clock: FakeClock;
  pulls: Backoff;
  events: KubeletEvent[];
  deps: ContainerStartDeps;
  /** A pod with a sandbox, and the context to start its containers in. */
  podWith(c: Container): Promise<{ p: Pod; ctx: StartContext }>;
}

function harness(rt?: FakeRuntime, clock = new FakeClock()): Harness {
  const runtime = rt ?? new FakeRuntime({ clock });
  const events: KubeletEvent[] = [];
  const pulls = new Backoff({ clock, baseMs: 10_000, capMs: 300_000 });
  const deps: ContainerStartDeps = {
    runtime,
    volumes: unmountedVolumes(dataDir),
    pulls,
    clock,
    log: quiet,
    event: (_pod, e) => events.push(e),
  };
  return {
    rt: runtime,
    clock,
    pulls,
    events,
    deps,
    async podWith(c) {
      const p = pod('web', [c]);
      const { id, ip } = await runtime.createSandbox(p, { network: 'skiff-pods', attempt: 0 });
      const ctx: StartContext = {
        sandboxId: id,
        podIP: ip,
        hostIPs: ['172.30.0.11'],
        objects: podObjects(),
        podVolumes: new Map(),
      };
      return { p, ctx };
    },
  };
}

const reasons = (events: KubeletEvent[]) => events.map((e) => `${e.type} ${e.reason}`);

/** Rejects with a SyncError of `reason`; returns it. */
async function syncErrorOf(p: Promise<unknown>, reason: WaitingReason): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(isSyncError(err), `a SyncError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    return err;
  }
  return assert.fail(`expected a SyncError ${reason}`);
}

test('a present image: Pulled "already present", Created, Started, in order; the container runs', async () => {
  const h = harness();
  const c = container('app');
  const { p, ctx } = await h.podWith(c);
  const id = await startContainer(h.deps, p, c, 0, ctx);
  assert.deepEqual(h.events, [
    {
      type: 'Normal',
      reason: 'Pulled',
      message: 'Container image "skiff/echo:1" already present on machine',
    },
    { type: 'Normal', reason: 'Created', message: 'Created container app' },
    { type: 'Normal', reason: 'Started', message: 'Started container app' },
  ]);
  assert.equal((await h.rt.inspect(id))?.state, 'running');
  assert.deepEqual(h.rt.calls, ['createSandbox#0', 'create app#0', 'start app#0']);
});

test('restart attempt n creates instance n', async () => {
  const h = harness();
  const c = container('app');
  const { p, ctx } = await h.podWith(c);
  const id = await startContainer(h.deps, p, c, 3, ctx);
  assert.equal((await h.rt.inspect(id))?.attempt, 3);
  assert.ok(h.rt.calls.includes('start app#3'));
});

test('a missing image is pulled first: Pulling, Pulled "Successfully pulled", Created, Started', async () => {
  const h = harness();
  const c = container('app', { image: 'skiff/other:2' });
  const { p, ctx } = await h.podWith(c);
  await startContainer(h.deps, p, c, 0, ctx);
  assert.deepEqual(reasons(h.events), [
    'Normal Pulling',
    'Normal Pulled',
    'Normal Created',
    'Normal Started',
  ]);
  assert.equal(h.events[0]?.message, 'Pulling image "skiff/other:2"');
  assert.match(
    h.events[1]?.message ?? '',
    /^Successfully pulled image "skiff\/other:2" in \d+\.\d{3}s$/,
  );
  assert.deepEqual(h.rt.calls.slice(1), ['pull skiff/other:2', 'create app#0', 'start app#0']);
});

test('pull policy Always pulls a present image', async () => {
  const h = harness();
  const c = container('app', { imagePullPolicy: 'Always' });
  const { p, ctx } = await h.podWith(c);
  await startContainer(h.deps, p, c, 0, ctx);
  assert.ok(h.rt.calls.includes('pull skiff/echo:1'));
  assert.equal(h.events[0]?.reason, 'Pulling');
});

test('an unreachable registry: ErrImagePull with a Failed event, then ImagePullBackOff until the back-off ends', async () => {
  const h = harness();
  h.rt.unreachable.add(UNREACHABLE);
  const c = container('app', { image: UNREACHABLE });
  const { p, ctx } = await h.podWith(c);

  const first = await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), 'ErrImagePull');
  assert.match(first.message, /^failed to pull image "127\.0\.0\.1:5999\/none:1"/);
  assert.deepEqual(reasons(h.events), ['Normal Pulling', 'Warning Failed', 'Warning Failed']);
  assert.match(h.events[1]?.message ?? '', /^Failed to pull image "127\.0\.0\.1:5999\/none:1": /);
  assert.equal(h.events[2]?.message, 'Error: ErrImagePull');
  assert.equal(h.pulls.get(imagePullKey(p, UNREACHABLE)), 10_000, 'pull back-off recorded');

  h.events.length = 0;
  h.clock.advance(5_000);
  const second = await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), 'ImagePullBackOff');
  assert.equal(second.message, 'Back-off pulling image "127.0.0.1:5999/none:1"');
  assert.deepEqual(h.events, [
    {
      type: 'Normal',
      reason: 'BackOff',
      message: 'Back-off pulling image "127.0.0.1:5999/none:1"',
    },
    { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' },
  ]);
  assert.equal(h.rt.calls.filter((x) => x.startsWith('pull')).length, 1, 'no pull inside back-off');

  h.clock.advance(5_000);
  await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), 'ErrImagePull');
  assert.equal(h.rt.calls.filter((x) => x.startsWith('pull')).length, 2, 'pulled again after 10 s');
  assert.equal(h.pulls.get(imagePullKey(p, UNREACHABLE)), 20_000, 'the back-off doubled');
  assert.ok(!h.rt.calls.some((x) => x.startsWith('create ')), 'nothing created');
});

test('a successful pull resets the pull back-off', async () => {
  const h = harness();
  h.rt.unreachable.add('skiff/late:1');
  const c = container('app', { image: 'skiff/late:1' });
  const { p, ctx } = await h.podWith(c);
  await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), 'ErrImagePull');
  h.rt.unreachable.delete('skiff/late:1');
  h.clock.advance(10_000);
  await startContainer(h.deps, p, c, 0, ctx);
  assert.equal(h.pulls.get(imagePullKey(p, 'skiff/late:1')), 0);
});

const refused: {
  name: string;
  image: string;
  policy?: Container['imagePullPolicy'];
  reason: WaitingReason;
  event: string;
}[] = [
  {
    name: 'a malformed name',
    image: 'Not Valid!',
    reason: 'InvalidImageName',
    event: 'Warning InspectFailed',
  },
  {
    name: 'a missing image with policy Never',
    image: 'skiff/absent:1',
    policy: 'Never',
    reason: 'ErrImageNeverPull',
    event: 'Warning ErrImageNeverPull',
  },
];

for (const tc of refused) {
  test(`${tc.name}: ${tc.reason}, nothing pulled or created`, async () => {
    const h = harness();
    const c = container('app', {
      image: tc.image,
      ...(tc.policy ? { imagePullPolicy: tc.policy } : {}),
    });
    const { p, ctx } = await h.podWith(c);
    const err = await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), tc.reason);
    assert.deepEqual(reasons(h.events), [tc.event, 'Warning Failed']);
    assert.equal(h.events[0]?.message, err.message);
    assert.equal(h.events[1]?.message, `Error: ${tc.reason}`);
    assert.deepEqual(h.rt.calls, ['createSandbox#0']);
  });
}

test('create fails: a Failed "Error: ..." event and the runtime reason (CreateContainerError)', async () => {
  const h = harness();
  const c = container('app');
  const { p, ctx } = await h.podWith(c);
  const err = await syncErrorOf(
    startContainer(h.deps, p, c, 0, { ...ctx, sandboxId: 'sandbox-gone' }),
    'CreateContainerError',
  );
  assert.deepEqual(reasons(h.events), ['Normal Pulled', 'Warning Failed']);
  assert.equal(h.events[1]?.message, `Error: ${err.message}`);
});

test('start fails: a Failed "Error: ..." event and RunContainerError', async () => {
  const clock = new FakeClock();
  const rt = new (class extends FakeRuntime {
    override async startContainer(): Promise<void> {
      throw new Error('OCI runtime create failed: exec: "/app": no such file or directory');
    }
  })({ clock });
  const h = harness(rt, clock);
  const c = container('app');
  const { p, ctx } = await h.podWith(c);
  const err = await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), 'RunContainerError');
  assert.match(err.message, /no such file or directory/);
  assert.deepEqual(reasons(h.events), ['Normal Pulled', 'Normal Created', 'Warning Failed']);
  assert.equal(h.events[2]?.message, `Error: ${err.message}`);
});

test('env keys skipped as invalid names: a Failed warning event, the container still starts', async () => {
  const h = harness();
  const c = container('app', { envFrom: [{ configMapRef: { name: 'settings' } }] });
  const { p, ctx } = await h.podWith(c);
  const objects = podObjects([
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { GOOD: '1', '1bad': '2' },
    },
  ]);
  await startContainer(h.deps, p, c, 0, { ...ctx, objects });
  assert.deepEqual(reasons(h.events), [
    'Normal Pulled',
    'Warning Failed',
    'Normal Created',
    'Normal Started',
  ]);
  assert.match(
    h.events[1]?.message ?? '',
    /^Keys \[1bad\] from the EnvFrom configMap default\/settings were skipped/,
  );
});

test('a missing ConfigMap: CreateContainerConfigError, nothing created', async () => {
  const h = harness();
  const c = container('app', { envFrom: [{ configMapRef: { name: 'absent' } }] });
  const { p, ctx } = await h.podWith(c);
  const err = await syncErrorOf(startContainer(h.deps, p, c, 0, ctx), 'CreateContainerConfigError');
  assert.equal(err.message, 'configmap "absent" not found');
  assert.ok(!h.rt.calls.some((x) => x.startsWith('create ')));
});
