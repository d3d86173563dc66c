/**
 * Read queries over the log table: the newest row of a key, a page of keys
 * under a prefix as of a revision, and a page of history (the rows a
 * watcher replays). All are indexed range scans; none uses LIKE.
 */
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { KeyValue, WatchEvent } from '../store.ts';
import { StoreError } from '../errors.ts';
import { int, text } from './schema.ts';

/** The newest row of one key, as the write path needs it. */
export interface LatestRow {
  id: number;
  createRevision: number;
  deleted: boolean;
  value: string;
}

/** The newest row's id and whether it is a tombstone (what a create checks). */
export interface LatestHead {
  id: number;
  deleted: boolean;
}

export class Reads {
  private readonly latestStmt: StatementSync;
  private readonly headStmt: StatementSync;
  private readonly latestAtStmt: StatementSync;
  private readonly listFirst: StatementSync;
  private readonly listAfter: StatementSync;
  private readonly historyStmt: StatementSync;

  constructor(db: DatabaseSync) {
    this.latestStmt = db.prepare(
      'SELECT id, create_revision, deleted, value FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1',
    );
    this.headStmt = db.prepare(
      'SELECT id, deleted FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1',
    );
    this.latestAtStmt = db.prepare(
      'SELECT id, create_revision, deleted, value FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1',
    );
    // Rows in [lo, hi) that are their key's newest at or below the revision,
    // live ones only. Streams in index order, so LIMIT stops the scan early
    // (a GROUP BY subquery would be materialised and sorted on every page).
    const list = (op: string): string => `
      SELECT k.id, k.name, k.create_revision, k.value
      FROM kine AS k
      WHERE k.name ${op} ? AND k.name < ? AND k.deleted = 0
        AND k.id = (SELECT max(m.id) FROM kine AS m WHERE m.name = k.name AND m.id <= ?)
      ORDER BY k.name
      LIMIT ?`;
    this.listFirst = db.prepare(list('>='));
    this.listAfter = db.prepare(list('>'));
    // Rows as arrays: a list builds its KeyValues once instead of a row object each first.
    this.listFirst.setReturnArrays(true);
    this.listAfter.setReturnArrays(true);
    this.historyStmt = db.prepare(`
      SELECT id, name, created, deleted, create_revision, prev_revision, value, old_value
      FROM kine WHERE id > ? AND id <= ? AND name >= ? AND name < ?
      ORDER BY id LIMIT ?`);
  }

  /** The key's newest row (a tombstone when it was deleted last), if any. */
  latest(key: string): LatestRow | undefined {
    return toLatest(this.latestStmt.get(key));
  }

  /** The key's newest row at or below `revision` (what a reader at that revision sees). */
  latestAt(key: string, revision: number): LatestRow | undefined {
    return toLatest(this.latestAtStmt.get(key, revision));
  }

  /** The id of the key's newest row and whether it is a tombstone, without reading the value. */
  latestHead(key: string): LatestHead | undefined {
    const r = this.headStmt.get(key);
    if (r === undefined) return undefined;
    return { id: int(r.id), deleted: int(r.deleted) !== 0 };
  }

  /**
   * Up to `limit` live keys under `prefix` as of `revision`, in key order,
   * starting after `startAfter` when given (-1 for no limit).
   */
  listPage(prefix: string, revision: number, limit: number, startAfter?: string): KeyValue[] {
    const hi = prefixEnd(prefix);
    const rows = (startAfter === undefined
      ? this.listFirst.all(prefix, hi, revision, limit)
      : this.listAfter.all(startAfter, hi, revision, limit)) as unknown as SQLOutputValue[][]; // setReturnArrays: [id, name, create_revision, value]
    return rows.map((r) => ({
      key: text(r[1]),
      value: text(r[3]),
      createRevision: int(r[2]),
      modRevision: int(r[0]),
    }));
  }

  /** Events for rows under `prefix` with after < revision <= upTo, oldest first, at most `limit`. */
  history(prefix: string, after: number, upTo: number, limit: number): WatchEvent[] {
    return this.historyStmt
      .all(after, upTo, prefix, prefixEnd(prefix), limit)
      .map((r) => rowToEvent(r));
  }
}

function toLatest(r: Record<string, SQLOutputValue> | undefined): LatestRow | undefined {
  if (r === undefined) return undefined;
  return {
    id: int(r.id),
    createRevision: int(r.create_revision),
    deleted: int(r.deleted) !== 0,
    value: text(r.value),
  };
}

/** Turns one log row into the watch event its write produced. */
export function rowToEvent(r: Record<string, SQLOutputValue>): WatchEvent {
  const key = text(r.name);
  const revision = int(r.id);
  const createRevision = int(r.create_revision);
  const prev =
    int(r.created) !== 0
      ? undefined
      : {
          key,
          value: text(r.old_value),
          createRevision,
          modRevision: int(r.prev_revision),
        };
  if (int(r.deleted) !== 0) {
    if (!prev)
      throw new StoreError('Corrupt', `tombstone of ${key} at ${revision} has no prior value`);
    return { type: 'delete', key, revision, prev };
  }
  const kv = { key, value: text(r.value), createRevision, modRevision: revision };
  return prev ? { type: 'put', kv, prev } : { type: 'put', kv };
}

/**
 * The smallest string above every string that starts with `prefix`, in
 * SQLite's byte (code point) order: the last code point plus one. Used as
 * the exclusive upper bound of a prefix range scan.
 */
export function prefixEnd(prefix: string): string {
  const points = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = (points.pop() as number) + 1;
    if (last > 0x10ffff) continue; // no successor: carry into the previous code point
    // Skip the surrogate range, which UTF-8 text never holds.
    points.push(last >= 0xd800 && last <= 0xdfff ? 0xe000 : last);
    return String.fromCodePoint(...points);
  }
  return '\u{10ffff}\u{10ffff}'; // prefix of only U+10FFFF: nothing sorts above anyway
}
