/**
 * Durable commits without blocking the event loop. SQLite runs with
 * `synchronous = NORMAL` (a commit appends to the WAL but does not fsync
 * it; WAL + NORMAL never corrupts the database, it may only lose the
 * newest commits on power loss), and this flushes the WAL file with
 * fdatasync on libuv's thread pool. A commit counts as durable once a
 * flush that started after it has completed: then every frame it wrote is
 * on disk, which is what `synchronous = FULL` guarantees, while the event
 * loop goes on validating and answering other requests. (A lone write may
 * be flushed inline with `flushSync` instead: see inline-flush.ts.)
 *
 * Only the `-wal` file and its directory are opened here, never the
 * database file itself: closing a descriptor of the database file would
 * drop SQLite's POSIX lock (see open-db.ts). SQLite keeps the WAL file
 * (same inode; checkpoints reuse or truncate it in place) until the
 * database is closed, and with the exclusive lock no other connection
 * can remove it, so the descriptor is opened once and reused. Only
 * someone deleting the file by hand could unlink it: that is checked
 * (one fstat) at most once a second rather than on every flush, which
 * sits on each lone write's path; an unlinked WAL is opened again (and,
 * being gone, fails the flush: the store stops taking writes).
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** How often the held WAL descriptor is checked to still name the WAL file. */
const CHECK_LINK_MS = 1000;

/** Flushes one store's WAL file to disk, off the event loop. */
export class WalSync {
  private readonly walPath: string;
  private readonly dir: string;
  private fd: number | undefined;
  private checkedAt = 0;

  /** `path` is the database file; its WAL is `path-wal`. */
  constructor(path: string) {
    this.walPath = `${path}-wal`;
    this.dir = dirname(path);
  }

  /** Flushes everything written to the WAL so far; `done` runs once it is on disk (or failed). */
  flush(done: (err: Error | null) => void): void {
    let fd: number;
    try {
      fd = this.open();
    } catch (err) {
      queueMicrotask(() => done(err as Error));
      return;
    }
    fdatasync(fd, done);
  }

  /** The same, blocking: for a lone write while flushes are fast (inline-flush.ts), and at close. */
  flushSync(): void {
    fdatasyncSync(this.open());
  }

  /** Closes the WAL descriptor; call after the last flush has completed. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  // Opened at the first flush, which follows a commit: the WAL exists by then.
  private open(): number {
    if (this.fd !== undefined) {
      const now = performance.now();
      if (now - this.checkedAt < CHECK_LINK_MS) return this.fd;
      if (fstatSync(this.fd).nlink > 0) {
        this.checkedAt = now;
        return this.fd;
      }
      this.close(); // not the WAL SQLite writes any more
    }
    const fd = openSync(this.walPath, 'r');
    try {
      // The WAL may be new: its directory entry must reach the disk too.
      const dfd = openSync(this.dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
    this.checkedAt = performance.now();
    return fd;
  }
}
