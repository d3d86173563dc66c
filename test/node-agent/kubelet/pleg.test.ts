// Pleg over FakeRuntime: each relist reports exactly the pod UIDs whose
// sandboxes or containers appeared, went away or changed state; every
// successful relist lists the pods; a failing runtime is reported
// unhealthy once, and healthy again once it answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Pod } from '../../../control-plane/api/types.ts';
import { Pleg, type PlegOptions, type RelistedPod } from '../../../node-agent/kubelet/pleg.ts';
import type { RuntimeEvent } from '../../../node-agent/kubelet/runtime/runtime.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeRuntime } from '../../fakes/fake-runtime.ts';
import { container, pod } from './fixtures.ts';

const NETWORK = 'skiff-pods';
const quiet = createLogger({}, { level: 'error' });

/** Polls `cond` every 5 ms; fails after `ms` (generous: the machine may be loaded). */
async function waitFor(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What the Pleg reported, in order. */
class Recorder {
  readonly changes: string[][] = [];
  readonly relists: RelistedPod[][] = [];
  readonly health: [boolean, string | undefined][] = [];
  readonly opts: Pick<PlegOptions, 'onChange' | 'onRelist' | 'onHealth'> = {
    onChange: (uids) => this.changes.push([...uids].sort()),
    onRelist: (pods) => this.relists.push(pods),
    onHealth: (ok, message) => this.health.push([ok, message]),
  };
}

/** Creates `p`'s sandbox and its containers (created, not started) in `rt`. */
async function createPod(rt: FakeRuntime, p: Pod): Promise<string[]> {
  const { id: sandboxId } = await rt.createSandbox(p, { network: NETWORK, attempt: 0 });
  const ids: string[] = [];
  for (const c of p.spec.containers) {
    ids.push(
      await rt.createContainer(p, c, sandboxId, 0, { image: c.image ?? '', env: [], mounts: [] }),
    );
  }
  return ids;
}

const uidOf = (p: Pod) => p.metadata.uid ?? '';
const byUid = (a: RelistedPod, b: RelistedPod) => a.uid.localeCompare(b.uid);

test('relist reports exactly the pods whose containers changed', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const rec = new Recorder();
  const pleg = new Pleg({ runtime: rt, log: quiet, ...rec.opts });
  const a = pod('a', [container('app')]);
  const b = pod('b', [container('one'), container('two')]);
  const [appA] = await createPod(rt, a);
  const [oneB, twoB] = await createPod(rt, b);

  await pleg.relist();
  assert.deepEqual(rec.changes, [[uidOf(a), uidOf(b)].sort()], 'every pod is new at first');

  await pleg.relist();
  assert.equal(rec.changes.length, 1, 'nothing changed: no onChange');

  await rt.startContainer(appA ?? '');
  await pleg.relist();
  assert.deepEqual(rec.changes[1], [uidOf(a)], 'a container started');

  await rt.startContainer(oneB ?? '');
  await rt.startContainer(twoB ?? '');
  rt.exit(oneB ?? '', 1);
  await pleg.relist();
  assert.deepEqual(rec.changes[2], [uidOf(b)], 'containers started and exited');

  for (const s of await rt.listPodSandboxes({ podUid: uidOf(a) })) await rt.removeContainer(s.id);
  await rt.removeContainer(appA ?? '');
  await pleg.relist();
  assert.deepEqual(rec.changes[3], [uidOf(a)], 'a pod whose containers all went away');

  await pleg.relist();
  assert.equal(rec.changes.length, 4, 'a gone pod is reported once');
  assert.deepEqual(rec.relists.length, 6, 'onRelist after every relist');
  assert.deepEqual(rec.relists[0]?.toSorted(byUid), [
    ...[a, b]
      .map((p) => ({ uid: uidOf(p), namespace: 'default', name: p.metadata.name ?? '' }))
      .sort(byUid),
  ]);
  assert.deepEqual(rec.relists[5], [{ uid: uidOf(b), namespace: 'default', name: 'b' }]);
  assert.deepEqual(rec.health, [[true, undefined]]);
});

test('a sandbox state change alone is a change', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const rec = new Recorder();
  const pleg = new Pleg({ runtime: rt, log: quiet, ...rec.opts });
  const p = pod('a', []);
  const { id } = await rt.createSandbox(p, { network: NETWORK, attempt: 0 });
  await pleg.relist();
  await rt.stopContainer(id, 0);
  await pleg.relist();
  assert.deepEqual(rec.changes, [[uidOf(p)], [uidOf(p)]]);
});

