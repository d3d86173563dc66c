/**
 * Watch semantics over real HTTP: resourceVersion "", "0" and exact,
 * selector transitions, bookmarks, watch-list, compacted history → ERROR
 * 410 Expired, timeouts, the legacy /watch/ paths, Tables, scoping and
 * fan-out to many watchers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, arr } from './support/json.ts';
import { configMap, startTestServer, type TestServer } from './support/server.ts';
import { openWatch, type WatchLine } from './support/watch-client.ts';

let s: TestServer;
before(async () => {
  // A small watch cache, so a watch from an old revision falls back to the store's history.
  s = await startTestServer({ bookmarkIntervalMs: 300, watchCacheSize: 5 });
});
after(() => s.close());

const CM = '/api/v1/namespaces/default/configmaps';

async function createNs(name: string): Promise<void> {
  const r = await s.post('/api/v1/namespaces', { metadata: { name } });
  assert.equal(r.status, 201, r.text);
}

async function rvOf(path: string): Promise<string> {
  return String(at((await s.get(path)).body, 'metadata.resourceVersion'));
}

describe('watch', () => {
  for (const rv of ['', '0']) {
    it(`resourceVersion "${rv}" sends the current state as ADDED, then changes`, async () => {
      const ns = `w-initial${rv === '' ? 'a' : 'b'}`;
      await createNs(ns);
      await s.post(`/api/v1/namespaces/${ns}/configmaps`, configMap('one'));
      await s.post(`/api/v1/namespaces/${ns}/configmaps`, configMap('two'));
      const q = rv === '' ? '' : `&resourceVersion=${rv}`;
      const w = await openWatch(`${s.url}/api/v1/namespaces/${ns}/configmaps?watch=true${q}`);
      try {
        assert.equal(w.status, 200);
        assert.equal(w.headers.get('content-type'), 'application/json');
        const first = [await w.next(), await w.next()];
        assert.deepEqual(
          first.map((e) => e.type),
          ['ADDED', 'ADDED'],
        );
        assert.deepEqual(first.map((e) => at(e.object, 'metadata.name')).sort(), ['one', 'two']);
        await s.patch(`/api/v1/namespaces/${ns}/configmaps/one`, { data: { k: 'v' } });
        const mod = await w.next();
        assert.equal(mod.type, 'MODIFIED');
        assert.equal(at(mod.object, 'data.k'), 'v');
        await s.del(`/api/v1/namespaces/${ns}/configmaps/two`);
        const del = await w.next();
        assert.equal(del.type, 'DELETED');
        assert.equal(at(del.object, 'metadata.name'), 'two');
        assert.ok(
          Number(at(del.object, 'metadata.resourceVersion')) >
            Number(at(mod.object, 'metadata.resourceVersion')),
        );
      } finally {
        w.close();
      }
    });
  }

  it('an exact resourceVersion sends only the changes after it', async () => {
    await createNs('w-exact');
    const a = await s.post('/api/v1/namespaces/w-exact/configmaps', configMap('a'));
    await s.post('/api/v1/namespaces/w-exact/configmaps', configMap('b'));
    await s.patch('/api/v1/namespaces/w-exact/configmaps/a', { data: { x: '1' } });
    const rv = String(at(a.body, 'metadata.resourceVersion'));
    const w = await openWatch(
      `${s.url}/api/v1/namespaces/w-exact/configmaps?watch=1&resourceVersion=${rv}`,
    );
    try {
      const e1 = await w.next();
      const e2 = await w.next();
      assert.deepEqual([e1.type, at(e1.object, 'metadata.name')], ['ADDED', 'b']);
      assert.deepEqual([e2.type, at(e2.object, 'metadata.name')], ['MODIFIED', 'a']);
    } finally {
      w.close();
    }
  });

  it('selectors apply to events: starting to match is ADDED, stopping is DELETED', async () => {
    await createNs('w-sel');
    const base = '/api/v1/namespaces/w-sel/configmaps';
    const w = await openWatch(
      `${s.url}${base}?watch=1&labelSelector=app%3Dweb&resourceVersion=${await rvOf(base)}`,
    );
    try {
      await s.post(base, configMap('m', {}, { app: 'db' }));
      await s.patch(`${base}/m`, { metadata: { labels: { app: 'web' } } });
      const added = await w.next();
      assert.equal(added.type, 'ADDED');
      await s.patch(`${base}/m`, { data: { k: '1' } });
      assert.equal((await w.next()).type, 'MODIFIED');
      const moved = await s.patch(`${base}/m`, { metadata: { labels: { app: 'other' } } });
      const gone = await w.next();
      assert.equal(gone.type, 'DELETED');
      assert.equal(
        at(gone.object, 'metadata.labels.app'),
        'web',
        'DELETED carries the last matching state',
      );
      assert.equal(
        at(gone.object, 'metadata.resourceVersion'),
        at(moved.body, 'metadata.resourceVersion'),
      );
      await s.del(`${base}/m`);
      await s.post(base, configMap('n', {}, { app: 'web' }));
      const next = await w.next();
      assert.deepEqual(
        [next.type, at(next.object, 'metadata.name')],
        ['ADDED', 'n'],
        'the delete of a non-matching object is not sent',
      );
    } finally {
      w.close();
    }
  });

  it('a field selector on metadata.name and the named watch path see only that object', async () => {
    await createNs('w-name');
    const base = '/api/v1/namespaces/w-name/configmaps';
    const rv = await rvOf(base);
    const byField = await openWatch(
      `${s.url}${base}?watch=1&fieldSelector=metadata.name%3Dme&resourceVersion=${rv}`,
    );
    const byPath = await openWatch(`${s.url}${base}/me?watch=1&resourceVersion=${rv}`);
    try {
      await s.post(base, configMap('other'));
      await s.post(base, configMap('me'));
      for (const w of [byField, byPath]) {
        const e = await w.next();
        assert.deepEqual([e.type, at(e.object, 'metadata.name')], ['ADDED', 'me']);
      }
    } finally {
      byField.close();
      byPath.close();
    }
  });

  it('a namespaced watch does not see other namespaces; /api/v1/<resource> sees all', async () => {
    await createNs('w-scope1');
    await createNs('w-scope2');
    const rv = await rvOf('/api/v1/configmaps');
    const scoped = await openWatch(
      `${s.url}/api/v1/namespaces/w-scope2/configmaps?watch=1&resourceVersion=${rv}`,
    );
    const all = await openWatch(`${s.url}/api/v1/configmaps?watch=1&resourceVersion=${rv}`);
    try {
      await s.post('/api/v1/namespaces/w-scope1/configmaps', configMap('x1'));
      await s.post('/api/v1/namespaces/w-scope2/configmaps', configMap('x2'));
      assert.equal(at((await scoped.next()).object, 'metadata.name'), 'x2');
      assert.equal(at((await all.next()).object, 'metadata.name'), 'x1');
      assert.equal(at((await all.next()).object, 'metadata.name'), 'x2');
    } finally {
      scoped.close();
      all.close();
    }
  });

  it('sends BOOKMARKs when allowed, with a resourceVersion not older than the last event', async () => {
    await createNs('w-bm');
    const base = '/api/v1/namespaces/w-bm/configmaps';
    const w = await openWatch(
      `${s.url}${base}?watch=1&allowWatchBookmarks=true&resourceVersion=${await rvOf(base)}`,
    );
    try {
      const c = await s.post(base, configMap('b1'));
      // Bookmarks come every 300 ms here, so one may precede the ADDED: wait for one after it.
      const types: string[] = [];
      let bm: WatchLine | undefined;
      for (let i = 0; i < 20 && !bm; i++) {
        const e = await w.next();
        types.push(e.type);
        if (e.type === 'BOOKMARK' && types.includes('ADDED')) bm = e;
      }
      assert.ok(bm, `no BOOKMARK after the ADDED: ${types.join(',')}`);
      assert.deepEqual(
        types.filter((t) => t !== 'BOOKMARK'),
        ['ADDED'],
      );
      assert.equal(at(bm.object, 'kind'), 'ConfigMap');
      assert.ok(
        Number(at(bm.object, 'metadata.resourceVersion')) >=
          Number(at(c.body, 'metadata.resourceVersion')),
      );
    } finally {
      w.close();
    }
  });

  it('watch-list (sendInitialEvents=true) ends the initial state with an annotated BOOKMARK', async () => {
    await createNs('w-list');
    await s.post('/api/v1/namespaces/w-list/configmaps', configMap('i1'));
    const w = await openWatch(
      `${s.url}/api/v1/namespaces/w-list/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    try {
      assert.equal((await w.next()).type, 'ADDED');
      const bm = await w.next();
      assert.equal(bm.type, 'BOOKMARK');
      assert.deepEqual(at(bm.object, 'metadata.annotations'), {
        'k8s.io/initial-events-end': 'true',
      });
    } finally {
      w.close();
    }
    const bad = await s.get('/api/v1/namespaces/w-list/configmaps?watch=1&sendInitialEvents=true');
    assert.equal(bad.status, 422);
  });

  it('a watch from a compacted resourceVersion answers 200 with an ERROR 410 Expired', async () => {
    const base = '/api/v1/namespaces/default/secrets';
    const first = await s.post(base, { metadata: { name: 'old1' }, stringData: { a: 'b' } });
    // More writes than the watch cache keeps, so the watch must read the store's history.
    for (let i = 0; i < 8; i++)
      await s.patch(`${base}/old1`, { metadata: { labels: { i: String(i) } } });
    const now = await s.store.currentRevision();
    await s.store.compact(now);
    const w = await openWatch(
      `${s.url}${base}?watch=1&resourceVersion=${String(at(first.body, 'metadata.resourceVersion'))}`,
    );
    try {
      assert.equal(w.status, 200);
      const e = await w.next();
      assert.equal(e.type, 'ERROR');
      assert.equal(at(e.object, 'kind'), 'Status');
      assert.equal(at(e.object, 'code'), 410);
      assert.equal(at(e.object, 'reason'), 'Expired');
      assert.match(String(at(e.object, 'message')), /^too old resource version: \d+ \(\d+\)$/);
      assert.equal(await w.ended(), true);
    } finally {
      w.close();
    }
  });

  it('ends the stream after timeoutSeconds', async () => {
    const w = await openWatch(
      `${s.url}${CM}?watch=1&timeoutSeconds=1&resourceVersion=${await rvOf(CM)}`,
    );
    try {
      assert.equal(await w.ended(20_000), true);
    } finally {
      w.close();
    }
  });

  it('serves the legacy /api/v1/watch/... paths', async () => {
    await createNs('w-legacy');
    const base = '/api/v1/namespaces/w-legacy/configmaps';
    const w = await openWatch(
      `${s.url}/api/v1/watch/namespaces/w-legacy/configmaps?resourceVersion=${await rvOf(base)}`,
    );
    try {
      await s.post(base, configMap('l1'));
      assert.equal((await w.next()).type, 'ADDED');
    } finally {
      w.close();
    }
  });

  it('watch with a Table Accept header sends one-row Tables', async () => {
    await createNs('w-table');
    await s.post('/api/v1/namespaces/w-table/configmaps', configMap('t1', { a: '1' }));
    const w = await openWatch(`${s.url}/api/v1/namespaces/w-table/configmaps?watch=1`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    try {
      assert.equal(w.headers.get('content-type'), 'application/json;as=Table;v=v1;g=meta.k8s.io');
      const e = await w.next();
      assert.equal(at(e.object, 'kind'), 'Table');
      assert.equal(arr(e.object, 'rows').length, 1);
      assert.equal(at(e.object, 'rows[0].cells[0]'), 't1');
    } finally {
      w.close();
    }
  });

  it('a resourceVersion from the future is a 504 Timeout "Too large resource version"', async () => {
    const r = await s.get(`${CM}?watch=1&resourceVersion=999999999`);
    assert.equal(r.status, 504);
    assert.match(String(at(r.body, 'message')), /Too large resource version/);
  });

  it('fans one change out to 50 watchers', async () => {
    await createNs('w-fan');
    const base = '/api/v1/namespaces/w-fan/configmaps';
    const rv = await rvOf(base);
    const watchers = await Promise.all(
      Array.from({ length: 50 }, () => openWatch(`${s.url}${base}?watch=1&resourceVersion=${rv}`)),
    );
    try {
      await s.post(base, configMap('fan'));
      const got = await Promise.all(watchers.map((w) => w.next()));
      assert.ok(got.every((e) => e.type === 'ADDED' && at(e.object, 'metadata.name') === 'fan'));
      const metrics = (await s.get('/metrics')).text;
      assert.match(metrics, /apiserver_open_watches\{resource="configmaps"\} [1-9]\d*/);
    } finally {
      for (const w of watchers) w.close();
    }
  });
});
