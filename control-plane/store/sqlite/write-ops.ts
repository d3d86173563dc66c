/**
 * One write inside a commit: checked against the key's newest row, then
 * inserted as the log row at the next revision. A failed check comes back
 * as a StoreError value (it fails only its caller); a failure of SQLite
 * itself is thrown (it fails the whole batch).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import type { WatchEvent } from '../store.ts';
import type { Reads } from './reads.ts';

/** One write as the store's caller asked for it. */
export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

/** What a committed write produced: its revision and the event watchers get. */
export interface WriteResult {
  revision: number;
  event: WatchEvent;
}

// SQLITE_CONSTRAINT_UNIQUE; a PRIMARY KEY clash (1555) would be a bug, not a lost race.
const SQLITE_CONSTRAINT_UNIQUE = 2067;

type Row = [number, string, number, number, number, number, string, string | null];

/** The checks and the log-row insert of single writes, on prepared statements. */
export class WriteOps {
  private readonly reads: Reads;
  private readonly insert: StatementSync;

  constructor(db: DatabaseSync, reads: Reads) {
    this.reads = reads;
    this.insert = db.prepare(
      `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value, old_value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Checks one write against the key's newest row and inserts its row at `rev`. */
  apply(op: WriteOp, rev: number): WriteResult | StoreError {
    const key = op.key;
    if (op.kind === 'create') {
      // A create needs only the newest row's id and whether it is a tombstone, not its value.
      const head = this.reads.latestHead(key);
      if (head && !head.deleted)
        return new StoreError('AlreadyExists', `key ${key} already exists`);
      const kv = { key, value: op.value, createRevision: rev, modRevision: rev };
      return this.row(op, [rev, key, 1, 0, rev, head?.id ?? 0, op.value, null], {
        type: 'put',
        kv,
      });
    }
    const latest = this.reads.latest(key);
    const live = latest && !latest.deleted ? latest : undefined;
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

  private row(op: WriteOp, values: Row, event: WatchEvent): WriteResult | StoreError {
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