test('a runtime that cannot list: unhealthy once, healthy again once it answers', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const p = pod('a', [container('app')]);
  await createPod(rt, p);
  let down = false;
  const fail = () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
  const runtime: PlegOptions['runtime'] = {
    listPodSandboxes: (f) => (down ? fail() : rt.listPodSandboxes(f)),
    listContainers: (f) => (down ? fail() : rt.listContainers(f)),
    events: (signal) => rt.events(signal),
  };
  const rec = new Recorder();
  const logged: string[] = [];
  const log = createLogger({}, { level: 'error', sink: (line) => logged.push(line) });
  const pleg = new Pleg({ runtime, log, ...rec.opts });

  await pleg.relist();
  down = true;
  await pleg.relist();
  await pleg.relist();
  assert.deepEqual(rec.health, [
    [true, undefined],
    [false, 'container runtime is down: connect ENOENT /var/run/docker.sock'],
  ]);
  assert.equal(rec.relists.length, 1, 'no onRelist while the runtime is down');
  assert.equal(logged.length, 1, 'the outage is logged once');
  assert.match(logged[0] ?? '', /Container runtime relist failed/);
  down = false;
  await pleg.relist();
  await pleg.relist();
  assert.deepEqual(rec.health.slice(2), [[true, undefined]]);
  assert.deepEqual(rec.changes, [[uidOf(p)]], 'an outage alone changes no pod');
  assert.equal(rec.relists.length, 3);
});

test('relist calls during a relist coalesce into one more', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  let lists = 0;
  let release: (() => void) | undefined;
  const runtime: PlegOptions['runtime'] = {
    listPodSandboxes: async (f) => {
      lists++;
      if (lists === 1) await new Promise<void>((r) => (release = r));
      return rt.listPodSandboxes(f);
    },
    listContainers: (f) => rt.listContainers(f),
    events: (signal) => rt.events(signal),
  };
  const rec = new Recorder();
  const pleg = new Pleg({ runtime, log: quiet, ...rec.opts });
  const first = pleg.relist();
  const during = [pleg.relist(), pleg.relist(), pleg.relist()];
  await waitFor(() => release !== undefined, 'the first list');
  release?.();
  await Promise.all([first, ...during]);
  await waitFor(() => rec.relists.length === 2, 'the coalesced relist');
  await pleg.relist();
  assert.equal(lists, 3, 'three calls during a relist made one more; then the explicit one');
});

test('start(): relists at once, then at once on an engine event', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const p = pod('a', [container('app')]);
  const [id] = await createPod(rt, p);
  let emit: ((e: RuntimeEvent) => void) | undefined;
  const runtime: PlegOptions['runtime'] = {
    listPodSandboxes: (f) => rt.listPodSandboxes(f),
    listContainers: (f) => rt.listContainers(f),
    // One event when the test says so, then quiet until the signal aborts.
    async *events(signal) {
      const e = await new Promise<RuntimeEvent | undefined>((resolve) => {
        emit = resolve;
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
      });
      if (e) yield e;
      await new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    },
  };
  const rec = new Recorder();
  // A relist period far beyond the test: only start() and the event relist.
  const pleg = new Pleg({ runtime, log: quiet, relistMs: 600_000, ...rec.opts });
  const ac = new AbortController();
  try {
    pleg.start(ac.signal);
    await waitFor(() => rec.relists.length === 1, 'the first relist');
    assert.deepEqual(rec.changes, [[uidOf(p)]]);
    await waitFor(() => emit !== undefined, 'the event stream to open');
    await rt.startContainer(id ?? '');
    emit?.({ action: 'start', containerId: id ?? '', time: clock.now(), podUid: uidOf(p) });
    await waitFor(() => rec.relists.length === 2, 'the relist the event caused');
    assert.deepEqual(rec.changes, [[uidOf(p)], [uidOf(p)]]);
  } finally {
    ac.abort();
  }
});

test('start(): relists every relistMs until the signal aborts', async () => {
  const clock = new FakeClock();
  const rt = new FakeRuntime({ clock });
  const rec = new Recorder();
  const pleg = new Pleg({ runtime: rt, log: quiet, relistMs: 10, ...rec.opts });
  const ac = new AbortController();
  try {
    pleg.start(ac.signal);
    await waitFor(() => rec.relists.length >= 3, 'periodic relists');
  } finally {
    ac.abort();
  }
  await new Promise((r) => setTimeout(r, 30));
  const after = rec.relists.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(rec.relists.length, after, 'no relist after abort');
});
