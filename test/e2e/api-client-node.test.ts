/**
 * Acceptance: the official @kubernetes/client-node against skiff's API
 * server (in-process, over a real SQLite file): its informer sees events in
 * order, relists after a restart with compacted history, and optimistic
 * concurrency gives exactly one winner out of 20 racing PUTs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { ApiFixture, eventually } from '../control-plane/api/client/api-fixture.ts';

const NS = 'client-node';

function kubeConfig(server: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless skipTLSVerify is set (TLS comes in a later issue).
    clusters: [{ name: 'skiff', server, skipTLSVerify: true }],
    users: [{ name: 'tester' }],
    contexts: [{ name: 'skiff', cluster: 'skiff', user: 'tester', namespace: NS }],
    currentContext: 'skiff',
  });
  return kc;
}

const pod = (name: string, labels: Record<string, string> = {}): k8s.V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels },
  spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] },
});

// A client-node informer over the pods of NS that records its callbacks as
// "add a", "update a", "delete a", and restarts itself after a connection
// error (client-node stops on errors; its documented use is to start again).
function podInformer(kc: k8s.KubeConfig, core: k8s.CoreV1Api) {
  const counts = { lists: 0 };
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () => {
    counts.lists++;
    return core.listNamespacedPod({ namespace: NS });
  });
  const log: string[] = [];
  let stopped = false;
  informer.on('add', (p) => void log.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => void log.push(`update ${p.metadata?.name}`));
  informer.on('delete', (p) => void log.push(`delete ${p.metadata?.name}`));
  informer.on('error', () => {
    if (stopped) return;
    setTimeout(() => {
      if (!stopped) void informer.start().catch(() => undefined);
    }, 200);
  });
  return {
    informer,
    log,
    counts,
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}

describe('@kubernetes/client-node against skiff', () => {
  let fx: ApiFixture;
  let core: k8s.CoreV1Api;
  let kc: k8s.KubeConfig;
  before(async () => {
    fx = await ApiFixture.start();
    kc = kubeConfig(fx.url);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    });
  });
  after(() => fx?.destroy());

  test('makeInformer sees ADDED, MODIFIED and DELETED in order', async () => {
    const inf = podInformer(kc, core);
    try {
      await inf.informer.start();
      const created = await core.createNamespacedPod({ namespace: NS, body: pod('ordered') });
      await core.replaceNamespacedPod({
        name: 'ordered',
        namespace: NS,
        body: { ...created, metadata: { ...created.metadata, labels: { step: 'two' } } },
      });
      await core.deleteNamespacedPod({ name: 'ordered', namespace: NS, gracePeriodSeconds: 0 });
      await eventually('three informer events', () => inf.log.length >= 3);
      assert.deepEqual(inf.log, ['add ordered', 'update ordered', 'delete ordered']);
      assert.equal(inf.informer.get('ordered', NS), undefined);
    } finally {
      await inf.stop();
    }
  });

  test('after a restart with compacted history the informer relists to the right state', async () => {
    const kept = await core.createNamespacedPod({ namespace: NS, body: pod('kept', { v: '1' }) });
    await core.createNamespacedPod({ namespace: NS, body: pod('doomed') });
    await core.createNamespacedPod({ namespace: NS, body: pod('same') });
    const inf = podInformer(kc, core);
    try {
      await inf.informer.start();
      assert.deepEqual([...inf.log].sort(), ['add doomed', 'add kept', 'add same']);

      // The informer's server goes away; changes land through another
      // server on the same data, history is compacted, then the first port
      // comes back: the informer's resourceVersion is now too old (410).
      await fx.restart(0);
      const side = kubeConfig(fx.url).makeApiClient(k8s.CoreV1Api);
      await side.replaceNamespacedPod({
        name: 'kept',
        namespace: NS,
        body: { ...kept, metadata: { ...kept.metadata, labels: { v: '2' } } },
      });
      await side.deleteNamespacedPod({ name: 'doomed', namespace: NS, gracePeriodSeconds: 0 });
      await side.createNamespacedPod({ namespace: NS, body: pod('born') });
      await fx.compact();
      await fx.restart();

      await eventually('the relist', () =>
        ['delete doomed', 'add born', 'update kept'].every((e) => inf.log.includes(e)),
      );
      const state = inf.informer
        .list(NS)
        .map((p) => `${p.metadata?.name}:${p.metadata?.labels?.v ?? ''}`)
        .sort();
      assert.deepEqual(state, ['born:', 'kept:2', 'same:']);
      assert.equal(inf.counts.lists, 2, 'one list at start, one relist after the 410');
      assert.ok(
        !inf.log.slice(3).includes('update same'),
        'unchanged objects are not re-announced',
      );

      // The relisted informer keeps watching.
      await core.deleteNamespacedPod({ name: 'same', namespace: NS, gracePeriodSeconds: 0 });
      await eventually('a watch event after the relist', () => inf.log.includes('delete same'));
    } finally {
      await inf.stop();
    }
  });

  test('20 concurrent PUTs with one resourceVersion: one succeeds, 19 get 409 Conflict', async () => {
    const base = await core.createNamespacedPod({ namespace: NS, body: pod('contended') });
    const puts = Array.from({ length: 20 }, (_, i) =>
      core.replaceNamespacedPod({
        name: 'contended',
        namespace: NS,
        body: { ...base, metadata: { ...base.metadata, labels: { writer: String(i) } } },
      }),
    );
    const results = await Promise.allSettled(puts);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 19);
    for (const r of lost) {
      const err: unknown = r.reason;
      assert.ok(err instanceof k8s.ApiException, String(err));
      assert.equal(err.code, 409);
      const status = JSON.parse(String(err.body)) as { kind: string; reason: string; code: number };
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'Conflict');
      assert.equal(status.code, 409);
    }
    const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined;
    const now = await core.readNamespacedPod({ name: 'contended', namespace: NS });
    assert.equal(now.metadata?.labels?.writer, winner?.metadata?.labels?.writer);
  });
});
