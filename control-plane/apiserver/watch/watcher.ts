/**
 * One client's watch stream: newline-delimited `{"type","object"}` JSON on
 * a chunked response. Applies the client's namespace and selectors the way
 * the Kubernetes watch cache does (an object that starts matching arrives
 * as ADDED, one that stops matching as DELETED with its previous state),
 * renders Table / PartialObjectMetadata when asked, sends BOOKMARKs, and
 * ends a client that cannot keep up instead of buffering without bound.
 */
import type { ServerResponse } from 'node:http';
import type { ApiError } from '../../api/errors.ts';
import { groupVersion, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject, WatchEventType } from '../../api/types.ts';
import { partialMetadata, type OutputFormat } from '../negotiate.ts';
import { matchesFilter, type ObjectFilter } from '../registry/filters.ts';
import type { FeedEvent } from './feed-event.ts';
import type { FeedSubscriber } from './resource-feed.ts';

/** Renders one object as a one-row Table (wired to the tables module by the caller). */
export type TableRenderer = (obj: KubeObject) => unknown;

export interface WatcherOptions {
  res: ServerResponse;
  r: ResourceInfo;
  /** Store key prefix of the watched scope (a namespace or the whole resource). */
  keyPrefix: string;
  filter: ObjectFilter;
  format: OutputFormat;
  renderTable: TableRenderer;
  bookmarks: boolean;
  /** Bytes a client may leave unread before it is cut off. */
  maxBufferedBytes: number;
  /** Counts a sent event (metrics). */
  onSent(type: WatchEventType): void;
  /** Called once when the stream ends, for any reason. */
  onEnd(): void;
}

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export class Watcher implements FeedSubscriber {
  /** Events at or below this revision are already reflected (initial list or the requested rv). */
  since: number;
  private readonly o: WatcherOptions;
  private lastRev = 0;
  private paused: FeedEvent[] | undefined;
  private ended = false;

  constructor(o: WatcherOptions, since: number) {
    this.o = o;
    this.since = since;
    this.lastRev = since;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Queues events until `sendInitial` (the initial list is being read). */
  pause(): void {
    this.paused ??= [];
  }

  /** Sends ADDED for each object of the initial state read at `revision`, then what was queued. */
  sendInitial(objects: readonly KubeObject[], revision: number): void {
    for (const obj of objects) this.write('ADDED', obj, undefined);
    this.since = Math.max(this.since, revision);
    this.lastRev = Math.max(this.lastRev, revision);
    const queued = this.paused ?? [];
    this.paused = undefined;
    for (const ev of queued) this.handle(ev);
  }

  onEvent(ev: FeedEvent): void {
    if (this.ended) return;
    if (this.paused) this.paused.push(ev);
    else this.handle(ev);
  }

  onError(err: ApiError): void {
    this.fail(err);
  }

  /** Sends a BOOKMARK at `progress` (or later, never earlier than what was sent). */
  bookmark(progress: number, initialEventsEnd = false): void {
    if (this.ended || this.paused || !this.o.bookmarks) return;
    const rev = Math.max(progress, this.lastRev);
    this.lastRev = rev;
    const obj = {
      kind: this.o.r.kind,
      apiVersion: groupVersion(this.o.r),
      metadata: {
        resourceVersion: String(rev),
        ...(initialEventsEnd ? { annotations: { [INITIAL_EVENTS_END]: 'true' } } : {}),
      },
    };
    this.send('BOOKMARK', JSON.stringify(obj));
  }

  /** Sends an ERROR event with the Status and ends the stream. */
  fail(err: ApiError): void {
    if (this.ended) return;
    this.send('ERROR', JSON.stringify(err.toStatus()));
    this.end();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.paused = undefined;
    if (!this.o.res.destroyed) this.o.res.end();
    this.o.onEnd();
  }

  private handle(ev: FeedEvent): void {
    if (ev.revision <= this.since || !ev.key.startsWith(this.o.keyPrefix)) return;
    this.lastRev = ev.revision;
    const f = this.o.filter;
    if (!f.selective) {
      this.write(ev.type, undefined, ev);
      return;
    }
    if (ev.type === 'DELETED') {
      if (matchesFilter(f, ev.object)) this.write('DELETED', undefined, ev);
      return;
    }
    const now = matchesFilter(f, ev.object);
    const prev = ev.type === 'ADDED' ? undefined : ev.prev;
    const before = prev === undefined ? ev.type === 'MODIFIED' && now : matchesFilter(f, prev);
    if (now && before) this.write('MODIFIED', undefined, ev);
    else if (now) this.write('ADDED', ev.object, undefined);
    else if (before) this.write('DELETED', ev.prevAsOf(), undefined, ev);
  }

  /** Writes an event for `obj`, or for the feed event's object (shared JSON). */
  private write(
    type: WatchEventType,
    obj: KubeObject | undefined,
    ev: FeedEvent | undefined,
    prevOf?: FeedEvent,
  ): void {
    const fmt = this.o.format;
    if (fmt.kind === 'object') {
      const json = prevOf ? prevOf.prevAsOfJson() : ev ? ev.objectJson() : JSON.stringify(obj);
      this.send(type, json);
      return;
    }
    const target = obj ?? (ev as FeedEvent).object;
    const rendered =
      fmt.kind === 'table' ? this.o.renderTable(target) : partialMetadata(target, fmt.version);
    this.send(type, JSON.stringify(rendered));
  }

  private send(type: WatchEventType, objectJson: string): void {
    const res = this.o.res;
    if (this.ended || res.destroyed) return;
    res.write(`{"type":"${type}","object":${objectJson}}\n`);
    this.o.onSent(type);
    if (res.writableLength > this.o.maxBufferedBytes) {
      // The client reads slower than events arrive: cut it off; it will relist and watch again.
      this.ended = true;
      res.destroy();
      this.o.onEnd();
    }
  }
}
