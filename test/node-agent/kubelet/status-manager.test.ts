/**
 * StatusManager against a real API server (in-process, real SQLite store):
 * statuses written through pods/status and coalesced, conditions of other
 * writers kept, never a write to a re-created pod of the same name, the
 * deletion confirmed, terminal phases kept, and the API server stopped and
 * started again on the same port and store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../../control-plane/api/client/client.ts';
import { createLogger, type Logger } from '../../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { KubeObject, Pod, PodCondition, PodStatus } from '../../../control-plane/api/types.ts';
import { StatusManager } from '../../../node-agent/kubelet/status-manager.ts';
import { ApiFixture } from '../../control-plane/api/client/api-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const T = '2025-01-01T00:00:00Z';

function recordingLogger(): { log: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const sink = (line: string) => lines.push(JSON.parse(line) as { level: string; msg: string });
  return { log: createLogger({}, { level: 'debug', sink }), lines };
}

/** A kubelet-made status: Running with `podIP`, its conditions Ready/ContainersReady/Initialized. */
function running(podIP: string, ready = true): PodStatus {
  const c = (type: string): PodCondition => ({
    type,
    status: ready || type === 'Initialized' ? 'True' : 'False',
    lastTransitionTime: T,
  });
  return {
    phase: 'Running',
    podIP,
    podIPs: [{ ip: podIP }],
    hostIP: '127.0.0.1',
    startTime: T,
    conditions: [c('Initialized'), c('Ready'), c('ContainersReady')],
    containerStatuses: [
      {
        name: 'app',
        ready,
        restartCount: 0,
        image: 'skiff/echo:1',
        imageID: '',
        started: true,
        state: { running: { startedAt: T } },
      },
    ],
  };
}

/** A real client that counts the status writes in flight, overall and per pod. */
class CountingClient extends ApiClient {
  max = 0;
  maxPerPod = 0;
  private inFlight = 0;
  private readonly perPod = new Map<string, number>();

  override async updateStatus<T extends KubeObject>(r: ResourceInfo, obj: T): Promise<T> {
    const uid = obj.metadata.uid ?? '';
    const mine = (this.perPod.get(uid) ?? 0) + 1;
    this.perPod.set(uid, mine);
    this.maxPerPod = Math.max(this.maxPerPod, mine);
    this.max = Math.max(this.max, ++this.inFlight);
    try {
      return await super.updateStatus(r, obj);
    } finally {
      this.inFlight--;
      this.perPod.set(uid, (this.perPod.get(uid) ?? 1) - 1);
    }
  }
}

