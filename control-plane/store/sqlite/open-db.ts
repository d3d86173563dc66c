/**
 * Opening the store's database file safely: the directory must exist, the
 * file must be a healthy SQLite database (or absent, for a new store), and
 * this process must own it alone. Anything else is a StoreError naming the
 * file and what to do, raised before anything is written to the file.
 */
import {
  closeSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import { checkOwnSchema, ensureSchema } from './schema.ts';

/** Files this process has open (absolute paths). */
const openHere = new Set<string>();

const SQLITE_MAGIC = 'SQLite format 3\0';
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/** Where the owner's pid is written, for the message a second opener prints. */
export function ownerFile(path: string): string {
  return `${path}.owner`;
}

/**
 * Opens `path` exclusively in WAL mode with the given `synchronous` level.
 *
 * The exclusive lock (locking_mode=EXCLUSIVE, taken by the first read) is
 * held until close and released by the OS when the process dies, even on
 * kill -9, so a second process fails at once with 'Locked' and never sees
 * "database is locked" mid-operation. With EXCLUSIVE set before WAL mode,
 * SQLite keeps the WAL index in memory: there is no -shm file.
 *
 * The lock is a POSIX record lock, which the OS drops when the process
 * closes ANY descriptor of the file: nothing in the owning process may
 * open the database file with node:fs while the store is open.
 */
export function openDatabase(path: string, synchronous: 'FULL' | 'NORMAL'): DatabaseSync {
  const id = resolve(path);
  // A second open in this process must not even read the file: closing
  // that descriptor would drop the first store's lock (see above).
  if (openHere.has(id)) {
    throw new StoreError(
      'Locked',
      `${path} is in use by another skiff server (pid ${process.pid}, this process); stop it or choose another --data-dir`,
    );
  }
  checkDirectory(path);
  checkHeader(path);
  let db: DatabaseSync;
  try {
    // timeout 0: a lock held by another process is reported at once, not waited for.
    db = new DatabaseSync(path, { timeout: 0 });
  } catch (err) {
    throw translate(err, path, 'open');
  }
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // quick_check reads every page before anything is written, so a damaged
    // file is reported and left as it is.
    const problems = db
      .prepare('PRAGMA quick_check(5)')
      .all()
      .map((r) => String(Object.values(r)[0]));
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw corrupt(
        path,
        problems
          .join('; ')
          .replace(/\s*\n\s*/g, ' ')
          .slice(0, 300),
      );
    }
    checkOwnSchema(db, path);
    const mode = db.prepare('PRAGMA journal_mode = WAL').get();
    if (mode === undefined || String(Object.values(mode)[0]).toLowerCase() !== 'wal') {
      throw new StoreError('Unavailable', `could not switch ${path} to WAL journal mode`);
    }
    db.exec(`PRAGMA synchronous = ${synchronous}`);
    ensureSchema(db, path);
  } catch (err) {
    db.close();
    throw translate(err, path, 'open');
  }
  openHere.add(id);
  writeFileSync(ownerFile(path), `${process.pid}\n`);
  return db;
}

/** After the database is closed: removes the owner file and the in-process mark. */
export function releaseOwner(path: string): void {
  openHere.delete(resolve(path));
  rmSync(ownerFile(path), { force: true });
}

function checkDirectory(path: string): void {
  const dir = dirname(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new StoreError(
      'Unavailable',
      `the store directory ${dir} does not exist; create it (mkdir -p ${dir}) or choose another --data-dir`,
    );
  }
}

// A non-empty file without SQLite's magic header is never handed to SQLite,
// which could otherwise treat it as something to initialise.
function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // absent: a new store is created
  }
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n === 0) return;
    if (n < 16 || buf.toString('latin1') !== SQLITE_MAGIC) {
      throw corrupt(path, 'the file does not start with the SQLite header');
    }
  } finally {
    closeSync(fd);
  }
}

/** Maps SQLite's errors at open to the store's codes, with the file and a remedy. */
function translate(err: unknown, path: string, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = sqliteCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
    return new StoreError(
      'Locked',
      `${path} is in use by another skiff server (${ownerText(path)}); stop it or choose another --data-dir`,
      { cause: err },
    );
  }
  if (code === SQLITE_CORRUPT || code === SQLITE_NOTADB) return corrupt(path, msg, err);
  return new StoreError('Unavailable', `could not ${what} the store ${path}: ${msg}`, {
    cause: err,
  });
}

function corrupt(path: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    'Corrupt',
    `the store file ${path} is damaged (${detail}); it was left untouched: restore it from a backup, or move it away to start an empty store`,
    cause === undefined ? {} : { cause },
  );
}

/** SQLite's primary result code from a node:sqlite error, if any. */
export function sqliteCode(err: unknown): number | undefined {
  const errcode = (err as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode & 0xff : undefined;
}

function ownerText(path: string): string {
  try {
    const pid = Number.parseInt(readFileSync(ownerFile(path), 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? `pid ${pid}` : 'pid unknown';
  } catch {
    return 'pid unknown';
  }
}
