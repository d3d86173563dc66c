/**
 * One watcher of the SQLite store: first the history rows after
 * `fromRevision` up to the revision current when the watch began (read in
 * pages as the consumer goes), then the live events the broadcaster queued
 * for it since that moment. The queue is subscribed in the same
 * synchronous step that fixes that revision, and every commit publishes
 * synchronously, so the two parts meet with no gap and no duplicate.
 */
import { StoreError } from '../errors.ts';
import type { Watch, WatchEvent } from '../store.ts';
import { eventRevision, type WatchQueue } from '../watch-hub.ts';

/** History rows read per page; a slow consumer holds at most this many. */
const HISTORY_PAGE = 1000;

export interface HistorySource {
  /** History events under the prefix with after < revision <= upTo, oldest first. */
  read(after: number, upTo: number, limit: number): WatchEvent[];
  /** The oldest readable revision now (compaction may advance it between pages). */
  compactedRevision(): number;
}

export class SqliteWatch implements Watch {
  private readonly live: WatchQueue;
  private readonly source: HistorySource;
  private readonly from: number;
  private readonly snapshot: number;
  private iterator: AsyncGenerator<WatchEvent> | undefined;

  /**
   * `live` must have been subscribed when `snapshot` was the newest
   * revision, with nothing committed in between.
   */
  constructor(live: WatchQueue, source: HistorySource, from: number, snapshot: number) {
    this.live = live;
    this.source = source;
    this.from = from;
    this.snapshot = snapshot;
  }

  close(): void {
    this.live.close();
  }

  /** Every call returns the same iterator: a watch is one stream, read once. */
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    this.iterator ??= this.events();
    return this.iterator;
  }

  private async *events(): AsyncGenerator<WatchEvent> {
    try {
      let cursor = this.from;
      while (cursor < this.snapshot && !this.live.closed) {
        const compacted = this.source.compactedRevision();
        if (compacted > cursor) {
          // Compaction overtook a slow history reader: the rest is gone.
          this.live.fail(
            new StoreError(
              'Compacted',
              `watch history after revision ${cursor} was compacted (now at ${compacted}); list again and watch from the list's revision`,
              { revision: compacted },
            ),
          );
          break;
        }
        const page = this.source.read(cursor, this.snapshot, HISTORY_PAGE);
        for (const ev of page) {
          if (this.live.closed) break;
          yield ev;
        }
        const last = page.at(-1);
        if (page.length < HISTORY_PAGE || last === undefined) break;
        cursor = eventRevision(last);
      }
      // Live events (or the error that ended the watch, such as 'Closed').
      // A watch from a future revision skips events up to it.
      for await (const ev of this.live) if (eventRevision(ev) > this.from) yield ev;
    } finally {
      this.live.close();
    }
  }
}
