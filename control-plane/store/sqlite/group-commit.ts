/**
 * Group commit: writes are queued and flushed together, several to one
 * `BEGIN IMMEDIATE … COMMIT`, so concurrent writers share one fsync. Each
 * caller's promise settles only after its batch committed. A failed check
 * (AlreadyExists, Conflict, NotFound) fails only that caller; the rest of
 * the batch commits. A failure of SQLite itself (disk full, I/O error)
 * rolls the batch back and fails every caller in it.
 *
 * With a WalSync (durable mode) a batch is settled only once a WAL flush
 * that started after its commit completed. The flush runs off the event
 * loop, and writes that arrive meanwhile gather for one transaction right
 * after it (one commit per flush: bigger batches, fewer WAL pages
 * written). Until its flush completes nothing about a batch is visible:
 * `revision` (what readers and watchers may see) moves, events are
 * published and callers are answered (failed checks too: they may have
 * seen those writes) together, in commit order, when the flush completes.
 *
 * A lone write (a batch of one, nothing else queued or being flushed) is
 * flushed inline instead, while the gate allows (inline-flush.ts): the
 * thread-pool handoff would cost it more than the flush itself. Batches
 * of several writes always flush off the loop, so under concurrency the
 * loop keeps serving while the next batch gathers. Writes still wait one
 * `setImmediate` before they commit, so everything that arrived in the
 * same loop turn (several HTTP requests, say) joins one batch rather than
 * each taking the inline path with an fsync of its own.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import type { WatchEvent } from '../store.ts';
import type { InlineFlushGate } from './inline-flush.ts';
import type { Reads } from './reads.ts';
import type { WalSync } from './wal-sync.ts';
import { WriteOps, type WriteOp, type WriteResult } from './write-ops.ts';

interface Pending {
  op: WriteOp;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

/** A committed batch waiting to be settled. */
interface Committed {
  batch: Pending[];
  outcomes: (WriteResult | StoreError)[];
  events: WatchEvent[];
  /** The newest committed revision when the batch ended. */
  revision: number;
}

/** Most writes in one transaction, and most value bytes, to bound a batch's latency. */
const MAX_BATCH_OPS = 1000;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** What the writer needs of the WAL flusher (wal-sync.ts); small so tests can control flushes. */
export type WalFlusher = Pick<WalSync, 'flush' | 'flushSync'>;

/** The store's one writer: queues writes, commits them in batches, settles each batch when durable. */
export class GroupCommitter {
  private readonly db: DatabaseSync;
  private readonly ops: WriteOps;
  private readonly path: string;
  private readonly onCommit: (events: WatchEvent[], revision: number) => void;
  private readonly wal: WalFlusher | undefined;
  private readonly inline: InlineFlushGate | undefined;
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private queue: Pending[] = [];
  private scheduled = false;
  /** The newest committed revision (numbers the next write). */
  private rev: number;
  /** The newest revision readers may see: committed and, in durable mode, flushed. */
  private visible: number;
  /** Committed batches not settled yet, oldest first. */
  private unflushed: Committed[] = [];
  private flushing: Promise<void> | undefined;
  private failed: StoreError | undefined;

  constructor(opts: {
    db: DatabaseSync;
    reads: Reads;
    path: string;
    revision: number;
    /** Flushes the WAL after commits; without it a batch is settled when it commits. */
    wal?: WalFlusher;
    /** Lets lone writes flush inline (flushSync) when it allows; without it every flush is async. */
    inline?: InlineFlushGate;
    /** Called as each batch is settled, with its events in revision order. */
    onCommit: (events: WatchEvent[], revision: number) => void;
  }) {
    this.db = opts.db;
    this.ops = new WriteOps(opts.db, opts.reads);
    this.path = opts.path;
    this.rev = opts.revision;
    this.visible = opts.revision;
    this.wal = opts.wal;
    this.inline = opts.inline;
    // Prepared once rather than parsed by exec() for every batch.
    this.begin = opts.db.prepare('BEGIN IMMEDIATE');
    this.commit = opts.db.prepare('COMMIT');
    this.onCommit = opts.onCommit;
  }

  /** The revision of the newest settled write: what reads, lists and watches may see. */
  get revision(): number {
    return this.visible;
  }

