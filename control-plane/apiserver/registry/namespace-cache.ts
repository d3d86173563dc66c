/**
 * An in-memory view of which namespaces accept new content, kept by the
 * server's shared namespaces watch feed (the informer Kubernetes'
 * NamespaceLifecycle admission reads), so a create does not read its
 * namespace from the store.
 *
 * The view only ever says "yes, accepted": a namespace it does not know,
 * or knows as terminating, is looked up in the store by the caller, as
 * Kubernetes does a live lookup on a cache miss. It says yes only once it
 * has applied every namespace write this server acknowledged (reported
 * through `noteWrite`), so a create right after this server deleted the
 * namespace is refused, not admitted from a stale view. Writes made
 * through another API server arrive with the watch's delay, as in
 * Kubernetes.
 */
import type { Logger } from '../../api/log.ts';
import { findResource, storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Store } from '../../store/store.ts';
import type { FeedEvent } from '../watch/feed-event.ts';
import type { FeedRegistry } from '../watch/feed-registry.ts';
import type { FeedSubscriber } from '../watch/resource-feed.ts';
import { decodeKv } from './codec.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const PREFIX = storageKey(NAMESPACES);
/** Delay before a lost or failed view is rebuilt. */
const RESYNC_MS = 1_000;

/** The namespace view; `acceptsContent` is the only question it answers. */
export class NamespaceCache {
  private readonly log: Logger;
  private store: Store | undefined;
  private feeds: FeedRegistry | undefined;
  /** name → accepts new content (exists and is not terminating). */
  private accepting = new Map<string, boolean>();
  private synced = false;
  /** Every namespace event up to this revision is applied. */
  private revision = 0;
  /** The newest namespace write this server acknowledged. */
  private localWrite = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(log: Logger) {
    this.log = log;
  }

  /**
   * Builds the view from `store` (list, then the namespaces feed from the
   * list's revision) and rebuilds it whenever it is lost.
   */
  start(store: Store, feeds: FeedRegistry): void {
    this.store = store;
    this.feeds = feeds;
    void this.sync();
  }

  /** Stops rebuilding; the view answers "ask the store" from now on. */
  close(): void {
    this.closed = true;
    this.synced = false;
    clearTimeout(this.timer);
  }

  /** Records a write this server stored at `revision` (every key; namespaces' count). */
  noteWrite(key: string, revision: number): void {
    if (revision > this.localWrite && key.startsWith(PREFIX)) this.localWrite = revision;
  }

  /**
   * True when `name` is known to exist and accept new content, with every
   * namespace write this server acknowledged applied. False means "not
   * known": the caller reads the store.
   */
  acceptsContent(name: string): boolean {
    return this.synced && this.revision >= this.localWrite && this.accepting.get(name) === true;
  }

  private async sync(): Promise<void> {
    const { store, feeds } = this;
    if (this.closed || !store || !feeds) return;
    try {
      const feed = feeds.feed(NAMESPACES);
      await feed.ready;
      const list = await store.list(PREFIX);
      if (this.closed) return;
      const accepting = new Map<string, boolean>();
      for (const kv of list.items) accepting.set(nameOf(kv.key), accepts(decodeKv(kv)));
      this.accepting = accepting;
      this.revision = list.revision;
      const sub: FeedSubscriber = {
        onEvent: (ev) => this.apply(ev),
        onError: (err) => this.lost(err),
      };
      // Replays the feed's events after the list, so nothing falls between the two.
      if (!feed.subscribe(list.revision, sub)) throw new Error('the feed moved past the list');
      this.synced = true;
    } catch (err) {
      this.lost(err);
    }
  }

  private apply(ev: FeedEvent): void {
    const name = nameOf(ev.key);
    if (ev.type === 'DELETED') this.accepting.delete(name);
    else this.accepting.set(name, accepts(ev.object));
    this.revision = ev.revision;
  }

  private lost(err: unknown): void {
    this.synced = false;
    if (this.closed) return;
    this.log.warn('Namespace view lost; rebuilding it (creates read namespaces from the store)', {
      err: err as Error,
    });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), RESYNC_MS);
    this.timer.unref();
  }
}

function nameOf(key: string): string {
  return key.slice(PREFIX.length);
}

// The NamespaceLifecycle rule: no new content in a namespace being deleted.
function accepts(ns: KubeObject): boolean {
  const phase = (ns.status as { phase?: unknown } | undefined)?.phase;
  return !ns.metadata.deletionTimestamp && phase !== 'Terminating';
}
