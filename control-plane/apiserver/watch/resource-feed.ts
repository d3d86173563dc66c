/**
 * One store watch per resource, shared by every watcher of that resource
 * (Kubernetes' watch cache, without the object cache): events are decoded
 * once, kept in a ring buffer for watchers that start slightly in the
 * past, and handed synchronously, in revision order, to each subscriber.
 *
 * If the store watch breaks, the feed resumes from the last revision it
 * delivered, so subscribers see no gap; when that history is compacted
 * away, subscribers get a 410 Expired error and the feed restarts at the
 * current revision.
 */
import { ApiError } from '../../api/errors.ts';
import type { Logger } from '../../api/log.ts';
import { isStoreError } from '../../store/errors.ts';
import type { Store, Watch } from '../../store/store.ts';
import { FeedEvent } from './feed-event.ts';

/** A watcher attached to a feed. Both calls happen synchronously in revision order. */
export interface FeedSubscriber {
  onEvent(ev: FeedEvent): void;
  /** The feed cannot continue this subscriber (410 Expired, 503 closed). */
  onError(err: ApiError): void;
}

const RETRY_MS = [50, 200, 1000, 2000];

export class ResourceFeed {
  readonly prefix: string;
  /** Resolves once the store watch is established. */
  readonly ready: Promise<void>;
  private readonly store: Store;
  private readonly log: Logger;
  private readonly bufferSize: number;
  private readonly buffer: FeedEvent[] = [];
  private readonly subscribers = new Set<FeedSubscriber>();
  /** Every event with a revision above `floor` is in the buffer or still to come. */
  private floor = 0;
  /** Every event up to `progressRev` has been delivered. */
  private progressRev = 0;
  private watch: Watch | undefined;
  private closed = false;

  constructor(store: Store, prefix: string, log: Logger, bufferSize = 1000) {
    this.store = store;
    this.prefix = prefix;
    this.log = log;
    this.bufferSize = bufferSize;
    this.ready = this.open(undefined).then(() => void this.pump());
  }

  /** The revision up to which this feed has delivered every event (for bookmarks). */
  progress(): number {
    return this.progressRev;
  }

  /**
   * Attaches `sub` and replays buffered events after `fromRev`. Returns false
   * (attaching nothing) when events after `fromRev` are no longer buffered;
   * the caller then watches the store from `fromRev` itself.
   */
  subscribe(fromRev: number, sub: FeedSubscriber): boolean {
    if (fromRev < this.floor || this.closed) return false;
    for (const ev of this.buffer) if (ev.revision > fromRev) sub.onEvent(ev);
    this.subscribers.add(sub);
    return true;
  }

  unsubscribe(sub: FeedSubscriber): void {
    this.subscribers.delete(sub);
  }

  get size(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.closed = true;
    this.watch?.close();
  }

  /** Opens the store watch after `from` (the current revision when undefined). */
  private async open(from: number | undefined): Promise<void> {
    const start = from ?? (await this.store.currentRevision());
    this.watch = await this.store.watch(this.prefix, start);
    if (from === undefined) {
      this.floor = start;
      this.progressRev = start;
    }
  }

  private async pump(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        for await (const raw of this.watch as Watch) {
          this.deliver(new FeedEvent(raw));
          failures = 0;
        }
        if (this.closed) return;
        this.log.warn('Watch feed ended; resuming', {
          prefix: this.prefix,
          from: this.progressRev,
        });
      } catch (err) {
        if (this.closed || this.endedByStore(err)) return;
        this.log.warn('Watch feed broke; resuming', {
          prefix: this.prefix,
          from: this.progressRev,
          err: err as Error,
        });
      }
      // Reopen with backoff until it works or the feed is closed.
      while (!this.closed) {
        await sleep(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] as number);
        try {
          await this.resume();
          break;
        } catch (err) {
          if (this.endedByStore(err)) return;
          this.log.warn('Watch feed could not resume', { prefix: this.prefix, err: err as Error });
        }
      }
    }
  }

  /** True (after failing every subscriber) when the store itself closed. */
  private endedByStore(err: unknown): boolean {
    if (!isStoreError(err, 'Closed')) return false;
    this.closed = true;
    this.failAll(
      new ApiError('ServiceUnavailable', 'the cluster store closed; the server is shutting down'),
    );
    return true;
  }

  private async resume(): Promise<void> {
    try {
      await this.open(this.progressRev);
    } catch (err) {
      if (!isStoreError(err, 'Compacted')) throw err;
      // The history we missed is gone: every subscriber must relist.
      const compacted = err.revision ?? 0;
      this.failAll(ApiError.gone(`too old resource version: ${this.progressRev} (${compacted})`));
      this.buffer.length = 0;
      await this.open(undefined);
    }
  }

  private deliver(ev: FeedEvent): void {
    this.buffer.push(ev);
    if (this.buffer.length > this.bufferSize) {
      const dropped = this.buffer.shift() as FeedEvent;
      this.floor = dropped.revision;
    }
    this.progressRev = ev.revision;
    for (const s of this.subscribers) s.onEvent(ev);
  }

  private failAll(err: ApiError): void {
    const subs = [...this.subscribers];
    this.subscribers.clear();
    for (const s of subs) s.onError(err);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
