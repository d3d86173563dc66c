// PodWorkers: one serialized worker per pod UID, driven by a fake sync
// function (records calls, can be held on a deferred promise) and a fake
// status sink. Proves passes of one pod never overlap, triggers during a
// pass coalesce into exactly one more, deleted and orphaned pods are taken
// down without status writes, and a terminated pod is confirmed and forgotten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Pod, PodStatus } from '../../../control-plane/api/types.ts';
import type { PodSyncResult } from '../../../node-agent/kubelet/pod-sync.ts';
import {
  PodWorkers,
  type PodStatusSink,
  type PodWorkersOptions,
} from '../../../node-agent/kubelet/pod-workers.ts';
import { container, pod } from './fixtures.ts';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `cond` every 5 ms; fails after `ms` (generous: the machine may be loaded). */
async function waitFor(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RUNNING: PodStatus = { phase: 'Running' };

/** A sync function that records every pass; `hold` makes passes wait until released. */
class FakeSync {
  readonly calls: Pod[] = [];
  active = 0;
  maxActive = 0;
  hold: Deferred | undefined;
  /** What a pass returns (or throws); by default a running pod. */
  answer: (pod: Pod, n: number) => PodSyncResult = () => ({
    status: RUNNING,
    actions: [],
    terminated: false,
  });

  readonly sync = async (p: Pod): Promise<PodSyncResult> => {
    this.calls.push(p);
    const n = this.calls.length;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.hold) await this.hold.promise;
      return this.answer(p, n);
    } finally {
      this.active--;
    }
  };
}

/** A status sink that records what the workers hand it. */
class FakeStatus implements PodStatusSink {
  readonly sets: { pod: Pod; status: PodStatus }[] = [];
  readonly confirmed: Pod[] = [];
  readonly forgotten: string[] = [];
  readonly log: string[] = [];
  private readonly statuses = new Map<string, PodStatus>();

  set(p: Pod, status: PodStatus): void {
    this.sets.push({ pod: p, status });
    this.statuses.set(p.metadata.uid ?? '', status);
  }
  get(uid: string): PodStatus | undefined {
    return this.statuses.get(uid);
  }
  async confirmDeletion(p: Pod): Promise<void> {
    this.confirmed.push(p);
    this.log.push(`confirm ${p.metadata.uid ?? ''}`);
  }
  forget(uid: string): void {
    this.forgotten.push(uid);
    this.log.push(`status.forget ${uid}`);
  }
}

function setup(extra: Partial<PodWorkersOptions> = {}) {
  const sync = new FakeSync();
  const status = new FakeStatus();
  const forgotten: string[] = [];
  const workers = new PodWorkers({
    sync: sync.sync,
    forget: (uid) => {
      forgotten.push(uid);
      status.log.push(`forget ${uid}`);
    },
    status,
    log: createLogger({}, { level: 'error' }),
    resyncMs: 60_000,
    errorRetryMs: 60_000,
    ...extra,
  });
  return { sync, status, forgotten, workers };
}

const TERMINATED: PodSyncResult = { status: RUNNING, actions: [], terminated: true };

test('update: one pass with the pod, its status handed to the sink, the pod listed', async () => {
  const { sync, status, workers } = setup();
  const p = pod('web', [container('app')]);
  const uid = p.metadata.uid ?? '';
  try {
    workers.update(p);
    await waitFor(() => status.sets.length === 1, 'the status of the first pass');
    assert.equal(sync.calls.length, 1);
    assert.equal(sync.calls[0]?.metadata.uid, uid);
    assert.deepEqual(sync.calls[0]?.status, p.status, 'first pass starts from the API status');
    assert.equal(status.sets[0]?.pod, p);
    assert.deepEqual(status.sets[0]?.status, RUNNING);
    assert.deepEqual(workers.uids(), [uid]);
    assert.deepEqual(
      workers.pods().map((x) => [x.metadata.uid, x.status]),
      [[uid, RUNNING]],
      'pods() shows the status last set',
    );
  } finally {
    await workers.stop();
  }
  assert.equal(sync.calls.length, 1, 'nothing more without a trigger');
});