  /** Queues a write; resolves after the transaction holding it committed (and was flushed). */
  submit(op: WriteOp): Promise<WriteResult> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Commits and flushes everything queued now, synchronously, and settles it (used by close). */
  flushAll(): void {
    while (this.queue.length > 0) this.commitBatch(this.takeBatch());
    if (this.unflushed.length === 0) return;
    const waiting = this.unflushed.splice(0);
    try {
      this.wal?.flushSync();
    } catch (err) {
      this.failFlush(waiting, err);
      return;
    }
    for (const c of waiting) this.settle(c);
  }

  /** Resolves when no WAL flush is running (close waits for it before closing the file). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  // setImmediate, not a microtask: callers woken by the previous commit
  // and I/O that arrived meanwhile all join the batch.
  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flushBatch());
  }

  private flushBatch(): void {
    this.scheduled = false;
    // A running WAL flush commits what gathered when it completes.
    if (this.flushing || this.queue.length === 0) return;
    this.commitBatch(this.takeBatch());
    // Let reads and timers run between large batches.
    this.schedule();
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
    if (this.failed) {
      for (const p of batch) p.reject(this.failed);
      return;
    }
    const outcomes: (WriteResult | StoreError)[] = [];
    let rev = this.rev;
    try {
      this.begin.run();
      for (const p of batch) {
        const out = this.ops.apply(p.op, rev + 1);
        if (!(out instanceof StoreError)) rev = out.revision;
        outcomes.push(out);
      }
      this.commit.run();
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
    const committed = { batch, outcomes, events, revision: rev };
    // Without a WAL flush, or when the batch stored nothing and saw only visible writes, settle now.
    if (!this.wal || (events.length === 0 && this.visible === rev && !this.unflushed.length)) {
      this.settle(committed);
      return;
    }
    const lone = batch.length === 1 && this.queue.length === 0;
    if (lone && !this.flushing && this.unflushed.length === 0) {
      const now = performance.now();
      if (this.inline?.allowed(now)) {
        this.flushInline(committed, now);
        return;
      }
    }
    this.unflushed.push(committed);
    this.startFlush();
  }

  /** Flushes a lone committed write on the loop, then settles it (see the file comment). */
  private flushInline(committed: Committed, started: number): void {
    try {
      this.wal?.flushSync();
    } catch (err) {
      this.failFlush([committed], err);
      return;
    }
    const now = performance.now();
    this.inline?.record(now - started, now);
    this.settle(committed);
  }

  /** Starts a WAL flush covering every committed batch, unless one is running. */
  private startFlush(): void {
    const wal = this.wal;
    if (this.flushing || this.unflushed.length === 0 || !wal) return;
    const covered = this.unflushed.length;
    this.flushing = new Promise<void>((resolve) => {
      wal.flush((err) => {
        this.flushing = undefined;
        // flushAll (close) may have settled them already.
        const done = this.unflushed.splice(0, Math.min(covered, this.unflushed.length));
        if (err) this.failFlush(done, err);
        else for (const c of done) this.settle(c);
        resolve();
        this.startFlush(); // batches flushAll committed meanwhile (close)
        this.schedule(); // writes that gathered during the flush
      });
    });
  }

  /** Makes a batch visible: revision, events, then the callers' answers. */
  private settle(c: Committed): void {
    if (c.revision > this.visible) this.visible = c.revision;
    if (c.events.length > 0) this.onCommit(c.events, c.revision);
    c.batch.forEach((p, i) => {
      const out = c.outcomes[i] as WriteResult | StoreError;
      if (out instanceof StoreError) p.reject(out);
      else p.resolve(out);
    });
  }

  // The WAL could not be flushed: those writes may or may not be on disk. Nothing more is
  // accepted (as etcd stops on a failed fsync); reads keep serving the last flushed state.
  private failFlush(batches: Committed[], err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.failed ??= new StoreError(
      'Unavailable',
      `flushing the store's log ${this.path}-wal to disk failed (${msg}); the newest writes may not be stored and the store accepts no more writes: check the disk, then restart the server`,
      { cause: err },
    );
    for (const c of batches) for (const p of c.batch) p.reject(this.failed);
    for (const c of this.unflushed.splice(0)) for (const p of c.batch) p.reject(this.failed);
    for (const p of this.queue.splice(0)) p.reject(this.failed);
  }
}
