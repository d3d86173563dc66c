/**
 * Compaction for the etcd backend, and the compacted revision, which etcd
 * does not report directly.
 *
 * Our choice: the revision is found exactly by asking etcd. A range read at
 * revision r fails with "required revision has been compacted" exactly when
 * r is below etcd's compact revision, so the compacted revision is the
 * smallest revision a range can still read. `compactedRevision()` finds it
 * by a binary search of such probes (count-only reads of one key, about
 * log2(revisions) of them), starting from the best known lower bound: what
 * this process compacted and what earlier probes found. That stays right
 * when another API server, etcdctl, or etcd's own --auto-compaction
 * compacts, which a remembered value or a "compact_rev_key" written beside
 * the data (as the Kubernetes API server does) would not see, and it adds
 * no write of its own.
 *
 * Boundary (the same as the SQLite backend's): after compact(C), revision C
 * is still readable, and a watch from C (events after C) is allowed; a
 * watch from any revision below C is 'Compacted'. That is stricter than
 * etcd's own watch check (it accepts a start revision equal to C), which
 * matters: etcd's compaction at C drops a delete made at exactly C.
 */
import type { KVClient } from 'etcd3';
import { StoreError } from '../errors.ts';
import { validateRevision } from '../validate.ts';
import { isCompactedError, isFutureRevisionError, mapEtcdError } from './etcd-errors.ts';

export class Compaction {
  private readonly kv: KVClient;
  private readonly probeKey: Buffer;
  private readonly endpoints: readonly string[];
  // The highest compact revision known so far: a lower bound of etcd's.
  private known = 0;

  constructor(kv: KVClient, probeKey: Buffer, endpoints: readonly string[]) {
    this.kv = kv;
    this.probeKey = probeKey;
    this.endpoints = endpoints;
  }

  /** True when a read at `revision` is still possible (not compacted away). */
  async readable(revision: number): Promise<boolean> {
    if (revision <= 0) return true; // "the newest revision" is always readable
    try {
      await this.kv.range({ key: this.probeKey, revision, count_only: true });
      return true;
    } catch (err) {
      if (isCompactedError(err)) return false;
      if (isFutureRevisionError(err)) return true;
      throw mapEtcdError(err, `read at revision ${revision}`, this.endpoints);
    }
  }

  /** The oldest readable revision, 0 when nothing (beyond etcd's first revision) was compacted. */
  async compactedRevision(current: number): Promise<number> {
    let lo = Math.max(this.known, 1);
    if (await this.readable(lo)) return this.note(lo);
    // lo is compacted and `current` is always readable: search (lo, current].
    let hi = Math.max(current, lo + 1);
    for (let steps = 0; lo + 1 < hi && steps < 64; steps++) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readable(mid)) hi = mid;
      else lo = mid;
    }
    return this.note(hi);
  }

  /**
   * Throws 'Compacted' (carrying the compacted revision) unless events after
   * `fromRevision` can still be read: `fromRevision` must not be below the
   * compacted revision. Revision 0 means "from the beginning".
   */
  async checkWatchable(fromRevision: number, what: string, current: () => Promise<number>) {
    const needed = Math.max(fromRevision, 1);
    if (fromRevision < this.known || !(await this.readable(needed))) {
      const compacted = await this.compactedRevision(await current());
      if (fromRevision < compacted) throw compactedError(what, fromRevision, compacted);
    }
  }

  /** The 'Compacted' error for a read of `what` at `revision`. */
  async errorFor(what: string, revision: number, current: number): Promise<StoreError> {
    return compactedError(what, revision, await this.compactedRevision(current));
  }

  /**
   * Compacts etcd's history at `revision` and waits until it is physically
   * done. Compacting at or below an earlier compaction does nothing.
   */
  async compact(revision: number, current: () => Promise<number>): Promise<void> {
    validateRevision(revision, 'compact revision');
    if (revision <= this.known) return;
    try {
      await this.kv.compact({ revision, physical: true });
    } catch (err) {
      // Someone compacted at or past `revision` already: the goal is reached.
      if (isCompactedError(err)) {
        this.note(revision);
        return;
      }
      if (isFutureRevisionError(err)) {
        throw new StoreError(
          'Invalid',
          `cannot compact at revision ${revision}: the store is only at revision ${await current()}`,
        );
      }
      throw mapEtcdError(err, `compact at revision ${revision}`, this.endpoints);
    }
    this.note(revision);
  }

  private note(revision: number): number {
    this.known = Math.max(this.known, revision);
    return revision <= 1 ? 0 : revision;
  }
}

function compactedError(what: string, revision: number, compacted: number): StoreError {
  return new StoreError(
    'Compacted',
    `${what} at revision ${revision} is no longer possible: history up to revision ${compacted} has been compacted; list again and watch from the list's revision`,
    { revision: compacted },
  );
}