test('passes of one pod never overlap; triggers during a pass coalesce into exactly one more', async () => {
  const { sync, status, workers } = setup();
  const p = pod('web', [container('app')]);
  const uid = p.metadata.uid ?? '';
  sync.hold = deferred();
  try {
    workers.update(p);
    await waitFor(() => sync.calls.length === 1, 'the first pass');
    workers.poke(uid);
    workers.poke(uid);
    const newer: Pod = { ...p, metadata: { ...p.metadata, labels: { rev: '2' } } };
    workers.update(newer);
    workers.poke(uid);
    await sleep(20);
    assert.equal(sync.calls.length, 1, 'no second pass while the first runs');
    const release = sync.hold;
    sync.hold = undefined;
    release.resolve();
    await waitFor(() => sync.calls.length === 2, 'the coalesced pass');
  } finally {
    await workers.stop();
  }
  assert.equal(sync.calls.length, 2, 'four triggers during a pass make exactly one more');
  assert.equal(sync.maxActive, 1);
  assert.deepEqual(sync.calls[1]?.metadata.labels, { rev: '2' }, 'the pass sees the newest pod');
  assert.deepEqual(sync.calls[1]?.status, RUNNING, 'and starts from the status last set');
  assert.equal(status.sets.length, 2);
});

test('different pods sync at the same time', async () => {
  const { sync, workers } = setup();
  sync.hold = deferred();
  try {
    workers.update(pod('a', [container('app')]));
    workers.update(pod('b', [container('app')]));
    await waitFor(() => sync.calls.length === 2, 'both passes under way');
    assert.equal(sync.active, 2);
    sync.hold.resolve();
  } finally {
    await workers.stop();
  }
});

const removedCases: { name: string; meta: Partial<Pod['metadata']>; grace: number }[] = [
  { name: 'last seen without deletionTimestamp', meta: {}, grace: 2 },
  {
    name: 'last seen in a graceful deletion of 30 s',
    meta: { deletionTimestamp: '2025-01-01T00:01:00Z', deletionGracePeriodSeconds: 30 },
    grace: 2,
  },
  {
    name: 'last seen with 1 s of grace left',
    meta: { deletionTimestamp: '2025-01-01T00:01:00Z', deletionGracePeriodSeconds: 1 },
    grace: 1,
  },
];

for (const tc of removedCases) {
  test(`removed (${tc.name}): taken down with grace ${tc.grace}, nothing reported`, async () => {
    const { sync, status, forgotten, workers } = setup();
    const p = pod('gone', [container('app')], {}, tc.meta);
    const uid = p.metadata.uid ?? '';
    // The first pass (the pod as the API had it) leaves it running; the next one finds all gone.
    sync.answer = (_p, n) =>
      n === 1 ? { status: RUNNING, actions: [], terminated: false } : TERMINATED;
    try {
      workers.update(p);
      await waitFor(() => status.sets.length === 1, 'the first pass');
      workers.removed(p);
      await waitFor(() => forgotten.length === 1, 'the worker to finish');
      assert.equal(sync.calls.length, 2);
      const seen = sync.calls[1]?.metadata;
      assert.ok(seen?.deletionTimestamp, 'synced as a deleted pod');
      if (tc.meta.deletionTimestamp) {
        assert.equal(seen.deletionTimestamp, tc.meta.deletionTimestamp);
      }
      assert.equal(seen?.deletionGracePeriodSeconds, tc.grace);
      assert.equal(status.sets.length, 1, 'no status for a pod the API no longer has');
      assert.deepEqual(status.confirmed, [], 'no deletion to confirm');
      assert.deepEqual(forgotten, [uid]);
      assert.deepEqual(status.forgotten, [uid]);
      assert.deepEqual(workers.uids(), []);
      assert.deepEqual(workers.pods(), []);
    } finally {
      await workers.stop();
    }
  });
}

test('removed while a pass runs: not listed any more, the next pass takes it down', async () => {
  const { sync, status, workers } = setup();
  const p = pod('web', [container('app')]);
  sync.hold = deferred();
  try {
    workers.update(p);
    await waitFor(() => sync.calls.length === 1, 'the first pass');
    workers.removed(p);
    assert.deepEqual(workers.pods(), [], 'a removed pod is no longer listed');
    sync.hold.resolve();
    await waitFor(() => sync.calls.length === 2, 'the pass of the removed pod');
    assert.equal(sync.calls[1]?.metadata.deletionGracePeriodSeconds, 2);
    assert.ok(sync.calls[1]?.metadata.deletionTimestamp);
    await waitFor(() => sync.active === 0, 'the pass to end');
    assert.equal(status.sets.length, 0, 'a pass that ends after the removal sets no status');
  } finally {
    await workers.stop();
  }
});

test('removed for a UID without a worker: nothing to do (orphans come through the relist)', async () => {
  const { sync, workers } = setup({ resyncMs: 20, errorRetryMs: 20 });
  try {
    workers.removed(pod('never-seen', [container('app')]));
    assert.deepEqual(workers.uids(), []);
    await sleep(50);
    assert.equal(sync.calls.length, 0);
  } finally {
    await workers.stop();
  }
});

