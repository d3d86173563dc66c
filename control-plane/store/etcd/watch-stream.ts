/**
 * One etcd watch on a key prefix that outlives broken connections.
 *
 * `start(from)` opens an etcd Watch stream for events after `from` (with
 * each event's previous value) and hands them over one revision at a time.
 * When the stream breaks (a member killed, a connection reset), it retries
 * with backoff on whichever endpoint answers, resuming after the revision
 * its owner says it has everything up to (`resumeFrom`), so nothing is lost
 * or repeated. Before resuming it checks that revision is still in etcd's
 * history; if not, or if etcd reports the start compacted, the owner hears
 * `onCompacted`. After RECONNECT_GIVE_UP_MS without a working stream it
 * stops and reports 'Unavailable' through `onFatal`.
 *
 * Not covered: a member cut off from its cluster but still up keeps the
 * stream open with no events until the cut heals (etcd3 for node cannot
 * send clientv3's "require leader" metadata on streams).
 */
import type { IEvent, IDuplexStream, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import type { Logger } from '../../api/log.ts';
import { StoreError } from '../errors.ts';
import type { WatchEvent } from '../store.ts';
import { eventRevision } from '../watch-hub.ts';
import { messageOf, unavailable } from './etcd-errors.ts';
import type { KeySpace } from './etcd-keys.ts';

/** How long a broken watch stream is retried before it ends with 'Unavailable'. */
export const RECONNECT_GIVE_UP_MS = 30_000;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 2_000;

export interface StreamOptions {
  prefix: string;
  keys: KeySpace;
  watchClient: WatchClient;
  endpoints: readonly string[];
  log: Logger;
  /** The compacted revision when events after `revision` are gone, else undefined. */
  compactedAbove: (revision: number) => Promise<number | undefined>;
}

export interface StreamHandlers {
  /** The events of one revision (one etcd transaction), in order. */
  onRevision(events: WatchEvent[], revision: number): void;
  /** etcd's history is compacted up to `compacted`, past where the stream had to start. */
  onCompacted(compacted: number): void;
  /** The revision to resume after, following a failure; undefined stops the stream. */
  resumeFrom(): number | undefined;
  /** The stream cannot go on (etcd unreachable too long, or an event it cannot convert). */
  onFatal(err: StoreError): void;
}

type Duplex = IDuplexStream<IWatchRequest, IWatchResponse>;

export class WatchStream {
  private readonly o: StreamOptions;
  private readonly h: StreamHandlers;
  private stream: Duplex | undefined;
  // Bumped whenever a stream is dropped: responses of older streams are ignored.
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(opts: StreamOptions, handlers: StreamHandlers) {
    this.o = opts;
    this.h = handlers;
  }

  /** (Re)starts the etcd watch for events after `from`, dropping the current stream. */
  start(from: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drop();
    void this.open(this.generation, from);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.drop();
  }

  private async open(gen: number, from: number): Promise<void> {
    try {
      const stream = await this.o.watchClient.watch();
      if (gen !== this.generation || this.stopped) {
        cancel(stream);
        return;
      }
      this.stream = stream;
      stream.on('data', (res) => this.onResponse(gen, from, res));
      stream.on('error', (err) => this.onFailure(gen, err));
      stream.on('end', () => this.onFailure(gen, new Error('etcd closed the watch stream')));
      stream.write({
        create_request: {
          key: this.o.keys.toEtcd(this.o.prefix),
          range_end: this.o.keys.rangeEnd(this.o.prefix),
          start_revision: from + 1,
          prev_kv: true,
        },
      });
    } catch (err) {
      this.onFailure(gen, err);
    }
  }

  private onResponse(gen: number, from: number, res: IWatchResponse): void {
    if (gen !== this.generation || this.stopped) return;
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      if (compacted > 0) return this.h.onCompacted(compacted);
      return this.onFailure(gen, new Error(`etcd canceled the watch: ${res.cancel_reason}`));
    }
    if (res.created) {
      if (this.failingSince !== undefined) {
        this.o.log.info('Resumed etcd watch', { prefix: this.o.prefix, fromRevision: from });
      }
      this.failingSince = undefined;
      this.attempts = 0;
    }
    this.deliver(gen, res.events);
  }

  /** Hands over one response's events grouped by revision. */
  private deliver(gen: number, raw: IEvent[]): void {
    let group: WatchEvent[] = [];
    let revision = 0;
    for (const e of raw) {
      const ev = this.toEvent(e);
      if (ev === undefined) return;
      const rev = eventRevision(ev);
      if (group.length > 0 && rev !== revision) {
        this.h.onRevision(group, revision);
        if (gen !== this.generation) return; // the owner restarted or stopped the stream
        group = [];
      }
      group.push(ev);
      revision = rev;
    }
    if (group.length > 0) this.h.onRevision(group, revision);
  }

  private toEvent(e: IEvent): WatchEvent | undefined {
    const kv = this.o.keys.toKeyValue(e.kv);
    // proto-loader leaves an absent prev_kv null, whatever the typings say.
    const prev = e.prev_kv ? this.o.keys.toKeyValue(e.prev_kv) : undefined;
    if (String(e.type).toUpperCase() !== 'DELETE') {
      return prev ? { type: 'put', kv, prev } : { type: 'put', kv };
    }
    if (prev) return { type: 'delete', key: kv.key, revision: kv.modRevision, prev };
    // etcd could not supply the deleted value (its history is gone): a
    // watcher cannot be told correctly what was deleted, so it relists.
    this.stop();
    this.h.onFatal(
      new StoreError(
        'Compacted',
        `etcd sent the delete of ${kv.key} at revision ${kv.modRevision} without its previous value; list again and watch from the list's revision`,
        { revision: kv.modRevision },
      ),
    );
    return undefined;
  }

  private onFailure(gen: number, err: unknown): void {
    if (gen !== this.generation || this.stopped) return;
    this.drop();
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.failingSince >= RECONNECT_GIVE_UP_MS) {
      this.o.log.error('Gave up on etcd watch', { prefix: this.o.prefix, err: messageOf(err) });
      this.stop();
      const what = `keep the watch on ${this.o.prefix} going (tried for ${RECONNECT_GIVE_UP_MS / 1000} s)`;
      return this.h.onFatal(unavailable(what, this.o.endpoints, err));
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempts++);
    this.o.log.warn('etcd watch stream broke; resuming', {
      prefix: this.o.prefix,
      retryInMs: delay,
      err: messageOf(err),
    });
    const next = this.generation;
    this.timer = setTimeout(() => void this.resume(next), delay);
  }

  /** After a failure: check the resume point is still in etcd's history, then reopen. */
  private async resume(gen: number): Promise<void> {
    this.timer = undefined;
    if (gen !== this.generation || this.stopped) return;
    const from = this.h.resumeFrom();
    if (from === undefined) return this.stop();
    try {
      const compacted = await this.o.compactedAbove(from);
      if (gen !== this.generation || this.stopped) return;
      if (compacted !== undefined) return this.h.onCompacted(compacted);
    } catch (err) {
      return this.onFailure(gen, err);
    }
    this.start(from);
  }

  private drop(): void {
    this.generation++;
    if (this.stream) cancel(this.stream);
    this.stream = undefined;
  }
}

/**
 * Ends a stream. etcd keeps a half-closed watch stream open, so it is also
 * cancelled; ending it first makes it unwritable, which keeps etcd3 from
 * taking the cancellation for a failed host and resetting its connections.
 */
function cancel(stream: Duplex): void {
  stream.end();
  stream.cancel();
}
