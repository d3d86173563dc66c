/**
 * The embedded default store: one SQLite file (node:sqlite, WAL journal)
 * holding a kine-style log, owned by one process. Writes are group
 * committed; watchers share one broadcaster fed right after each commit;
 * a background compactor bounds history.
 *
 * Durability: with synchronous FULL (the default) the WAL is flushed to
 * disk (fdatasync, off the event loop: wal-sync.ts) after each commit and
 * before any caller in the batch is answered or anything of it becomes
 * visible, so an acknowledged write survives a process crash and a power
 * loss, and no reader ever sees a revision a power loss could take back.
 * NORMAL survives a process crash but may lose the newest commits on power
 * loss.
 *
 * Compaction boundary: a revision r is readable (list at r, watch from r)
 * iff r >= compactedRevision(); below it the call fails 'Compacted'.
 *
 * @example
 *   const store = await openSqliteStore({ backend: 'sqlite', path: '/var/lib/skiff/state.db' });
 */
import type { DatabaseSync } from 'node:sqlite';
import { rootLogger, type Logger } from '../../api/log.ts';
import { StoreError } from '../errors.ts';
import type { SqliteStoreConfig } from '../index.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch } from '../store.ts';
import {
  decodeContinue,
  encodeContinue,
  validateKey,
  validatePrefix,
  validateRevision,
  validateValue,
} from '../validate.ts';
import { Broadcaster } from '../watch-hub.ts';
import { Compactor } from './compactor.ts';
import { GroupCommitter } from './group-commit.ts';
import { InlineFlushGate } from './inline-flush.ts';
import { openDatabase, releaseOwner } from './open-db.ts';
import { Reads } from './reads.ts';
import { readLastRevision } from './schema.ts';
import { SqliteWatch } from './sqlite-watch.ts';
import { WalSync } from './wal-sync.ts';
import type { WriteOp, WriteResult } from './write-ops.ts';

/**
 * Opens (or creates) the store file at `cfg.path`. Fails with StoreError
 * 'Locked' when another process owns it, 'Corrupt' when the file is
 * damaged (the file is left untouched), 'Unavailable' when its directory
 * does not exist.
 */
export async function openSqliteStore(cfg: SqliteStoreConfig): Promise<Store> {
  const synchronous = cfg.synchronous ?? 'FULL';
  // FULL durability comes from WalSync's flush, so SQLite itself never fsyncs on commit.
  const db = openDatabase(cfg.path, 'NORMAL');
  const logger = (cfg.logger ?? rootLogger).child({ component: 'store', backend: 'sqlite' });
  let store: SqliteStore;
  try {
    store = new SqliteStore(db, cfg, logger);
  } catch (err) {
    db.close();
    releaseOwner(cfg.path);
    throw err;
  }
  logger.info('Opened store', {
    path: cfg.path,
    synchronous,
    revision: await store.currentRevision(),
    compactedRevision: await store.compactedRevision(),
  });
  return store;
}

