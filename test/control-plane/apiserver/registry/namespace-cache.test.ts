/**
 * The namespace view behind create admission, over a real SQLite store and
 * the server's watch feeds: it learns namespaces from its list and from
 * the feed, says "accepts content" only for existing, non-terminating
 * namespaces, and never answers from a view older than a namespace write
 * this server acknowledged.
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
} from '../../../../control-plane/api/resources.ts';
import { NamespaceCache } from '../../../../control-plane/apiserver/registry/namespace-cache.ts';
import { FeedRegistry } from '../../../../control-plane/apiserver/watch/feed-registry.ts';
import { openStore } from '../../../../control-plane/store/index.ts';
import type { Store } from '../../../../control-plane/store/store.ts';
import { quietLogger } from '../support/server.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const key = (name: string) => storageKey(NAMESPACES, undefined, name);
const ns = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, ...extra });

/** Polls `cond` every 10 ms for up to 30 s (the view is fed asynchronously). */
async function eventually(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('namespace view', () => {
  let dir: string;
  let store: Store;
  let feeds: FeedRegistry;
  let view: NamespaceCache;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-ns-view-test-'));
    store = await openStore({
      backend: 'sqlite',
      path: join(dir, 'state.db'),
      logger: quietLogger(),
    });
    // One namespace exists before the view starts: the list must bring it in.
    await store.create(key('early'), ns('early'));
    feeds = new FeedRegistry(store, quietLogger());
    view = new NamespaceCache(quietLogger());
    view.start(store, feeds);
  });
  after(async () => {
    view.close();
    feeds.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows namespaces from its initial list', async () => {
    await eventually('"early" is known', () => view.acceptsContent('early'));
    assert.equal(view.acceptsContent('missing'), false, 'an unknown namespace is "ask the store"');
  });

  it('learns created namespaces from the feed', async () => {
    await store.create(key('later'), ns('later'));
    await eventually('"later" is known', () => view.acceptsContent('later'));
  });

  it('a terminating or deleted namespace does not accept content', async () => {
    const rev = await store.create(key('doomed'), ns('doomed'));
    await eventually('"doomed" is known', () => view.acceptsContent('doomed'));
    const terminating = ns('doomed', {
      metadata: { name: 'doomed', deletionTimestamp: '2024-01-01T00:00:00Z' },
      status: { phase: 'Terminating' },
    });
    const rev2 = await store.update(key('doomed'), terminating, rev);
    await eventually('"doomed" is terminating', () => !view.acceptsContent('doomed'));
    await store.create(key('gone'), ns('gone'));
    await eventually('"gone" is known', () => view.acceptsContent('gone'));
    await store.delete(key('gone'));
    await eventually('"gone" is forgotten', () => !view.acceptsContent('gone'));
    assert.ok(rev2 > rev);
  });

  it('answers "ask the store" until it has applied a namespace write this server made', async () => {
    await store.create(key('mine'), ns('mine'));
    await eventually('"mine" is known', () => view.acceptsContent('mine'));
    // This server's own namespace write: answers resume once the feed has delivered it.
    const rev = await store.create(key('other'), ns('other'));
    view.noteWrite(key('other'), rev);
    await eventually('the view caught up', () => view.acceptsContent('mine'));
    assert.equal(view.acceptsContent('other'), true);
    // A write at a revision the view has not applied: every answer defers to the store.
    view.noteWrite(key('other'), rev + 1_000_000);
    assert.equal(view.acceptsContent('mine'), false);
    // Writes to other resources never hold the view back.
    view.noteWrite('/registry/pods/mine/p', rev + 2_000_000);
    assert.equal(view.acceptsContent('mine'), false);
  });
});

describe('namespace view after close', () => {
  it('answers "ask the store" and stops rebuilding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-ns-view-test-'));
    const store = await openStore({
      backend: 'sqlite',
      path: join(dir, 'state.db'),
      logger: quietLogger(),
    });
    const feeds = new FeedRegistry(store, quietLogger());
    const view = new NamespaceCache(quietLogger());
    try {
      await store.create(key('a'), ns('a'));
      view.start(store, feeds);
      await eventually('"a" is known', () => view.acceptsContent('a'));
      view.close();
      assert.equal(view.acceptsContent('a'), false);
    } finally {
      view.close();
      feeds.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
