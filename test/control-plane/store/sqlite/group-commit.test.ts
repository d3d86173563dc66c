/**
 * The durable-commit rule of the SQLite writer: a batch is committed to the
 * WAL first, and nothing about it (the callers' answers, the revision
 * readers see, the watch events) is released until a WAL flush that started
 * after the commit has completed. A failed flush fails its writes and every
 * later one. With the inline gate, a lone write is flushed inline
 * (flushSync) and concurrent writes still share one async flush. The
 * flusher is a controllable stand-in; SQLite is real.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isStoreError } from '../../../../control-plane/store/errors.ts';
import {
  GroupCommitter,
  type WalFlusher,
} from '../../../../control-plane/store/sqlite/group-commit.ts';
import { InlineFlushGate } from '../../../../control-plane/store/sqlite/inline-flush.ts';
import { openDatabase, releaseOwner } from '../../../../control-plane/store/sqlite/open-db.ts';
import { Reads } from '../../../../control-plane/store/sqlite/reads.ts';
import { ensureSchema } from '../../../../control-plane/store/sqlite/schema.ts';
import type { WatchEvent } from '../../../../control-plane/store/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A flusher whose async flushes complete only when the test says so; it counts inline ones. */
class HeldFlusher implements WalFlusher {
  pending: ((err: Error | null) => void)[] = [];
  started = 0;
  inline = 0;
  inlineError: Error | undefined;
  flush(done: (err: Error | null) => void): void {
    this.started++;
    this.pending.push(done);
  }
  flushSync(): void {
    this.inline++;
    if (this.inlineError) throw this.inlineError;
  }
  complete(err: Error | null = null): void {
    const done = this.pending.shift();
    assert.ok(done, 'a flush is running');
    done(err);
  }
}

function setup(name: string, inline?: InlineFlushGate) {
  const path = join(dir, `${name}.db`);
  const db = openDatabase(path, 'NORMAL');
  ensureSchema(db, path);
  const wal = new HeldFlusher();
  const published: WatchEvent[][] = [];
  const writer = new GroupCommitter({
    db,
    reads: new Reads(db),
    path,
    revision: 0,
    wal,
    ...(inline ? { inline } : {}),
    onCommit: (events) => published.push(events),
  });
  const close = () => {
    db.close();
    releaseOwner(path);
  };
  return { writer, wal, published, close };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a committed batch stays invisible and unanswered until its WAL flush completes', async () => {
  const { writer, wal, published, close } = setup('held');
  try {
    let answered = false;
    const write = writer.submit({ kind: 'create', key: '/a', value: 'v' }).then((r) => {
      answered = true;
      return r;
    });
    await tick();
    await tick();
    assert.equal(wal.started, 1, 'the commit started a flush');
    assert.equal(answered, false);
    assert.equal(writer.revision, 0, 'readers do not see the unflushed revision');
    assert.equal(published.length, 0, 'watchers get nothing before the flush');

    wal.complete();
    const result = await write;
    assert.equal(writer.revision, result.revision);
    assert.deepEqual(
      published.flat().map((e) => (e.type === 'put' ? e.kv.key : e.key)),
      ['/a'],
    );
  } finally {
    close();
  }
});

test('writes that arrive during a flush are committed together after it', async () => {
  const { writer, wal, close } = setup('gather');
  try {
    const first = writer.submit({ kind: 'create', key: '/first', value: '1' });
    await tick();
    await tick();
    const later = ['/x', '/y', '/z'].map((key) =>
      writer.submit({ kind: 'create', key, value: '1' }),
    );
    await tick();
    await tick();
    assert.equal(wal.started, 1, 'no second flush while one runs');
    wal.complete();
    await first;
    await tick();
    await tick();
    assert.equal(wal.started, 2, 'the gathered writes got one flush of their own');
    wal.complete();
    const revisions = (await Promise.all(later)).map((r) => r.revision);
    assert.deepEqual(
      revisions,
      [...revisions].sort((a, b) => a - b),
    );
    assert.equal(writer.revision, revisions.at(-1));
  } finally {
    close();
  }
});

test('a failed flush fails its writes and refuses every later write', async () => {
  const { writer, wal, published, close } = setup('failed');
  try {
    const write = writer.submit({ kind: 'create', key: '/lost', value: 'v' });
    await tick();
    await tick();
    wal.complete(new Error('EIO: i/o error, fdatasync'));
    await assert.rejects(write, (err) => isStoreError(err, 'Unavailable'));
    await assert.rejects(
      writer.submit({ kind: 'create', key: '/after', value: 'v' }),
      (err) => isStoreError(err, 'Unavailable') && /fdatasync|flush/i.test(err.message),
    );
    assert.equal(writer.revision, 0, 'nothing unflushed became visible');
    assert.equal(published.length, 0);
  } finally {
    close();
  }
});

test('a lone write is flushed inline; concurrent writes still share one async flush', async () => {
  const { writer, wal, published, close } = setup('inline', new InlineFlushGate());
  try {
    const lone = await writer.submit({ kind: 'create', key: '/lone', value: 'v' });
    assert.equal(wal.inline, 1, 'the lone write was flushed inline');
    assert.equal(wal.started, 0, 'and not handed to the thread pool');
    assert.equal(writer.revision, lone.revision);
    assert.equal(published.length, 1);

    // Three writes in one turn are one batch: flushed off the loop, not inline.
    const three = ['/a', '/b', '/c'].map((key) =>
      writer.submit({ kind: 'create', key, value: '1' }),
    );
    await tick();
    await tick();
    assert.equal(wal.started, 1);
    assert.equal(wal.inline, 1);
    // A write arriving during that flush waits for it, then goes alone (and inline).
    const late = writer.submit({ kind: 'create', key: '/late', value: '1' });
    await tick();
    await tick();
    assert.equal(writer.revision, lone.revision, 'nothing of the held batch is visible');
    wal.complete();
    const revisions = (await Promise.all([...three, late])).map((r) => r.revision);
    assert.deepEqual(
      revisions,
      [...revisions].sort((a, b) => a - b),
    );
    assert.equal(wal.started, 1, 'the late write needed no second async flush');
    assert.equal(wal.inline, 2);
    assert.equal(writer.revision, revisions.at(-1));
    assert.deepEqual(
      published.flat().map((e) => (e.type === 'put' ? e.kv.key : e.key)),
      ['/lone', '/a', '/b', '/c', '/late'],
    );
  } finally {
    close();
  }
});

test('a failed inline flush fails the write and refuses every later write', async () => {
  const { writer, wal, published, close } = setup('inline-failed', new InlineFlushGate());
  try {
    wal.inlineError = new Error('EIO: i/o error, fdatasync');
    await assert.rejects(
      writer.submit({ kind: 'create', key: '/lost', value: 'v' }),
      (err) => isStoreError(err, 'Unavailable') && /fdatasync/.test(err.message),
    );
    wal.inlineError = undefined;
    await assert.rejects(writer.submit({ kind: 'create', key: '/after', value: 'v' }), (err) =>
      isStoreError(err, 'Unavailable'),
    );
    assert.equal(wal.inline, 1, 'no flush was tried after the failure');
    assert.equal(writer.revision, 0, 'nothing unflushed became visible');
    assert.equal(published.length, 0);
  } finally {
    close();
  }
});
