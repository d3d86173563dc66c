/**
 * Compaction of the log: drops rows that no read at or above the compacted
 * revision can need (superseded rows and tombstones at or below it),
 * keeping each key's newest value. The boundary is recorded durably first
 * (meta 'compact_revision'), so reads below it fail 'Compacted' from that
 * moment on; rows are then deleted in small transactions, yielding to
 * writers between them, and progress is recorded ('compacted_through') so
 * a restart finishes the work. A TRUNCATE checkpoint then empties the WAL;
 * the freed pages are reused by later writes, so under steady churn of the
 * same keys the file stops growing (it does not shrink: no VACUUM).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Logger } from '../../api/log.ts';
import { readMeta, writeMeta } from './schema.ts';

/** Revisions scanned per delete transaction: short enough not to stall writers. */
const BATCH_REVISIONS = 2000;

export interface CompactionPolicy {
  /** 0 turns the background compactor off. */
  intervalMs: number;
  retainRevisions: number;
  retainMs: number;
}

export class Compactor {
  private readonly db: DatabaseSync;
  private readonly logger: Logger;
  private readonly policy: CompactionPolicy;
  private readonly currentRevision: () => number;
  private readonly deleteBatch: StatementSync;
  /** (time, revision) samples: `revision` was committed by `time`. */
  private samples: { t: number; rev: number }[] = [];
  private boundary: number;
  private through: number;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(opts: {
    db: DatabaseSync;
    logger: Logger;
    policy: CompactionPolicy;
    currentRevision: () => number;
  }) {
    this.db = opts.db;
    this.logger = opts.logger;
    this.policy = opts.policy;
    this.currentRevision = opts.currentRevision;
    this.boundary = readMeta(opts.db, 'compact_revision') ?? 0;
    this.through = readMeta(opts.db, 'compacted_through') ?? 0;
    // Every row is superseded by a later one (its prev_revision points at
    // it), or is a tombstone.
    this.deleteBatch = opts.db.prepare(`
      DELETE FROM kine WHERE id IN (
        SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision != 0
        UNION ALL
        SELECT id FROM kine WHERE id > ? AND id <= ? AND deleted != 0)`);
    this.samples.push({ t: Date.now(), rev: opts.currentRevision() });
  }

  /** The oldest readable revision: reads at r work iff r >= compactedRevision. */
  get compactedRevision(): number {
    return this.boundary;
  }

  /** Starts the interval timer (if enabled) and finishes an interrupted compaction. */
  start(): void {
    if (this.through < this.boundary) this.background(this.boundary);
    if (this.policy.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      const safe = this.safeRevision();
      if (safe > this.boundary) this.background(safe);
    }, this.policy.intervalMs);
    this.timer.unref();
  }

  /** Records that `revision` is committed now, for the time-based retention. */
  noteCommit(revision: number): void {
    const t = Date.now();
    const last = this.samples.at(-1);
    if (last && t - last.t < 1000) return; // one sample a second is enough
    this.samples.push({ t, rev: revision });
    const cutoff = t - this.policy.retainMs;
    // Keep the newest sample at or before the cutoff and everything after it.
    let drop = 0;
    while (drop + 1 < this.samples.length && (this.samples[drop + 1] as { t: number }).t <= cutoff)
      drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }

  /** The newest revision both retention rules allow compacting to. */
  safeRevision(): number {
    const current = this.currentRevision();
    const byCount = current - this.policy.retainRevisions;
    const cutoff = Date.now() - this.policy.retainMs;
    let byTime = 0;
    for (const s of this.samples) if (s.t <= cutoff) byTime = s.rev;
    if (this.policy.retainMs <= 0) byTime = current;
    return Math.max(0, Math.min(byCount, byTime));
  }

  /**
   * Compacts history at and below `revision` (ignored when not above the
   * current boundary). Calls run one at a time, in order.
   */
  compact(revision: number): Promise<void> {
    const run = this.chain.then(() => this.run(revision));
    this.chain = run.catch(() => {});
    return run;
  }

  /** Stops the timer and waits for a running compaction to reach a batch boundary. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
  }

  // A failed background run is logged and retried at the next interval.
  private background(revision: number): void {
    this.compact(revision).catch((err: unknown) => {
      this.logger.error('Store compaction failed; retrying at the next interval', {
        revision,
        err,
      });
    });
  }

  private async run(revision: number): Promise<void> {
    if (this.stopped) return;
    const started = performance.now();
    if (revision > this.boundary) {
      this.transaction(() => writeMeta(this.db, 'compact_revision', revision));
      this.boundary = revision;
    }
    let deleted = 0;
    while (this.through < this.boundary && !this.stopped) {
      const lo = this.through;
      const hi = Math.min(lo + BATCH_REVISIONS, this.boundary);
      this.transaction(() => {
        deleted += Number(this.deleteBatch.run(lo, hi, lo, hi).changes);
        writeMeta(this.db, 'compacted_through', hi);
      });
      this.through = hi;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.stopped) return;
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    this.logger.info('Compacted store history', {
      revision: this.boundary,
      deletedRows: deleted,
      elapsedMs: Math.round(performance.now() - started),
    });
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }
}
