/**
 * The SQLite store's tables, kine style: one append-only log where every
 * write is an INSERT and the row id is the store revision.
 *
 * Row meaning:
 * - `created` 1: the write created the key (no previous value);
 *   `deleted` 1: a tombstone (the key was deleted at this revision).
 * - `create_revision`: the revision that created this life of the key.
 * - `prev_revision`: id of the key's previous row (0 for none). The UNIQUE
 *   (name, prev_revision) index is the compare-and-swap guard: two writes
 *   that both start from the same row can never both be stored.
 * - `value`: the new value ('' for a tombstone); `old_value`: the value
 *   before this write (NULL for a create), so watch events carry `prev`
 *   even after compaction removed the previous row.
 * The `meta` table records the schema version and the compacted revision.
 */
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { StoreError } from '../errors.ts';

/** Bumped when the layout changes; a newer file is refused, not guessed at. */
export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  old_value TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Meta entries: the readable boundary and how far old rows are really gone. */
export type MetaName = 'schema_version' | 'compact_revision' | 'compacted_through';

/**
 * Throws StoreError 'Corrupt' when the file holds tables but not a skiff
 * store's. Only reads, so it runs before anything is written to the file.
 */
export function checkOwnSchema(db: DatabaseSync, path: string): void {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((r) => String(r.name));
  if (tables.length > 0 && !(tables.includes('kine') && tables.includes('meta'))) {
    throw new StoreError(
      'Corrupt',
      `${path} is a SQLite database but not a skiff store (tables: ${tables.join(', ')}); move it away or choose another --data-dir`,
    );
  }
}

/**
 * Creates the tables in a new file, or checks an existing store's schema
 * version is one this code reads ('Corrupt' when it is newer).
 */
export function ensureSchema(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(DDL);
    const version = readMeta(db, 'schema_version');
    if (version === undefined) writeMeta(db, 'schema_version', SCHEMA_VERSION);
    else if (version > SCHEMA_VERSION) {
      throw new StoreError(
        'Corrupt',
        `${path} has store schema version ${version}, newer than this skiff reads (${SCHEMA_VERSION}); run a newer skiff`,
      );
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export function readMeta(db: DatabaseSync, name: MetaName): number | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE name = ?').get(name);
  return row === undefined ? undefined : int(row.value);
}

export function writeMeta(db: DatabaseSync, name: MetaName, value: number): void {
  db.prepare(
    'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  ).run(name, value);
}

/** The highest revision ever handed out (AUTOINCREMENT keeps it past deletions). */
export function readLastRevision(db: DatabaseSync): number {
  const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kine'").get();
  const seq = row === undefined ? 0 : int(row.seq);
  const max = int(db.prepare('SELECT coalesce(max(id), 0) AS m FROM kine').get()?.m ?? 0);
  return Math.max(seq, max);
}

/** A column that must hold an integer; anything else means the file was tampered with. */
export function int(v: SQLOutputValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new StoreError('Corrupt', `store row holds ${typeof v} where an integer belongs`);
}

/** A column that must hold text. */
export function text(v: SQLOutputValue | undefined): string {
  if (typeof v === 'string') return v;
  throw new StoreError('Corrupt', `store row holds ${typeof v} where text belongs`);
}