test('terminated: deletion confirmed once, then forgotten; the worker is gone', async () => {
  const { sync, status, forgotten, workers } = setup();
  const p = pod(
    'leaving',
    [container('app')],
    {},
    {
      deletionTimestamp: '2025-01-01T00:01:00Z',
      deletionGracePeriodSeconds: 30,
    },
  );
  const uid = p.metadata.uid ?? '';
  sync.answer = () => TERMINATED;
  try {
    workers.update(p);
    await waitFor(() => forgotten.length === 1, 'the worker to finish');
    assert.deepEqual(status.confirmed, [p]);
    assert.deepEqual(status.log, [`confirm ${uid}`, `forget ${uid}`, `status.forget ${uid}`]);
    assert.equal(sync.calls[0]?.metadata.deletionGracePeriodSeconds, 30, 'grace as the API set');
    assert.deepEqual(workers.uids(), []);
    workers.poke(uid);
    await sleep(20);
    assert.equal(sync.calls.length, 1, 'a forgotten pod is not synced again');
  } finally {
    await workers.stop();
  }
});

test('a failed pass is retried after errorRetryMs; its status is set once it works', async () => {
  const { sync, status, workers } = setup({ errorRetryMs: 20 });
  sync.answer = (_p, n) => {
    if (n < 3) throw new Error('Cannot connect to the Docker daemon');
    return { status: RUNNING, actions: [], terminated: false };
  };
  try {
    workers.update(pod('web', [container('app')]));
    await waitFor(() => status.sets.length === 1, 'a successful pass');
    assert.equal(sync.calls.length, 3);
  } finally {
    await workers.stop();
  }
});

test('a settled pod is synced again after resyncMs, or sooner when the pass asks', async () => {
  const resync = setup({ resyncMs: 20 });
  const asked = setup();
  asked.sync.answer = () => ({ status: RUNNING, actions: [], terminated: false, retryAfterMs: 20 });
  try {
    resync.workers.update(pod('a', [container('app')]));
    asked.workers.update(pod('b', [container('app')]));
    await waitFor(() => resync.sync.calls.length >= 3, 'resync passes');
    await waitFor(() => asked.sync.calls.length >= 3, 'passes at retryAfterMs');
  } finally {
    await resync.workers.stop();
    await asked.workers.stop();
  }
});

test('stop() waits for the running pass and schedules nothing more', async () => {
  const { sync, workers } = setup({ resyncMs: 20, errorRetryMs: 20 });
  const p = pod('web', [container('app')]);
  const uid = p.metadata.uid ?? '';
  sync.hold = deferred();
  workers.update(p);
  await waitFor(() => sync.calls.length === 1, 'the first pass');
  workers.poke(uid);
  let stopped = false;
  const stopping = workers.stop().then(() => (stopped = true));
  await sleep(20);
  assert.equal(stopped, false, 'stop() waits while a pass runs');
  sync.hold.resolve();
  await stopping;
  assert.equal(sync.active, 0);
  workers.poke(uid);
  workers.update(pod('other', [container('app')]));
  await sleep(100);
  assert.equal(sync.calls.length, 1, 'no pass after stop(): not the coalesced one, no resync');
});

test('orphan(uid): an unknown UID is taken down as a deleted pod; a known one is left alone', async () => {
  const { sync, status, forgotten, workers } = setup();
  const known = pod('web', [container('app')]);
  const knownUid = known.metadata.uid ?? '';
  try {
    workers.update(known);
    await waitFor(() => status.sets.length === 1, 'the known pod synced');
    workers.orphan(knownUid, 'default', 'web');
    sync.answer = (p) =>
      p.metadata.uid === 'orphan-1'
        ? TERMINATED
        : { status: RUNNING, actions: [], terminated: false };
    workers.orphan('orphan-1', 'team', 'old');
    await waitFor(() => forgotten.length === 1, 'the orphan to be taken down');
    const seen = sync.calls.map((p) => p.metadata);
    assert.equal(seen.length, 2, 'orphan() of a known pod triggers no pass');
    assert.equal(seen[0]?.uid, knownUid);
    assert.equal(seen[0]?.deletionTimestamp, undefined);
    assert.equal(seen[1]?.uid, 'orphan-1');
    assert.equal(seen[1]?.namespace, 'team');
    assert.equal(seen[1]?.name, 'old');
    assert.ok(seen[1]?.deletionTimestamp);
    assert.equal(seen[1]?.deletionGracePeriodSeconds, 2);
    assert.deepEqual(forgotten, ['orphan-1']);
    assert.deepEqual(status.confirmed, []);
    assert.equal(status.sets.length, 1, 'no status for the orphan');
    assert.deepEqual(workers.uids(), [knownUid]);
  } finally {
    await workers.stop();
  }
});