describe('StatusManager against the real API server', () => {
  let fx: ApiFixture;
  let client: ApiClient;
  const ac = new AbortController();
  let seq = 0;

  before(async () => {
    fx = await ApiFixture.start();
    client = fx.client({ timeoutMs: 5_000 });
  });
  after(async () => {
    ac.abort();
    await fx?.destroy();
  });

  function manager(log: Logger = createLogger({}, { level: 'error' })): StatusManager {
    const sm = new StatusManager({ client, log, retryBaseMs: 50, retryCapMs: 300 });
    sm.start(ac.signal);
    return sm;
  }

  /** A pod bound to node-1 (the binding marks it PodScheduled), as its kubelet sees it. */
  async function boundPod(name = 'web'): Promise<Pod> {
    const ns = `sm-${++seq}`;
    await client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    return bind(ns, name);
  }

  async function bind(ns: string, name: string): Promise<Pod> {
    const pod = await client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'app', image: 'skiff/echo:1' }] },
    });
    await client.bind({ name, namespace: ns, uid: pod.metadata.uid ?? '' }, 'node-1');
    return read(pod);
  }

  function read(pod: Pod): Promise<Pod> {
    return client.get<Pod>(PODS, pod.metadata.name ?? '', { namespace: pod.metadata.namespace });
  }

  /** Counts the pod's MODIFIED events from its current version on, until stopped. */
  function countWrites(pod: Pod): { count: () => number; stop: () => Promise<void> } {
    const stop = new AbortController();
    let n = 0;
    const done = (async () => {
      const events = client.watch<Pod>(PODS, {
        namespace: pod.metadata.namespace,
        fieldSelector: `metadata.name=${pod.metadata.name ?? ''}`,
        resourceVersion: pod.metadata.resourceVersion,
        signal: stop.signal,
      });
      for await (const e of events) if (e.type === 'MODIFIED') n++;
    })();
    return {
      count: () => n,
      stop: async () => {
        stop.abort();
        await done;
      },
    };
  }

  test('a burst of 10 statuses is written as the latest one, in a few writes', async () => {
    const pod = await boundPod();
    const sm = manager();
    const writes = countWrites(pod);
    for (let i = 0; i < 10; i++) sm.set(pod, running(`10.244.1.${i}`));
    await sm.idle();
    const stored = await read(pod);
    assert.equal(stored.status?.podIP, '10.244.1.9');
    assert.equal(stored.status?.phase, 'Running');
    assert.deepEqual(sm.get(pod.metadata.uid ?? '')?.podIP, '10.244.1.9');

    // The same status again, from the old or the new copy of the pod: nothing to write
    // (though the server completed it with the qosClass these statuses leave out).
    sm.set(pod, running('10.244.1.9'));
    sm.set(stored, running('10.244.1.9'));
    await sm.idle();
    assert.equal((await read(pod)).metadata.resourceVersion, stored.metadata.resourceVersion);
    await new Promise((r) => setTimeout(r, 200)); // let the watch deliver
    await writes.stop();
    assert.ok(writes.count() >= 1 && writes.count() <= 3, `${writes.count()} writes`);
  });

  test('at most 5 writes in flight, one per pod; 20 pods all written', async () => {
    const pods = await Promise.all(Array.from({ length: 20 }, (_, i) => boundPod(`p${i}`)));
    const counting = new CountingClient({ server: fx.url, timeoutMs: 5_000 });
    try {
      const sm = new StatusManager({ client: counting, log: createLogger({}, { level: 'error' }) });
      sm.start(ac.signal);
      for (let round = 0; round < 3; round++) {
        for (const [i, p] of pods.entries()) sm.set(p, running(`10.244.7.${i + round * 20}`));
      }
      await sm.idle();
      assert.ok(counting.max <= 5, `${counting.max} writes in flight`);
      assert.ok(counting.maxPerPod <= 1, `${counting.maxPerPod} writes of one pod in flight`);
      for (const [i, p] of pods.entries()) {
        assert.equal((await read(p)).status?.podIP, `10.244.7.${i + 40}`);
      }
    } finally {
      counting.close();
    }
  });

  test('PodScheduled and conditions of other writers are kept, even those added meanwhile', async () => {
    const pod = await boundPod();
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    // Another writer (the eviction API, a readiness gate's controller) adds conditions
    // after the kubelet took its copy of the pod.
    const fresh = await read(pod);
    await client.updateStatus(PODS, {
      ...fresh,
      status: {
        ...fresh.status,
        conditions: [
          ...(fresh.status?.conditions ?? []),
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'EvictionByEvictionAPI',
            lastTransitionTime: T,
          },
        ],
      },
    });
    const sm = manager();
    sm.set(pod, running('10.244.2.1'));
    await sm.idle();
    const types = (await read(pod)).status?.conditions?.map((c) => `${c.type}=${c.status}`).sort();
    assert.deepEqual(types, [
      'ContainersReady=True',
      'DisruptionTarget=True',
      'Initialized=True',
      'PodScheduled=True',
      'Ready=True',
    ]);
  });

  test('a pod re-created with the same name is never written to', async () => {
    const old = await boundPod('same');
    await client.delete(PODS, 'same', { namespace: old.metadata.namespace, gracePeriodSeconds: 0 });
    const renewed = await bind(old.metadata.namespace ?? '', 'same');
    assert.notEqual(renewed.metadata.uid, old.metadata.uid);
    const { log, lines } = recordingLogger();
    const sm = manager(log);
    sm.set(old, running('10.244.3.1'));
    await sm.idle();
    const now = await read(renewed);
    assert.equal(now.metadata.resourceVersion, renewed.metadata.resourceVersion);
    assert.equal(now.status?.podIP, undefined);
    assert.ok(lines.some((l) => /gone from the API server/.test(l.msg)));
  });

  test('a terminal phase is not left', async () => {
    const pod = await boundPod();
    const { log, lines } = recordingLogger();
    const sm = manager(log);
    sm.set(pod, { ...running('10.244.4.1', false), phase: 'Succeeded' });
    await sm.idle();
    const done = await read(pod);
    sm.set(done, running('10.244.4.1'));
    await sm.idle();
    const stored = await read(pod);
    assert.equal(stored.status?.phase, 'Succeeded');
    assert.equal(stored.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.ok(lines.some((l) => l.level === 'warn' && /terminal pod phase/.test(l.msg)));
  });

  test('confirmDeletion writes the final status, then deletes the pod', async () => {
    const pod = await boundPod();
    const sm = manager();
    sm.set(pod, running('10.244.5.1'));
    await sm.idle();
    // A graceful delete: the pod stays, with a deletionTimestamp, until its kubelet confirms.
    await client.delete(PODS, 'web', { namespace: pod.metadata.namespace });
    const deleting = await read(pod);
    assert.ok(deleting.metadata.deletionTimestamp);
    const seen: string[] = [];
    const stop = new AbortController();
    const watching = (async () => {
      const events = client.watch<Pod>(PODS, {
        namespace: pod.metadata.namespace,
        resourceVersion: deleting.metadata.resourceVersion,
        signal: stop.signal,
      });
      for await (const e of events) {
        seen.push(`${e.type} ${e.object.status?.phase ?? ''}`);
        if (e.type === 'DELETED') break;
      }
    })();
    sm.set(deleting, { ...running('10.244.5.1', false), phase: 'Failed' });
    await sm.confirmDeletion(deleting);
    await watching;
    stop.abort();
    await assert.rejects(read(pod), { code: 404 });
    assert.deepEqual(seen, ['MODIFIED Failed', 'DELETED Failed']);
    assert.equal(sm.get(pod.metadata.uid ?? ''), undefined);
    // Confirming again (a pod already gone) is done at once.
    await sm.confirmDeletion(deleting);
  });

  test('confirmDeletion leaves a re-created pod of the same name alone', async () => {
    const old = await boundPod('again');
    await client.delete(PODS, 'again', {
      namespace: old.metadata.namespace,
      gracePeriodSeconds: 0,
    });
    const renewed = await bind(old.metadata.namespace ?? '', 'again');
    await manager().confirmDeletion(old);
    assert.equal((await read(renewed)).metadata.uid, renewed.metadata.uid);
  });

  test('API server stopped and started again: the latest status arrives, one log line per outage', async () => {
    const pod = await boundPod();
    const doomed = await bind(pod.metadata.namespace ?? '', 'doomed');
    await client.delete(PODS, 'doomed', { namespace: pod.metadata.namespace });
    const { log, lines } = recordingLogger();
    const sm = manager(log);
    await fx.stop();
    let deleted: Promise<void> | undefined;
    try {
      sm.set(pod, running('10.244.6.1', false));
      await new Promise((r) => setTimeout(r, 300));
      sm.set(pod, running('10.244.6.2'));
      deleted = sm.confirmDeletion(doomed);
      await new Promise((r) => setTimeout(r, 700));
    } finally {
      await fx.restart();
    }
    await sm.idle();
    await deleted;
    const stored = await read(pod);
    assert.equal(stored.status?.podIP, '10.244.6.2');
    assert.equal(stored.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    await assert.rejects(read(doomed), { code: 404 });
    const down = lines.filter((l) => /unreachable/.test(l.msg));
    const back = lines.filter((l) => /reachable again/.test(l.msg));
    assert.equal(down.length, 1);
    assert.equal(back.length, 1);
  });
});
