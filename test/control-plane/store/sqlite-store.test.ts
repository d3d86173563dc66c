/**
 * The SQLite backend: the shared contract, plus what only an embedded file
 * store must prove: durability across kill -9, bounded size under churn
 * with compaction, exclusive ownership, corrupt files refused untouched,
 * watch paging, slow watchers and close.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { SqliteStoreConfig } from '../../../control-plane/store/index.ts';
import { openSqliteStore } from '../../../control-plane/store/sqlite/sqlite-store.ts';
import type { Store } from '../../../control-plane/store/store.ts';
import { runStoreContract } from './contract.ts';
import { fileHash, startChild } from './fixtures/child.ts';
import { collect, expectCode } from './fixtures/contract-helpers.ts';
import { DAMAGE } from './fixtures/damage.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const WRITER = fileURLToPath(new URL('./fixtures/sqlite-writer.ts', import.meta.url));
const logger = createLogger({}, { level: 'error' });
let n = 0;

/** Opens a store on a new file in the test's temp dir. */
function openFresh(extra: Partial<SqliteStoreConfig> = {}, path = join(dir, `s${n++}.db`)) {
  return openSqliteStore({ backend: 'sqlite', path, logger, ...extra });
}

runStoreContract('sqlite store contract', () => openFresh());