class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly db: DatabaseSync;
  private readonly path: string;
  private readonly reads: Reads;
  private readonly writer: GroupCommitter;
  private readonly compactor: Compactor;
  private readonly hub: Broadcaster;
  private readonly wal: WalSync | undefined;
  private closed = false;

  constructor(db: DatabaseSync, cfg: SqliteStoreConfig, logger: Logger) {
    this.db = db;
    this.path = cfg.path;
    this.reads = new Reads(db);
    this.hub = new Broadcaster(cfg.maxWatchLag);
    this.wal = (cfg.synchronous ?? 'FULL') === 'FULL' ? new WalSync(cfg.path) : undefined;
    this.writer = new GroupCommitter({
      db,
      reads: this.reads,
      path: cfg.path,
      revision: readLastRevision(db),
      ...(this.wal ? { wal: this.wal, inline: new InlineFlushGate() } : {}),
      onCommit: (events, revision) => {
        this.hub.publish(events);
        this.compactor.noteCommit(revision);
      },
    });
    this.compactor = new Compactor({
      db,
      logger,
      policy: {
        intervalMs: cfg.compaction?.intervalMs ?? 60_000,
        retainRevisions: cfg.compaction?.retainRevisions ?? 1000,
        retainMs: cfg.compaction?.retainMs ?? 5 * 60_000,
      },
      currentRevision: () => this.writer.revision,
    });
    this.compactor.start();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    validateKey(key);
    this.ensureOpen();
    // Commits still being flushed are not visible yet: read as of the visible revision.
    const row = this.reads.latestAt(key, this.writer.revision);
    if (!row || row.deleted) return undefined;
    return { key, value: row.value, createRevision: row.createRevision, modRevision: row.id };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const limit = opts.limit === undefined ? 0 : validateRevision(opts.limit, 'limit');
    const token = opts.continue === undefined ? undefined : decodeContinue(opts.continue);
    const asked = opts.revision === undefined ? 0 : validateRevision(opts.revision, 'revision');
    this.ensureOpen();
    const revision = token?.revision ?? (asked === 0 ? this.writer.revision : asked);
    this.checkReadable(revision);
    const rows = this.reads.listPage(
      prefix,
      revision,
      limit > 0 ? limit + 1 : -1,
      token?.startAfter,
    );
    if (limit > 0 && rows.length > limit) {
      const items = rows.slice(0, limit);
      const last = items[items.length - 1] as KeyValue;
      return { items, revision, continue: encodeContinue({ revision, startAfter: last.key }) };
    }
    return { items: rows, revision };
  }

  async create(key: string, value: string): Promise<number> {
    validateKey(key);
    validateValue(value, key);
    return (await this.write({ kind: 'create', key, value })).revision;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<number> {
    validateKey(key);
    validateValue(value, key);
    validateRevision(expectedModRevision, 'expectedModRevision');
    return (await this.write({ kind: 'update', key, value, expected: expectedModRevision }))
      .revision;
  }

  async delete(
    key: string,
    expectedModRevision?: number,
  ): Promise<{ kv: KeyValue; revision: number }> {
    validateKey(key);
    if (expectedModRevision !== undefined) {
      validateRevision(expectedModRevision, 'expectedModRevision');
    }
    const { event, revision } = await this.write({
      kind: 'delete',
      key,
      ...(expectedModRevision === undefined ? {} : { expected: expectedModRevision }),
    });
    if (event.type !== 'delete') throw new Error('delete produced a put event'); // unreachable
    return { kv: event.prev, revision };
  }

  async watch(prefix: string, fromRevision: number): Promise<Watch> {
    validatePrefix(prefix);
    validateRevision(fromRevision, 'fromRevision');
    this.ensureOpen();
    const compacted = this.compactor.compactedRevision;
    if (fromRevision < compacted) {
      throw new StoreError(
        'Compacted',
        `cannot watch from revision ${fromRevision}: history up to ${compacted} was compacted; list again and watch from the list's revision`,
        { revision: compacted },
      );
    }
    // Subscribing and fixing the snapshot happen in one synchronous step:
    // every later commit publishes to this queue, every earlier one is history.
    const snapshot = this.writer.revision;
    const live = this.hub.subscribe(prefix);
    const source = {
      read: (after: number, upTo: number, limit: number) =>
        this.closed ? [] : this.reads.history(prefix, after, upTo, limit),
      compactedRevision: () => this.compactor.compactedRevision,
    };
    return new SqliteWatch(live, source, fromRevision, snapshot);
  }

  async currentRevision(): Promise<number> {
    this.ensureOpen();
    return this.writer.revision;
  }

  async compactedRevision(): Promise<number> {
    this.ensureOpen();
    return this.compactor.compactedRevision;
  }

  async compact(revision: number): Promise<void> {
    validateRevision(revision, 'revision');
    this.ensureOpen();
    if (revision > this.writer.revision) {
      throw new StoreError(
        'Invalid',
        `cannot compact to revision ${revision}: the newest revision is ${this.writer.revision}`,
      );
    }
    await this.compactor.compact(revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compactor.stop();
    // Writes already accepted are committed, not dropped.
    this.writer.flushAll();
    // A flush still running from before must end before its file is closed.
    await this.writer.drain();
    this.hub.closeAll(new StoreError('Closed', `the store ${this.path} was closed`));
    this.db.close();
    this.wal?.close();
    releaseOwner(this.path);
  }

  private write(op: WriteOp): Promise<WriteResult> {
    this.ensureOpen();
    return this.writer.submit(op);
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreError('Closed', `the store ${this.path} is closed`);
  }

  /** Fails 'Compacted' below the compacted revision, 'Invalid' above the newest. */
  private checkReadable(revision: number): void {
    const compacted = this.compactor.compactedRevision;
    if (revision < compacted) {
      throw new StoreError(
        'Compacted',
        `revision ${revision} was compacted (oldest readable: ${compacted}); list again without a revision`,
        { revision: compacted },
      );
    }
    if (revision > this.writer.revision) {
      throw new StoreError(
        'Invalid',
        `revision ${revision} is newer than the store's newest revision ${this.writer.revision}`,
      );
    }
  }
}
