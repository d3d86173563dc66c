/**
 * Group commit: writes are queued and flushed together, several to one
 * `BEGIN IMMEDIATE … COMMIT`, so concurrent writers share one fsync. Each
 * caller's promise settles only after its batch committed. A failed check
 * (AlreadyExists, Conflict, NotFound) fails only that caller; the rest of
 * the batch commits. A failure of SQLite itself (disk full, I/O error)
 * rolls the batch back and fails every caller in it.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import type { WatchEvent } from '../store.ts';
import type { Reads } from './reads.ts';

export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

/** What a committed write produced: its revision and the event watchers get. */
export interface WriteResult {
  revision: number;
  event: WatchEvent;
}

interface Pending {
  op: WriteOp;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

/** Most writes in one transaction, and most value bytes, to bound a batch's latency. */
const MAX_BATCH_OPS = 1000;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
// SQLITE_CONSTRAINT_UNIQUE; a PRIMARY KEY clash (1555) would be a bug, not a lost race.
const SQLITE_CONSTRAINT_UNIQUE = 2067;

export class GroupCommitter {
  private readonly db: DatabaseSync;
  private readonly reads: Reads;
  private readonly insert: StatementSync;
  private readonly path: string;
  private readonly onCommit: (events: WatchEvent[], revision: number) => void;
  private queue: Pending[] = [];
  private scheduled = false;
  private rev: number;

  constructor(opts: {
    db: DatabaseSync;
    reads: Reads;
    path: string;
    revision: number;
    /** Called right after each commit with its events in revision order. */
    onCommit: (events: WatchEvent[], revision: number) => void;
  }) {
    this.db = opts.db;
    this.reads = opts.reads;
    this.path = opts.path;
    this.rev = opts.revision;
    this.onCommit = opts.onCommit;
    this.insert = opts.db.prepare(
      `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value, old_value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** The revision of the newest committed write. */
  get revision(): number {
    return this.rev;
  }

  /** Queues a write; resolves after the transaction holding it committed. */
  submit(op: WriteOp): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: callers woken by the previous
        // commit and I/O that arrived meanwhile all join this batch.
        setImmediate(() => this.flushBatch());
      }
    });
  }

  /** Commits everything queued now, synchronously (used by close). */
  flushAll(): void {
    while (this.queue.length > 0) this.commitBatch(this.takeBatch());
  }

  private flushBatch(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    this.commitBatch(this.takeBatch());
    if (this.queue.length > 0 && !this.scheduled) {
      // Let reads and timers run between large batches.
      this.scheduled = true;
      setImmediate(() => this.flushBatch());
    }
  }

  private takeBatch(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH_OPS && bytes < MAX_BATCH_BYTES) {
      const op = (this.queue[n] as Pending).op;
      bytes += op.kind === 'delete' ? 0 : op.value.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private commitBatch(batch: Pending[]): void {
    const outcomes: (WriteResult | StoreError)[] = [];
    let rev = this.rev;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const p of batch) {
        const out = this.apply(p.op, rev + 1);
        if (!(out instanceof StoreError)) rev = out.revision;
        outcomes.push(out);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      const msg = err instanceof Error ? err.message : String(err);
      const failed = new StoreError(
        'Unavailable',
        `writing to the store ${this.path} failed (${msg}); nothing in this batch was stored; check the disk (space, permissions) and retry`,
        { cause: err },
      );
      for (const p of batch) p.reject(failed);
      return;
    }
    this.rev = rev;
    const events: WatchEvent[] = [];
    for (const out of outcomes) if (!(out instanceof StoreError)) events.push(out.event);
    if (events.length > 0) this.onCommit(events, rev);
    batch.forEach((p, i) => {
      const out = outcomes[i] as WriteResult | StoreError;
      if (out instanceof StoreError) p.reject(out);
      else p.resolve(out);
    });
  }

  /** Checks one write against the key's newest row and inserts its row at `rev`. */
  private apply(op: WriteOp, rev: number): WriteResult | StoreError {
    const latest = this.reads.latest(op.key);
    const live = latest && !latest.deleted ? latest : undefined;
    const key = op.key;
    if (op.kind === 'create') {
      if (live) return new StoreError('AlreadyExists', `key ${key} already exists`);
      const kv = { key, value: op.value, createRevision: rev, modRevision: rev };
      return this.row(op, [rev, key, 1, 0, rev, latest?.id ?? 0, op.value, null], {
        type: 'put',
        kv,
      });
    }
    if (!live) return new StoreError('NotFound', `key ${key} not found`);
    const expected = op.expected;
    if (expected !== undefined && expected !== live.id) {
      return new StoreError(
        'Conflict',
        `key ${key} was modified at revision ${live.id}, not ${expected} as expected; read it again and retry`,
        { revision: live.id },
      );
    }
    const prev = {
      key,
      value: live.value,
      createRevision: live.createRevision,
      modRevision: live.id,
    };
    if (op.kind === 'delete') {
      return this.row(op, [rev, key, 0, 1, live.createRevision, live.id, '', live.value], {
        type: 'delete',
        key,
        revision: rev,
        prev,
      });
    }
    const kv = { key, value: op.value, createRevision: live.createRevision, modRevision: rev };
    return this.row(op, [rev, key, 0, 0, live.createRevision, live.id, op.value, live.value], {
      type: 'put',
      kv,
      prev,
    });
  }

  private row(
    op: WriteOp,
    values: [number, string, number, number, number, number, string, string | null],
    event: WatchEvent,
  ): WriteResult | StoreError {
    try {
      this.insert.run(...values);
    } catch (err) {
      // The UNIQUE (name, prev_revision) guard: another write from the same
      // row got there first. Only this statement is undone.
      if ((err as { errcode?: unknown }).errcode === SQLITE_CONSTRAINT_UNIQUE) {
        return new StoreError('Conflict', `key ${op.key} was modified concurrently; retry`, {
          cause: err,
        });
      }
      throw err;
    }
    return { revision: values[0], event };
  }
}