describe('sqlite store', () => {
  // 32 writers commit in batches flushed off the loop; one writer's lone
  // writes are flushed inline (group-commit.ts): both must be durable. 500
  // one-at-a-time writes span two automatic WAL checkpoints.
  for (const [writers, least] of [
    [32, 2000],
    [1, 500],
  ] as const) {
    it(`keeps every acknowledged write of ${writers} writer(s) after kill -9 mid-burst; integrity_check is ok`, async () => {
      const path = join(dir, `durable-${writers}.db`);
      const child = startChild(WRITER, ['burst', path, String(writers)]);
      try {
        await child.waitFor((l) => l.startsWith(`ack /durable/k${least} `));
      } finally {
        await child.kill();
      }
      const acks = child.lines
        .filter((l) => l.startsWith('ack '))
        .map((l) => l.split(' ') as [string, string, string]);
      assert.ok(acks.length >= least, `only ${acks.length} acks before the kill`);
      const store = await openSqliteStore({ backend: 'sqlite', path, logger });
      try {
        for (const [, key, rev] of acks) {
          const kv = await store.get(key);
          assert.equal(kv?.value, `value of ${key}`, `acknowledged ${key} was lost`);
          assert.equal(kv?.modRevision, Number(rev));
        }
        assert.ok((await store.currentRevision()) >= Math.max(...acks.map((a) => Number(a[2]))));
      } finally {
        await store.close();
      }
      const db = new DatabaseSync(path);
      try {
        assert.deepEqual(
          db
            .prepare('PRAGMA integrity_check')
            .all()
            .map((r) => Object.values(r)[0]),
          ['ok'],
        );
      } finally {
        db.close();
      }
    });
  }

  it('100,000 overwrites of 100 keys with compaction keep db + wal under 8 MiB', async (t) => {
    const path = join(dir, 'churn.db');
    const store = await openSqliteStore({
      backend: 'sqlite',
      path,
      logger,
      compaction: { intervalMs: 100, retainRevisions: 1000, retainMs: 0 },
    });
    const bound = 8 * 1024 * 1024;
    let largest = 0;
    const size = (): number =>
      [path, `${path}-wal`].reduce(
        (sum, f) => sum + (statSync(f, { throwIfNoEntry: false })?.size ?? 0),
        0,
      );
    try {
      const value = (k: number, i: number): string =>
        JSON.stringify({ key: k, gen: i, pad: 'p'.repeat(200) });
      // 100 clients, one key each, 1,000 overwrites apiece.
      await Promise.all(
        Array.from({ length: 100 }, async (_, k) => {
          let rev = await store.create(`/churn/k${k}`, value(k, 0));
          for (let i = 1; i < 1000; i++) {
            rev = await store.update(`/churn/k${k}`, value(k, i), rev);
            if (k === 0 && i % 50 === 0) largest = Math.max(largest, size());
          }
        }),
      );
      largest = Math.max(largest, size());
      const list = await store.list('/churn/');
      assert.equal(list.items.length, 100);
      for (const kv of list.items) {
        const k = Number(kv.key.slice('/churn/k'.length));
        assert.equal(kv.value, value(k, 999));
      }
      assert.ok((await store.compactedRevision()) > 0, 'the background compactor ran');
    } finally {
      await store.close();
    }
    t.diagnostic(`largest db + wal seen: ${largest} bytes`);
    assert.ok(largest < bound, `db + wal reached ${largest} bytes, over the ${bound} bound`);
  });

  // Two children: this process must not hash a file it holds locked, since
  // closing any descriptor of a file drops the process's POSIX locks on it.
  it('a second open from another process fails Locked with the owner pid; files unchanged', async () => {
    const path = join(dir, 'locked.db');
    const holder = startChild(WRITER, ['hold', path]);
    try {
      await holder.waitFor((l) => l === 'ready');
      const before = [fileHash(path), fileHash(`${path}-wal`)];
      const opener = startChild(WRITER, ['open', path]);
      let line: string;
      try {
        line = await opener.waitFor((l) => l.startsWith('{'));
      } finally {
        await opener.kill();
      }
      const res = JSON.parse(line) as { ok: boolean; code?: string; message?: string };
      assert.equal(res.ok, false);
      assert.equal(res.code, 'Locked');
      const owner = `in use by another skiff server \\(pid ${holder.proc.pid}\\)`;
      assert.match(res.message ?? '', new RegExp(owner));
      assert.match(res.message ?? '', /stop it or choose another --data-dir/);
      assert.deepEqual([fileHash(path), fileHash(`${path}-wal`)], before);
    } finally {
      await holder.kill();
    }
    // Once the owner is gone (even killed), the file opens again.
    const store = await openSqliteStore({ backend: 'sqlite', path, logger });
    await store.close();
  });

  describe('a damaged file fails Corrupt and is left untouched', async () => {
    const good = join(dir, 'good.db');
    const seed = await openSqliteStore({ backend: 'sqlite', path: good, logger });
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => seed.create(`/c/k${i}`, 'v'.repeat(200))),
    );
    await seed.close();
    for (const tc of DAMAGE) {
      it(tc.name, async () => {
        const path = join(dir, `corrupt-${tc.name.replaceAll(' ', '-')}.db`);
        copyFileSync(good, path);
        tc.damage(path);
        const before = fileHash(path);
        const err = await expectCode(
          openSqliteStore({ backend: 'sqlite', path, logger }),
          'Corrupt',
        );
        assert.match(err.message, new RegExp(`store file ${path} is damaged`));
        assert.match(err.message, /restore it from a backup, or move it away/);
        assert.equal(fileHash(path), before);
        assert.equal(fileHash(`${path}-wal`), 'absent');
      });
    }
  });

  it('refuses a SQLite file of another program, and a missing directory', async () => {
    const path = join(dir, 'other.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const before = fileHash(path);
    const err = await expectCode(openSqliteStore({ backend: 'sqlite', path, logger }), 'Corrupt');
    assert.match(err.message, /not a skiff store \(tables: photos\)/);
    assert.equal(fileHash(path), before);

    const missing = join(dir, 'no-such-dir', 'state.db');
    const err2 = await expectCode(
      openSqliteStore({ backend: 'sqlite', path: missing, logger }),
      'Unavailable',
    );
    assert.match(err2.message, /no-such-dir does not exist; create it/);
    assert.equal(fileHash(join(dir, 'no-such-dir')), 'absent');
  });

  it('keeps data, revisions and the compacted revision across a restart', async () => {
    const path = join(dir, 'restart.db');
    let store: Store = await openSqliteStore({ backend: 'sqlite', path, logger });
    const r1 = await store.create('/r/a', '1');
    const r2 = await store.update('/r/a', '2', r1);
    const r3 = await store.create('/r/b', '3');
    const r4 = (await store.delete('/r/b')).revision;
    // Compaction removes the newest row (b's tombstone): revisions must still not repeat.
    await store.compact(r4);
    await store.close();
    store = await openSqliteStore({ backend: 'sqlite', path, logger });
    try {
      assert.equal(await store.currentRevision(), r4);
      assert.equal(await store.compactedRevision(), r4);
      await expectCode(store.list('/r/', { revision: r3 }), 'Compacted');
      assert.deepEqual(await store.get('/r/a'), {
        key: '/r/a',
        value: '2',
        createRevision: r1,
        modRevision: r2,
      });
      assert.equal(await store.get('/r/b'), undefined);
      assert.ok((await store.create('/r/b', '4')) > r4);
    } finally {
      await store.close();
    }
  });

  it('a second open in the same process fails Locked and keeps the first working', async () => {
    const path = join(dir, 'twice.db');
    const store = await openSqliteStore({ backend: 'sqlite', path, logger });
    try {
      const err = await expectCode(openSqliteStore({ backend: 'sqlite', path, logger }), 'Locked');
      assert.match(err.message, /this process/);
      assert.ok((await store.create('/twice/a', 'v')) > 0);
    } finally {
      await store.close();
    }
  });

  it('the background compactor keeps the newest retainRevisions readable', async () => {
    const store = await openFresh({
      compaction: { intervalMs: 20, retainRevisions: 50, retainMs: 0 },
    });
    try {
      let rev = await store.create('/bg/k', '0');
      for (let i = 1; i < 300; i++) rev = await store.update('/bg/k', String(i), rev);
      for (let i = 0; i < 500 && (await store.compactedRevision()) === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const compacted = await store.compactedRevision();
      assert.ok(compacted > 0, 'the compactor ran');
      assert.ok(compacted <= rev - 50, `compacted ${compacted} is inside the newest 50 of ${rev}`);
      const old = await store.list('/bg/', { revision: rev - 50 });
      assert.equal(old.items[0]?.value, String(299 - 50));
    } finally {
      await store.close();
    }
  });

  it('replays history longer than the watch queue bound, in order', async () => {
    const store = await openFresh({ maxWatchLag: 100 });
    try {
      const from = await store.currentRevision();
      await Promise.all(Array.from({ length: 2500 }, (_, i) => store.create(`/hist/k${i}`, 'v')));
      const watch = await store.watch('/hist/', from);
      try {
        const events = await collect(watch, (evs) => evs.length >= 2500);
        const revs = events.map((e) => (e.type === 'put' ? e.kv.modRevision : e.revision));
        assert.deepEqual(
          revs,
          [...revs].sort((a, b) => a - b),
        );
        assert.equal(new Set(revs).size, 2500);
      } finally {
        watch.close();
      }
    } finally {
      await store.close();
    }
  });

  it('ends a watcher that falls too far behind with TooSlow', async () => {
    const store = await openFresh({ maxWatchLag: 10 });
    try {
      const watch = await store.watch('/slow/', await store.currentRevision());
      for (let i = 0; i < 30; i++) await store.create(`/slow/k${i}`, 'v');
      const seen: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const ev of watch) seen.push(ev);
        })(),
        (err: unknown) => (err as { code?: string }).code === 'TooSlow',
      );
      assert.equal(seen.length, 10, 'the events queued before the bound are still delivered');
    } finally {
      await store.close();
    }
  });

  it('close ends watchers with Closed and later calls fail Closed', async () => {
    const store = await openFresh();
    const watch = await store.watch('/closing/', 0);
    const reading = (async () => {
      for await (const _ of watch) void _;
    })();
    const pending = store.create('/closing/a', 'v');
    await store.close();
    assert.ok((await pending) > 0, 'a write accepted before close is committed');
    await assert.rejects(reading, (err: unknown) => (err as { code?: string }).code === 'Closed');
    await expectCode(store.get('/closing/a'), 'Closed');
    await expectCode(store.create('/closing/b', 'v'), 'Closed');
    await store.close(); // a second close is harmless
  });
});
