/**
 * The shared watch feeds (one per resource, started on first use) and the
 * open watch streams: periodic BOOKMARKs go to every stream that asked for
 * them, and shutdown ends every stream before the store closes.
 */
import type { Logger } from '../../api/log.ts';
import { storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { Store } from '../../store/store.ts';
import { ResourceFeed } from './resource-feed.ts';
import type { Watcher } from './watcher.ts';

export interface FeedRegistryOptions {
  /** How often BOOKMARKs are sent (Kubernetes sends one about every minute). */
  bookmarkIntervalMs?: number;
  /** Events each feed keeps for watches that start in the recent past. */
  bufferSize?: number;
}

interface Tracked {
  watcher: Watcher;
  /** The revision up to which the watcher has been sent every event. */
  progress: () => number;
}

export class FeedRegistry {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly bufferSize: number;
  private readonly feeds = new Map<string, ResourceFeed>();
  private readonly watchers = new Set<Tracked>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(store: Store, log: Logger, opts: FeedRegistryOptions = {}) {
    this.store = store;
    this.log = log;
    this.bufferSize = opts.bufferSize ?? 1000;
    this.timer = setInterval(() => this.sendBookmarks(), opts.bookmarkIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** The feed of a resource, started on first use. Await `feed.ready` before subscribing. */
  feed(r: ResourceInfo): ResourceFeed {
    const prefix = storageKey(r);
    let f = this.feeds.get(prefix);
    if (!f) {
      f = new ResourceFeed(this.store, prefix, this.log, this.bufferSize);
      // A feed that fails to start is dropped so the next watch tries again.
      f.ready.catch(() => this.feeds.delete(prefix));
      this.feeds.set(prefix, f);
    }
    return f;
  }

  /** Registers an open stream; returns the function that unregisters it. */
  track(watcher: Watcher, progress: () => number): () => void {
    const t = { watcher, progress };
    this.watchers.add(t);
    return () => this.watchers.delete(t);
  }

  /** Number of open watch streams. */
  get openWatches(): number {
    return this.watchers.size;
  }

  /** Sends a BOOKMARK to every stream now (also called by the timer). */
  sendBookmarks(): void {
    for (const t of this.watchers) t.watcher.bookmark(t.progress());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends every stream and stops every feed. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const t of [...this.watchers]) t.watcher.end();
    this.watchers.clear();
    for (const f of this.feeds.values()) f.close();
    this.feeds.clear();
  }
}
