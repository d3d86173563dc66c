/**
 * The etcd backend against real etcd 3.4 members on loopback: the shared
 * store contract, then what only etcd has: the key prefix, connection
 * errors, TLS client certificates, one etcd watch shared per prefix, and
 * watches that survive a killed member or a cut connection.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { isStoreError } from '../../../control-plane/store/errors.ts';
import { EtcdStore, openEtcdStore } from '../../../control-plane/store/etcd/etcd-store.ts';
import type { EtcdStoreConfig } from '../../../control-plane/store/index.ts';
import type { Store, Watch, WatchEvent } from '../../../control-plane/store/store.ts';
import { getText, startEtcd, type EtcdCluster } from '../../harness/etcd.ts';
import { startProxy } from '../../harness/tcp-proxy.ts';
import { runStoreContract } from './contract.ts';
import { AckLog, collect, expectCode, flatten } from './fixtures/contract-helpers.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

let etcd: EtcdCluster | undefined;
before(async () => {
  etcd = await startEtcd();
});
after(() => etcd?.stop());

function endpoints(): string[] {
  assert.ok(etcd, 'etcd did not start');
  return etcd.endpoints;
}

function open(extra: Partial<EtcdStoreConfig> = {}): Promise<Store> {
  return openEtcdStore({
    backend: 'etcd',
    endpoints: endpoints(),
    prefix: `/skiff-test-${randomUUID().slice(0, 8)}`,
    logger: quiet,
    ...extra,
  });
}

runStoreContract('etcd store contract', () => open());

describe('etcd store', () => {
  it('stores keys under its prefix and sees nothing outside it', async () => {
    const prefix = `/skiff-test-${randomUUID().slice(0, 8)}`;
    const store = await open({ prefix });
    const raw = new Etcd3({ hosts: endpoints() });
    try {
      const rev = await store.create('/registry/a', 'mine');
      assert.equal(await raw.get(`${prefix}/registry/a`).string(), 'mine');
      // Neighbours that share the prefix's text, and the prefix key itself.
      for (const k of [
        `${prefix}-other/registry/b`,
        `${prefix}x/registry/c`,
        prefix,
        '/elsewhere',
      ]) {
        await raw.put(k).value('not mine');
      }
      const watch = await store.watch('/', rev - 1);
      try {
        const res = await store.list('/');
        assert.deepEqual(
          res.items.map((kv) => kv.key),
          ['/registry/a'],
        );
        assert.equal(await store.get('/elsewhere'), undefined);
        await store.create('/registry/z', 'mine too');
        const events = await collect(watch, (evs) => evs.length >= 2);
        assert.deepEqual(
          events.map((e) => keyOf(e)),
          ['/registry/a', '/registry/z'],
        );
      } finally {
        watch.close();
      }
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('fails Unavailable, naming the endpoint, when no etcd listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = await expectCode(
      openEtcdStore({ backend: 'etcd', endpoints: [url], logger: quiet }),
      'Unavailable',
    );
    assert.match(err.message, new RegExp(url.replace(/[.:/]/g, '\\$&')));
    assert.match(err.message, /check that etcd is running/);
  });

  it('rejects a bad configuration with Invalid', async () => {
    const cases: { name: string; cfg: Partial<EtcdStoreConfig> }[] = [
      { name: 'no endpoints', cfg: { endpoints: [] } },
      { name: 'not a URL', cfg: { endpoints: ['127.0.0.1:2379'] } },
      { name: 'prefix without /', cfg: { prefix: 'skiff' } },
      { name: 'missing CA file', cfg: { tls: { caFile: '/nonexistent/ca.crt' } } },
    ];
    for (const tc of cases) {
      await assert.doesNotReject(expectCode(open(tc.cfg), 'Invalid'), tc.name);
    }
  });

  it('connects with a TLS client certificate', async () => {
    const secure = await startEtcd({ tls: true });
    try {
      assert.ok(secure.tls);
      const store = await open({ endpoints: secure.endpoints, tls: secure.tls });
      try {
        const rev = await store.create('/tls/a', 'secret');
        assert.deepEqual(await store.get('/tls/a'), {
          key: '/tls/a',
          value: 'secret',
          createRevision: rev,
          modRevision: rev,
        });
      } finally {
        await store.close();
      }
      // Without the client certificate etcd refuses the connection.
      const { caFile } = secure.tls;
      await expectCode(open({ endpoints: secure.endpoints, tls: { caFile } }), 'Unavailable');
    } finally {
      await secure.stop();
    }
  });

  it('serves many watchers of one prefix from one etcd watch, each from its own revision', async () => {
    const store = await open();
    assert.ok(store instanceof EtcdStore);
    const log = new AckLog(store);
    const watches: { from: number; watch: Watch }[] = [];
    try {
      const url = `${endpoints()[0]}/metrics`;
      const baseline = watcherTotal(await getText(url));
      const start = await store.currentRevision();
      for (let i = 0; i < 12; i++) await log.put(`/shared/k${i % 4}`, `v${i}`);
      const mid = log.events[5]!.revision;
      const end = await store.currentRevision();
      // Live, from the middle of history, from the start, and ahead of the feed.
      for (const from of [end, mid, start, end, mid + 1, end + 1]) {
        watches.push({ from, watch: await store.watch('/shared/', from) });
      }
      assert.equal(store.etcdWatches, 1);
      for (let i = 12; i < 20; i++) await log.put(`/shared/k${i % 4}`, `v${i}`);
      for (const { from, watch } of watches) {
        const want = log.events.filter((e) => e.revision > from);
        const got = await collect(watch, (evs) => evs.length >= want.length);
        assert.deepEqual(got.map(flatten), want, `watch from ${from}`);
      }
      // A late watcher from among the recent live events gets them replayed.
      const recentFrom = log.events[15]!.revision;
      const late = await store.watch('/shared/', recentFrom);
      watches.push({ from: recentFrom, watch: late });
      const replayed = await collect(late, (evs) => evs.length >= 4);
      assert.deepEqual(replayed.map(flatten), log.events.slice(16));
      assert.equal(store.etcdWatches, 1);
      // etcd itself counts one watcher for all of them (once restarted streams are gone).
      let extra = NaN;
      for (let i = 0; i < 100 && extra !== 1; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        extra = watcherTotal(await getText(url)) - baseline;
      }
      assert.equal(extra, 1, 'etcd watchers opened for 6 watchers of one prefix');
    } finally {
      for (const { watch } of watches) watch.close();
      await store.close();
    }
  });

  it('ends a watcher that falls behind with TooSlow and keeps the others going', async () => {
    const store = await open({ maxWatchLag: 5 });
    try {
      const from = await store.currentRevision();
      const slow = await store.watch('/lag/', from);
      const fast = await store.watch('/lag/', from);
      const reader = collect(fast, (evs) => evs.length >= 20);
      for (let i = 0; i < 20; i++) await store.create(`/lag/k${i}`, 'v');
      assert.equal((await reader).length, 20);
      await assert.rejects(drain(slow), (err) => isStoreError(err, 'TooSlow'));
      fast.close();
    } finally {
      await store.close();
    }
  });

  it('ends open watches with Closed when the store closes', async () => {
    const store = await open();
    const watch = await store.watch('/closing/', await store.currentRevision());
    await store.close();
    await assert.rejects(drain(watch), (err) => isStoreError(err, 'Closed'));
    await expectCode(store.get('/closing/a'), 'Closed');
  });
});

describe('etcd watch across broken connections', () => {
  it('resumes after etcd is killed and restarted, with no gap and no duplicate', async () => {
    const own = await startEtcd();
    const store = await open({ endpoints: own.endpoints });
    try {
      const log = new AckLog(store);
      const watch = await store.watch('/crash/', await store.currentRevision());
      for (let i = 0; i < 10; i++) await log.put(`/crash/k${i % 3}`, `before-${i}`);
      const first = await collect(watch, (evs) => evs.length >= 10);
      await own.members[0]!.kill('SIGKILL');
      await own.members[0]!.restart();
      for (let i = 0; i < 10; i++)
        await retryUnavailable(() => log.put(`/crash/k${i % 3}`, `after-${i}`));
      const rest = await collect(watch, (evs) => evs.length >= 10);
      assert.deepEqual([...first, ...rest].map(flatten), log.events);
      watch.close();
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('resumes after a cut connection, and ends with Compacted if the history it needs is gone', async () => {
    const proxy = await startProxy(endpoints()[0]!);
    const prefix = `/skiff-test-${randomUUID().slice(0, 8)}`;
    const viaProxy = await open({ endpoints: [proxy.url], prefix });
    const direct = await open({ prefix });
    try {
      const log = new AckLog(direct);
      const watch = await viaProxy.watch('/cut/', await direct.currentRevision());
      await log.put('/cut/a', '1');
      await collect(watch, (evs) => evs.length >= 1);

      // Cut, write, restore: the watch picks up exactly what it missed.
      proxy.cut();
      await log.put('/cut/a', '2');
      await log.put('/cut/b', '1');
      proxy.restore();
      const missed = await collect(watch, (evs) => evs.length >= 2);
      assert.deepEqual(missed.map(flatten), log.events.slice(1));

      // Cut, write, compact past the writes: the watch cannot resume and says so.
      proxy.cut();
      await log.put('/cut/a', '3');
      await log.put('/cut/c', '1');
      await direct.compact(await direct.currentRevision());
      proxy.restore();
      await assert.rejects(drain(watch), (err) => isStoreError(err, 'Compacted'));
    } finally {
      await viaProxy.close();
      await direct.close();
      await proxy.stop();
    }
  });

  it('ends with Unavailable, naming the endpoint, when etcd stays unreachable (30 s)', async () => {
    const proxy = await startProxy(endpoints()[0]!);
    const store = await open({ endpoints: [proxy.url] });
    try {
      const watch = await store.watch('/gone/', await store.currentRevision());
      proxy.cut();
      // drain() gives up (and the assertion fails) if nothing ends the watch within 60 s.
      await assert.rejects(drain(watch), (err) => {
        assert.ok(isStoreError(err, 'Unavailable'), String(err));
        assert.ok(err.message.includes(proxy.url), err.message);
        return true;
      });
    } finally {
      await store.close();
      await proxy.stop();
    }
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  assert.ok(addr !== null && typeof addr === 'object');
  await new Promise((resolve) => srv.close(resolve));
  return addr.port;
}

function keyOf(ev: WatchEvent): string {
  return ev.type === 'put' ? ev.kv.key : ev.key;
}

/** Reads a watch to its end (with a bound), for watches expected to fail. */
async function drain(watch: Watch): Promise<number> {
  let n = 0;
  const timer = setTimeout(() => watch.close(), 60_000);
  try {
    for await (const _ of watch) n++;
  } finally {
    clearTimeout(timer);
  }
  return n;
}

/** Retries `fn` while etcd is coming back ('Unavailable'), for at most 60 s. */
async function retryUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isStoreError(err, 'Unavailable') || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** etcd's count of its open watchers, from /metrics. */
function watcherTotal(metrics: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith('etcd_debugging_mvcc_watcher_total'));
  assert.ok(line, 'etcd /metrics has no etcd_debugging_mvcc_watcher_total');
  return Number(line.split(' ')[1]);
}
