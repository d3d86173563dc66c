/**
 * Expectations of creations and deletions held side by side, so one pass
 * may issue both (a DaemonSet creating pods on new nodes while deleting
 * misscheduled ones): the owner is synced again only when the cache has
 * shown every expected creation and every expected deletion (or the
 * expectations expired). Built on the ReplicaSet controller's Expectations.
 */
import { Expectations } from '../replicaset-expectations.ts';
import type { Clock } from '../runtime/clock.ts';

/** Pending creations and deletions per owner key ("namespace/name"). */
export class WriteExpectations {
  private readonly creates: Expectations;
  private readonly deletes: Expectations;

  constructor(opts: { clock?: Clock; ttlMs?: number } = {}) {
    this.creates = new Expectations(opts);
    this.deletes = new Expectations(opts);
  }

  /** True when both the creations and the deletions of `owner` were observed (or expired). */
  satisfied(owner: string): boolean {
    return this.creates.satisfied(owner) && this.deletes.satisfied(owner);
  }

  /** Records `count` creations about to be issued. */
  expectCreations(owner: string, count: number): void {
    this.creates.expectCreations(owner, count);
  }

  /** Records the deletions of these pod keys about to be issued. */
  expectDeletions(owner: string, podKeys: readonly string[]): void {
    this.deletes.expectDeletions(owner, podKeys);
  }

  /** One creation seen by the informer (or failed). */
  creationObserved(owner: string): void {
    this.creates.creationObserved(owner);
  }

  /** The deletion of `podKey` seen (or failed). */
  deletionObserved(owner: string, podKey: string): void {
    this.deletes.deletionObserved(owner, podKey);
  }

  /** Forgets the owner (it was deleted). */
  delete(owner: string): void {
    this.creates.delete(owner);
    this.deletes.delete(owner);
  }
}
