/**
 * Plain JSON lists are streamed (chunked, several chunks for a big list)
 * from the cached encodings: the body is the complete list with every
 * item at its current resourceVersion, also after items changed, and
 * equals what GET returns for each item.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { arr, at, names, obj } from './support/json.ts';
import { configMap, startTestServer, type TestServer } from './support/server.ts';

const COUNT = 200;
// About 2 KB per item: the whole list spans several 256 KiB chunks.
const DATA = { blob: 'y'.repeat(2_000), note: 'grüße ✓' };

/** GET with node:http, to see the transfer encoding and the raw body. */
function rawGet(url: string): Promise<{ headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('streamed lists', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    assert.equal((await s.post('/api/v1/namespaces', { metadata: { name: 'big' } })).status, 201);
    for (let i = 0; i < COUNT; i++) {
      const name = `cm-${String(i).padStart(3, '0')}`;
      assert.equal(
        (await s.post('/api/v1/namespaces/big/configmaps', configMap(name, DATA))).status,
        201,
      );
    }
  });
  after(() => s.close());

  it('sends a big list chunked, complete and in key order', async () => {
    const res = await rawGet(`${s.url}/api/v1/namespaces/big/configmaps`);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(res.headers['content-type'], 'application/json');
    const list: unknown = JSON.parse(res.body);
    assert.equal(at(list, 'kind'), 'ConfigMapList');
    assert.equal(at(list, 'apiVersion'), 'v1');
    const expected = Array.from({ length: COUNT }, (_, i) => `cm-${String(i).padStart(3, '0')}`);
    assert.deepEqual(names(list), expected);
    assert.equal(at(list, 'items[7].data.note'), DATA.note);
  });

  it('each item equals what GET returns, and changed items come at their new revision', async () => {
    const target = '/api/v1/namespaces/big/configmaps/cm-042';
    // A first list fills the cache; then the item changes.
    assert.equal((await s.get('/api/v1/namespaces/big/configmaps')).status, 200);
    const current = obj((await s.get(target)).body);
    current.data = { ...DATA, note: 'changed' };
    const put = await s.put(target, current);
    assert.equal(put.status, 200, put.text);
    const list = (await s.get('/api/v1/namespaces/big/configmaps')).body;
    const items = arr(list, 'items');
    const item = items.find((i) => at(i, 'metadata.name') === 'cm-042');
    assert.deepEqual(item, (await s.get(target)).body);
    assert.equal(at(item, 'data.note'), 'changed');
    assert.equal(at(item, 'metadata.resourceVersion'), at(put.body, 'metadata.resourceVersion'));
    const listRv = Number(at(list, 'metadata.resourceVersion'));
    for (const i of items) assert.ok(Number(at(i, 'metadata.resourceVersion')) <= listRv);
  });

  it('a page of a limited list is complete JSON with its continue token', async () => {
    const r = await s.get('/api/v1/namespaces/big/configmaps?limit=150');
    assert.equal(r.status, 200);
    assert.equal(names(r.body).length, 150);
    assert.equal(typeof at(r.body, 'metadata.continue'), 'string');
  });
});
