/**
 * A watch that starts on a private queue and later moves to a shared one.
 * A watcher that joins a feed behind (older history) or ahead (a revision
 * the feed has not reached) of the feed's live position gets its events on
 * its own queue until it stands exactly where the live watchers stand; then
 * the feed hands it a queue of the shared Broadcaster and it reads on from
 * there. Events never go to both queues, so nothing is lost or repeated.
 */
import type { StoreError } from '../errors.ts';
import type { Watch, WatchEvent } from '../store.ts';
import { WatchQueue } from '../watch-hub.ts';

export class HandoffWatch implements Watch {
  /** Every event up to this revision has been queued (or was not wanted). */
  seen: number;
  private readonly first: WatchQueue;
  private second: WatchQueue | undefined;
  private closedByCaller = false;

  /** `onEnd` runs once when the private queue ends (handoff, close or failure). */
  constructor(prefix: string, fromRevision: number, maxLag: number, onEnd: () => void) {
    this.seen = fromRevision;
    this.first = new WatchQueue(prefix, maxLag, onEnd);
  }

  /** True while the watcher still reads from its private queue. */
  get catchingUp(): boolean {
    return !this.first.closed;
  }

  /** Queues events of one revision on the private queue. */
  push(events: readonly WatchEvent[], revision: number): void {
    for (const ev of events) this.first.push(ev);
    this.seen = revision;
  }

  /** Moves the watcher to `live` (a Broadcaster queue); later events come from there. */
  handOff(live: WatchQueue): void {
    if (this.closedByCaller) {
      live.close();
      return;
    }
    this.second = live;
    this.first.close();
  }

  fail(err: StoreError): void {
    this.first.fail(err);
    this.second?.fail(err);
  }

  close(): void {
    this.closedByCaller = true;
    this.first.close();
    this.second?.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    try {
      // The private queue ends normally on handoff or close, and throws if it failed.
      yield* this.first;
      if (this.second && !this.closedByCaller) yield* this.second;
    } finally {
      // A reader that stops early must not leave the shared queue subscribed.
      this.close();
    }
  }
}
