/**
 * Fan-out of one ordered event feed to many watchers, shared by the
 * backends: a backend publishes each committed event once, in revision order,
 * and every subscribed watcher whose prefix matches gets it.
 *
 * Each watcher has a bounded queue. A watcher that falls more than `maxLag`
 * events behind is ended with StoreError 'TooSlow' (the client relists and
 * watches again) instead of growing memory without bound, as kine's
 * broadcaster drops slow subscribers.
 */
import { StoreError } from './errors.ts';
import type { Watch, WatchEvent } from './store.ts';

/** Default bound on a watcher's queue. */
export const DEFAULT_MAX_LAG = 10_000;

export function eventKey(ev: WatchEvent): string {
  return ev.type === 'put' ? ev.kv.key : ev.key;
}

export function eventRevision(ev: WatchEvent): number {
  return ev.type === 'put' ? ev.kv.modRevision : ev.revision;
}

/** A bounded async queue of events that is also the `Watch` handed to callers. */
export class WatchQueue implements Watch {
  readonly prefix: string;
  private readonly maxLag: number;
  private readonly buffer: WatchEvent[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  private ended = false;
  private error: StoreError | undefined;
  private readonly onClose: (q: WatchQueue) => void;

  constructor(prefix: string, maxLag: number, onClose: (q: WatchQueue) => void) {
    this.prefix = prefix;
    this.maxLag = maxLag;
    this.onClose = onClose;
  }

  /** Queues one event; ends the watch with 'TooSlow' when the queue is full. */
  push(ev: WatchEvent): void {
    if (this.ended) return;
    if (this.buffer.length - this.head >= this.maxLag) {
      this.fail(
        new StoreError(
          'TooSlow',
          `watcher on ${this.prefix} fell more than ${this.maxLag} events behind and was ended; list again and watch from the list's revision`,
        ),
      );
      return;
    }
    this.buffer.push(ev);
    this.wake();
  }

  /** Ends the watch with an error that iteration rethrows after queued events. */
  fail(err: StoreError): void {
    if (this.ended) return;
    this.error = err;
    this.finish();
  }

  close(): void {
    if (this.ended) return;
    this.finish();
  }

  get closed(): boolean {
    return this.ended;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    try {
      for (;;) {
        if (this.head < this.buffer.length) {
          const ev = this.buffer[this.head++] as WatchEvent;
          // Drop consumed entries now and then so the array does not grow forever.
          if (this.head > 1024 && this.head * 2 > this.buffer.length) {
            this.buffer.splice(0, this.head);
            this.head = 0;
          }
          yield ev;
          continue;
        }
        if (this.ended) {
          if (this.error) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      this.close();
    }
  }

  private finish(): void {
    this.ended = true;
    this.onClose(this);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/** Many watchers, one feed. Publishing is O(watchers) per event. */
export class Broadcaster {
  private readonly watchers = new Set<WatchQueue>();
  private readonly maxLag: number;

  constructor(maxLag = DEFAULT_MAX_LAG) {
    this.maxLag = maxLag;
  }

  subscribe(prefix: string, onClose?: () => void): WatchQueue {
    const q = new WatchQueue(prefix, this.maxLag, (queue) => {
      this.watchers.delete(queue);
      onClose?.();
    });
    this.watchers.add(q);
    return q;
  }

  /** Delivers events, already in revision order, to every matching watcher. */
  publish(events: readonly WatchEvent[]): void {
    for (const ev of events) {
      const key = eventKey(ev);
      for (const w of this.watchers) if (key.startsWith(w.prefix)) w.push(ev);
    }
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Ends every watcher, with `err` when given (for example 'Closed'). */
  closeAll(err?: StoreError): void {
    for (const w of [...this.watchers]) {
      if (err) w.fail(err);
      else w.close();
    }
  }
}
