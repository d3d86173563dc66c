/**
 * NamespaceLifecycle admission of creates, through the real server: once
 * the namespace view is built, creates check their namespace in memory
 * (no store read); namespaces the view does not know yet (written by
 * another server straight into the store) are read from the store; a
 * namespace this server just marked terminating refuses new content at
 * once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  findResource,
  storageKey,
  type ResourceInfo,
} from '../../../control-plane/api/resources.ts';
import { startApiServer, type ApiServer } from '../../../control-plane/apiserver/index.ts';
import { openStore } from '../../../control-plane/store/index.ts';
import type { Store } from '../../../control-plane/store/store.ts';
import { at } from './support/json.ts';
import { configMap, quietLogger } from './support/server.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const NS_PREFIX = storageKey(NAMESPACES);

/** `store`, counting get() calls for namespace keys. */
function countingNamespaceReads(store: Store): { store: Store; reads: () => number } {
  let n = 0;
  const counted: Store = {
    backend: store.backend,
    get: (k) => {
      if (k.startsWith(NS_PREFIX)) n++;
      return store.get(k);
    },
    list: (prefix, opts) => store.list(prefix, opts),
    create: (k, v) => store.create(k, v),
    update: (k, v, rev) => store.update(k, v, rev),
    delete: (k, rev) => store.delete(k, rev),
    watch: (prefix, from) => store.watch(prefix, from),
    currentRevision: () => store.currentRevision(),
    compactedRevision: () => store.compactedRevision(),
    compact: (rev) => store.compact(rev),
    close: () => store.close(),
  };
  return { store: counted, reads: () => n };
}

describe('namespace admission of creates', () => {
  let dir: string;
  let raw: Store;
  let api: ApiServer;
  let reads: () => number;

  const post = async (path: string, body: unknown) => {
    const res = await fetch(api.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-ns-admission-test-'));
    raw = await openStore({
      backend: 'sqlite',
      path: join(dir, 'state.db'),
      logger: quietLogger(),
    });
    const counting = countingNamespaceReads(raw);
    reads = counting.reads;
    api = await startApiServer({
      store: counting.store,
      listen: '127.0.0.1:0',
      logger: quietLogger(),
    });
    await api.ready;
  });
  after(async () => {
    await api.close();
    await raw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates check a known namespace in memory, without a store read', async () => {
    assert.equal((await post('/api/v1/namespaces', { metadata: { name: 'mem' } })).status, 201);
    // The view is fed asynchronously: wait (bounded) for a create that needs no read.
    let i = 0;
    for (; i < 500; i++) {
      const before = reads();
      assert.equal(
        (await post('/api/v1/namespaces/mem/configmaps', configMap(`w${i}`))).status,
        201,
      );
      if (reads() === before) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(i < 500, 'creates kept reading the namespace from the store');
    const before = reads();
    for (let j = 0; j < 20; j++) {
      assert.equal(
        (await post('/api/v1/namespaces/mem/configmaps', configMap(`c${j}`))).status,
        201,
      );
    }
    assert.equal(reads(), before, 'no namespace read for creates in a known namespace');
  });

  it('a namespace another server wrote is found in the store before the view has it', async () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } };
    await raw.create(storageKey(NAMESPACES, undefined, 'elsewhere'), JSON.stringify(ns));
    const r = await post('/api/v1/namespaces/elsewhere/configmaps', configMap('x'));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  it('a missing namespace is still 404', async () => {
    const r = await post('/api/v1/namespaces/nowhere/configmaps', configMap('x'));
    assert.equal(r.status, 404);
    assert.equal(at(r.body, 'message'), 'namespaces "nowhere" not found');
  });

  it('right after this server marks a known namespace terminating, creates are 403', async () => {
    assert.equal((await post('/api/v1/namespaces', { metadata: { name: 'short' } })).status, 201);
    // Let the view learn the namespace first, so only read-your-writes can refuse the create.
    let known = false;
    for (let i = 0; i < 500 && !known; i++) {
      const before = reads();
      assert.equal(
        (await post('/api/v1/namespaces/short/configmaps', configMap(`k${i}`))).status,
        201,
      );
      known = reads() === before;
      if (!known) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(known, 'the view never learned namespace "short"');
    const del = await fetch(`${api.url}/api/v1/namespaces/short`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    const r = await post('/api/v1/namespaces/short/configmaps', configMap('late'));
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(at(r.body, 'details.causes[0].reason'), 'NamespaceTerminating');
  });
});
