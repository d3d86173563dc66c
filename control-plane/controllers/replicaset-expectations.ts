/**
 * Expectations, as Kubernetes' UIDTrackingControllerExpectations: after a
 * controller creates or deletes pods it records what it expects to see,
 * and skips managing replicas until the informer has observed all of it
 * (or 5 minutes passed), so a reconcile that runs before the cache caught
 * up does not create or delete the same pods again.
 *
 * Creations are counted (the pod names are not known before the server
 * generates them); deletions are tracked by pod key, so a deletion seen
 * twice (update with deletionTimestamp, then delete) counts once.
 */
import { realClock, type Clock } from './runtime/clock.ts';

/** ExpectationsTimeout: after this long unmet expectations no longer block syncs. */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  deletes: Set<string>;
  setAt: number;
}

export class Expectations {
  private readonly byOwner = new Map<string, Expectation>();
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(opts: { clock?: Clock; ttlMs?: number } = {}) {
    this.clock = opts.clock ?? realClock;
    this.ttlMs = opts.ttlMs ?? EXPECTATIONS_TTL_MS;
  }

  /** True when the owner may sync: nothing pending, everything observed, or expired. */
  satisfied(owner: string): boolean {
    const e = this.byOwner.get(owner);
    if (!e) return true;
    if (e.add <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.setAt > this.ttlMs;
  }

  /** Records `count` pod creations about to be issued (replaces earlier expectations). */
  expectCreations(owner: string, count: number): void {
    this.byOwner.set(owner, { add: count, deletes: new Set(), setAt: this.clock.now() });
  }

  /** Records deletions of the pods with these keys about to be issued. */
  expectDeletions(owner: string, podKeys: readonly string[]): void {
    this.byOwner.set(owner, { add: 0, deletes: new Set(podKeys), setAt: this.clock.now() });
  }

  /** One creation seen by the informer, or one that failed and will never be seen. */
  creationObserved(owner: string): void {
    const e = this.byOwner.get(owner);
    if (e && e.add > 0) e.add--;
  }

  /** The deletion of `podKey` seen (or failed); a key not expected is ignored. */
  deletionObserved(owner: string, podKey: string): void {
    this.byOwner.get(owner)?.deletes.delete(podKey);
  }

  /** Forgets the owner (it was deleted). */
  delete(owner: string): void {
    this.byOwner.delete(owner);
  }

  /** Pending creations and deletions, for logs and tests. */
  pending(owner: string): { add: number; del: number } | undefined {
    const e = this.byOwner.get(owner);
    return e && { add: e.add, del: e.deletes.size };
  }
}
