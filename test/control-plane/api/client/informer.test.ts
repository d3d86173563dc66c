import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../../../control-plane/api/client/client.ts';
import { Informer } from '../../../../control-plane/api/client/informer.ts';
import { createLogger } from '../../../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { ConfigMap } from '../../../../control-plane/api/types.ts';
import { ApiFixture, eventually, quietLogger } from './api-fixture.ts';

const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

const cm = (namespace: string, name: string, v: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { v },
});

// Records handler calls as "add a=1", "update a=1->2", "delete a=2".
function record(inf: Informer<ConfigMap>): string[] {
  const log: string[] = [];
  const show = (o: ConfigMap) => `${o.metadata.name}=${o.data?.v ?? ''}`;
  inf.on('add', (o) => void log.push(`add ${show(o)}`));
  inf.on('update', (old, o) => void log.push(`update ${show(old)}->${o.data?.v ?? ''}`));
  inf.on('delete', (o) => void log.push(`delete ${show(o)}`));
  return log;
}

// The cache as "name=v", sorted.
const cacheView = (inf: Informer<ConfigMap>) =>
  inf.list().map((o) => `${o.metadata.name}=${o.data?.v ?? ''}`);

describe('Informer against the real API server', () => {
  let fx: ApiFixture;
  let client: ApiClient;
  const stops: AbortController[] = [];
  before(async () => {
    fx = await ApiFixture.start();
    client = fx.client();
  });
  after(async () => {
    for (const ac of stops) ac.abort();
    await fx?.destroy();
  });

  async function namespace(name: string): Promise<string> {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  function informer(ns: string, extra: { resyncMs?: number; logger?: typeof quietLogger } = {}) {
    const inf = new Informer<ConfigMap>({
      client,
      resource: CONFIGMAPS,
      namespace: ns,
      backoff: { initialMs: 50, maxMs: 500 },
      logger: quietLogger,
      ...extra,
    });
    const ac = new AbortController();
    stops.push(ac);
    const running = inf.start(ac.signal);
    return { inf, ac, running };
  }

  test('first list, then add/update/delete in order; synced once', async () => {
    const ns = await namespace('inf-order');
    await client.create(CONFIGMAPS, cm(ns, 'pre', '0'));
    const { inf, ac, running } = informer(ns);
    const log = record(inf);
    let synced = 0;
    inf.on('synced', () => void synced++);
    await inf.ready;
    assert.ok(inf.hasSynced());
    assert.deepEqual(log, ['add pre=0']);

    const a = await client.create(CONFIGMAPS, cm(ns, 'a', '1'));
    const a2 = await client.update(CONFIGMAPS, { ...a, data: { v: '2' } });
    await client.create(CONFIGMAPS, cm(ns, 'b', '1'));
    await client.update(CONFIGMAPS, { ...a2, data: { v: '3' } });
    await client.delete(CONFIGMAPS, 'a', { namespace: ns });
    await client.delete(CONFIGMAPS, 'pre', { namespace: ns });
    const want = [
      'add pre=0',
      'add a=1',
      'update a=1->2',
      'add b=1',
      'update a=2->3',
      'delete a=3',
      'delete pre=0',
    ];
    await eventually('all events', () => log.length >= want.length);
    assert.deepEqual(log, want);
    assert.deepEqual(cacheView(inf), ['b=1']);
    assert.equal(inf.get(`${ns}/b`)?.data?.v, '1');
    assert.deepEqual(inf.keys(), [`${ns}/b`]);
    assert.equal(synced, 1);
    ac.abort();
    await running;
  });

  test('async handlers finish, in order, before the next event; failing handlers are skipped', async () => {
    const ns = await namespace('inf-async');
    const { inf, ac, running } = informer(ns);
    const log: string[] = [];
    const name = (o: ConfigMap) => o.metadata.name ?? '';
    inf.on('add', async (o) => {
      log.push(`slow start ${name(o)}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`slow end ${name(o)}`);
    });
    inf.on('add', (o) => {
      log.push(`sync ${name(o)}`);
      if (name(o) === 'b') throw new Error('a handler failing on purpose');
    });
    inf.on('add', async (o) => {
      if (name(o) === 'a') throw new Error('an async handler failing on purpose');
      log.push(`last ${name(o)}`);
    });
    await inf.ready;
    // Created back to back, so the events can arrive together.
    await Promise.all(['a', 'b', 'c'].map((n) => client.create(CONFIGMAPS, cm(ns, n, '1'))));
    await eventually('all handlers', () => log.filter((l) => l.startsWith('last')).length === 2);
    const order = log.filter((l) => l.startsWith('slow start')).map((l) => l.slice(-1));
    const want = order.flatMap((n) => [
      `slow start ${n}`,
      `slow end ${n}`,
      `sync ${n}`,
      ...(n === 'a' ? [] : [`last ${n}`]),
    ]);
    assert.deepEqual(log, want);
    assert.deepEqual([...order].sort(), ['a', 'b', 'c']);
    ac.abort();
    await running;
  });

  test('resync re-delivers every cached object as an update', async () => {
    const ns = await namespace('inf-resync');
    await client.create(CONFIGMAPS, cm(ns, 'x', '1'));
    const { inf, ac, running } = informer(ns, { resyncMs: 100 });
    const log = record(inf);
    await inf.ready;
    await eventually('a resync', () => log.includes('update x=1->1'));
    ac.abort();
    await running;
  });

  test('server restart on the same data and port: re-watches and catches up from history', async () => {
    const ns = await namespace('inf-restart');
    const kept = await client.create(CONFIGMAPS, cm(ns, 'kept', '1'));
    await client.create(CONFIGMAPS, cm(ns, 'doomed', '1'));
    const messages: string[] = [];
    const logger = createLogger(
      {},
      { level: 'debug', sink: (l) => messages.push(JSON.parse(l).msg) },
    );
    const { inf, ac, running } = informer(ns, { logger });
    const log = record(inf);
    await inf.ready;

    // While the informer's server is down, change things through a side door.
    await fx.restart(0);
    const side = fx.client();
    await side.update(CONFIGMAPS, { ...kept, data: { v: '2' } });
    await side.delete(CONFIGMAPS, 'doomed', { namespace: ns });
    await side.create(CONFIGMAPS, cm(ns, 'born', '1'));
    await fx.restart();
    // Then one more change on the original port.
    await client.create(CONFIGMAPS, cm(ns, 'later', '1'));

    await eventually('the restart catch-up', () => log.length >= 6);
    assert.deepEqual(log, [
      'add doomed=1',
      'add kept=1',
      'update kept=1->2',
      'delete doomed=1',
      'add born=1',
      'add later=1',
    ]);
    assert.deepEqual(cacheView(inf), ['born=1', 'kept=2', 'later=1']);
    assert.ok(!messages.includes('Watch expired, relisting'), 'history was enough: no relist');
    ac.abort();
    await running;
  });

  test('history compacted while disconnected: 410, relist, and the differences as events', async () => {
    const ns = await namespace('inf-relist');
    const kept = await client.create(CONFIGMAPS, cm(ns, 'kept', '1'));
    await client.create(CONFIGMAPS, cm(ns, 'same', '1'));
    await client.create(CONFIGMAPS, cm(ns, 'doomed', '1'));
    const messages: string[] = [];
    const logger = createLogger(
      {},
      { level: 'debug', sink: (l) => messages.push(JSON.parse(l).msg) },
    );
    const { inf, ac, running } = informer(ns, { logger });
    const log = record(inf);
    await inf.ready;
    assert.equal(log.length, 3);

    await fx.restart(0);
    const side = fx.client();
    await side.update(CONFIGMAPS, { ...kept, data: { v: '2' } });
    await side.delete(CONFIGMAPS, 'doomed', { namespace: ns });
    await side.create(CONFIGMAPS, cm(ns, 'born', '1'));
    await fx.compact();
    await fx.restart();

    await eventually('the relist', () => log.length >= 6);
    assert.deepEqual(log.slice(3), ['delete doomed=1', 'add born=1', 'update kept=1->2']);
    assert.deepEqual(cacheView(inf), ['born=1', 'kept=2', 'same=1']);
    assert.ok(messages.includes('Watch expired, relisting'));

    // And it keeps watching after the relist.
    await client.delete(CONFIGMAPS, 'same', { namespace: ns });
    await eventually('a watch event after the relist', () => log.length >= 7);
    assert.equal(log[6], 'delete same=1');
    ac.abort();
    await running;
  });

  test('stopping before the first list rejects ready; start resolves', async () => {
    const { ApiClient } = await import('../../../../control-plane/api/client/client.ts');
    const dead = new ApiClient({ server: 'http://127.0.0.1:1', timeoutMs: 2_000 });
    const inf = new Informer<ConfigMap>({
      client: dead,
      resource: CONFIGMAPS,
      logger: quietLogger,
    });
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    setTimeout(() => ac.abort(), 300);
    await running;
    await assert.rejects(inf.ready, /stopped before it synced/);
    assert.ok(!inf.hasSynced());
    dead.close();
  });
});
