/**
 * One etcd watch per key prefix, shared by every watcher of that prefix.
 *
 * The feed runs one etcd watch (watch-stream.ts) from the lowest revision
 * any of its watchers still needs, and fans events out:
 * - Live watchers (they have every event up to `published`) read from one
 *   Broadcaster (watch-hub.ts); each event is published once, in revision
 *   order, so a watcher that falls behind ends with 'TooSlow' there.
 * - A watcher joining at a revision the feed still holds in `recent` gets
 *   those events replayed and is live at once.
 * - A watcher joining from older history restarts the etcd watch at its
 *   revision; one joining ahead of the feed waits. Both read from a private
 *   queue (HandoffWatch) until they reach `published`, then move to the
 *   Broadcaster. Every consumer takes only events above what it has, so the
 *   restarted stream's repeats go nowhere.
 *
 * After a broken connection the stream resumes after the lowest revision
 * still needed. If etcd compacted that history meanwhile, the watchers that
 * needed it end with 'Compacted' and the others go on.
 */
import { StoreError } from '../errors.ts';
import type { Watch, WatchEvent } from '../store.ts';
import { Broadcaster, eventRevision } from '../watch-hub.ts';
import { HandoffWatch } from './handoff-watch.ts';
import { WatchStream, type StreamOptions } from './watch-stream.ts';

/** Events (at least; up to twice as many) kept for watchers that join a little behind. */
export const RECENT_EVENTS = 1_000;

export interface FeedOptions extends StreamOptions {
  maxLag: number;
  /** Called once when the feed ends (no watcher left, or all failed). */
  onEnd: () => void;
}

export class WatchFeed {
  private readonly o: FeedOptions;
  private readonly hub: Broadcaster;
  private readonly stream: WatchStream;
  /** Every event up to here went to the Broadcaster (what live watchers have). */
  private published: number;
  /** `recent` holds every event in (recentFloor, published], oldest first. */
  private recent: WatchEvent[] = [];
  private recentFloor: number;
  private readonly catchers = new Set<HandoffWatch>();
  /** The stream has delivered every event up to here. */
  private position: number;
  private started = false;
  private ended = false;

  constructor(opts: FeedOptions, fromRevision: number) {
    this.o = opts;
    this.hub = new Broadcaster(opts.maxLag);
    this.published = this.recentFloor = this.position = fromRevision;
    this.stream = new WatchStream(opts, {
      onRevision: (events, revision) => this.deliver(events, revision),
      onCompacted: (compacted) => this.onCompacted(compacted),
      resumeFrom: () => this.resumeFrom(),
      onFatal: (err) => this.failAll(err),
    });
  }

  /** Adds a watcher for events above `fromRevision` (already checked against compaction). */
  join(fromRevision: number): Watch {
    if (this.ended) throw new StoreError('Closed', `watch feed for ${this.o.prefix} has ended`);
    let watch: Watch;
    if (fromRevision >= this.recentFloor && fromRevision <= this.published) {
      const live = this.subscribe();
      for (const ev of this.recent) if (eventRevision(ev) > fromRevision) live.push(ev);
      watch = live;
    } else {
      const catcher: HandoffWatch = new HandoffWatch(
        this.o.prefix,
        fromRevision,
        this.o.maxLag,
        () => {
          this.catchers.delete(catcher);
          this.endIfIdle();
        },
      );
      this.catchers.add(catcher);
      watch = catcher;
      // Older than the stream's position: restart the stream lower.
      if (this.started && fromRevision < this.position) this.restart();
    }
    if (!this.started) {
      this.started = true;
      this.restart();
    }
    return watch;
  }

  /** Ends every watcher with `err` (e.g. 'Closed') and stops the stream. */
  failAll(err: StoreError): void {
    for (const c of [...this.catchers]) c.fail(err);
    this.hub.closeAll(err);
    this.end();
  }

  private subscribe() {
    return this.hub.subscribe(this.o.prefix, () => this.endIfIdle());
  }

  /** The lowest revision any watcher has everything up to, or undefined when none is left. */
  private resumeFrom(): number | undefined {
    let need = this.hub.size > 0 ? this.published : Infinity;
    for (const c of this.catchers) need = Math.min(need, c.seen);
    if (need === Infinity) {
      this.end();
      return undefined;
    }
    if (need > this.published) {
      // No live watcher: skipping ahead is fine, but `recent` must not get a hole.
      this.published = this.recentFloor = need;
      this.recent = [];
      this.handOffCaughtUp();
    }
    this.position = need;
    return need;
  }

  /** Restarts the etcd watch at the resume point. */
  private restart(): void {
    const from = this.resumeFrom();
    if (from !== undefined) this.stream.start(from);
  }

  private deliver(events: WatchEvent[], revision: number): void {
    for (const c of this.catchers) if (revision > c.seen) c.push(events, revision);
    if (revision > this.published) {
      this.hub.publish(events);
      this.recent.push(...events);
      this.published = revision;
      // Trim in chunks, so the copy costs O(1) per event.
      if (this.recent.length >= 2 * RECENT_EVENTS) {
        const drop = this.recent.length - RECENT_EVENTS;
        this.recentFloor = eventRevision(this.recent[drop - 1] as WatchEvent);
        this.recent = this.recent.slice(drop);
      }
    }
    this.position = revision;
    this.handOffCaughtUp();
  }

  /** Moves watchers that have exactly what live watchers have onto the Broadcaster. */
  private handOffCaughtUp(): void {
    for (const c of this.catchers) {
      if (c.seen === this.published) c.handOff(this.subscribe());
    }
  }

  /** History the stream needed is compacted: end those who need it, go on with the rest. */
  private onCompacted(compacted: number): void {
    const err = new StoreError(
      'Compacted',
      `the watch on ${this.o.prefix} lost its connection and could not resume: history up to revision ${compacted} has been compacted; list again and watch from the list's revision`,
      { revision: compacted },
    );
    this.o.log.warn('etcd watch resume hit compaction', { prefix: this.o.prefix, compacted });
    // The strict boundary (as in compaction.ts): events right after `compacted` are safe.
    for (const c of [...this.catchers]) if (c.seen < compacted) c.fail(err);
    if (this.published < compacted) this.hub.closeAll(err);
    if (!this.ended) this.restart();
  }

  private endIfIdle(): void {
    if (!this.ended && this.hub.size === 0 && this.catchers.size === 0) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stream.stop();
    this.o.onEnd();
  }
}
