/**
 * EventRecorder: core/v1 Events about API objects, as client-go's recorder
 * writes them (tools/record/event.go) and `kubectl describe` lists them.
 * `record()` only correlates (event-correlator.ts) and queues; one sender
 * writes the queue in order:
 * - a new event is created as `<object name>.<hex unix nanos>` with count 1;
 * - the same event again (same source, object, type, reason and message)
 *   patches that Event's count and lastTimestamp; records that arrive
 *   before the first is written are merged into it in the queue;
 * - failures without an answer (API down, 5xx, 429) are retried with
 *   backoff, 12 tries per event as client-go; other refusals drop the
 *   event with a log line; at most 1000 events wait, the oldest dropped.
 *
 * @example
 *   const events = new EventRecorder({ client, source: { component: 'kubelet', host: 'node-1' } });
 *   events.record(pod, 'Normal', 'Pulled', 'Container image "busybox:1" already present on machine', 'spec.containers{app}');
 */
import { ApiError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { findResource, type ResourceInfo } from '../resources.ts';
import type { Event, KubeObject } from '../types.ts';
import { Backoff } from './backoff.ts';
import type { ApiClient } from './client.ts';
import { EventCorrelator, Lru, type EventInput } from './event-correlator.ts';
import { isTransientError } from './retry.ts';

const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;

/** Who reports: source.component and source.host of every event. */
export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorderOptions {
  client: ApiClient;
  source: EventSource;
  log?: Logger;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  /** Events waiting at most (the oldest is dropped beyond). Default 1000. */
  maxQueued?: number;
  /** Write attempts per event. Default 12. */
  maxTries?: number;
  /** Retry delays: first and cap. Default 500 ms doubling to 10 s. */
  retryBaseMs?: number;
  retryCapMs?: number;
}

/** One queued Event: what to write, and how many records it still stands for. */
interface Pending {
  key: string;
  event: Event;
  /** Records not yet counted on the server. */
  count: number;
  tries: number;
}

/** What the server holds for a key: the Event's name, count and first time. */
interface Written {
  name: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private readonly client: ApiClient;
  private readonly source: Required<EventSource>;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly maxQueued: number;
  private readonly maxTries: number;
  private readonly backoff: Backoff;
  private readonly correlator = new EventCorrelator();
  private readonly written = new Lru<Written>(4096);
  private readonly queue = new Map<string, Pending>();
  private readonly waiters: (() => void)[] = [];
  private sending = false;
  // A random start keeps two recorders (two processes) from naming alike.
  private seq = Math.floor(Math.random() * 1_000_000);
  private dropped = 0;

  constructor(opts: EventRecorderOptions) {
    this.client = opts.client;
    this.source = { component: opts.source.component, host: opts.source.host ?? '' };
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.maxQueued = opts.maxQueued ?? 1000;
    this.maxTries = opts.maxTries ?? 12;
    this.backoff = new Backoff({
      initialMs: opts.retryBaseMs ?? 500,
      maxMs: opts.retryCapMs ?? 10_000,
    });
  }

  /**
   * Records an event about `obj` (involvedObject from its apiVersion, kind,
   * namespace, name, uid and resourceVersion; `fieldPath` names a part of
   * it, e.g. "spec.containers{app}"; a Node's uid is its name, as the
   * kubelet records node events). Events of cluster-scoped objects go to
   * the "default" namespace. Never throws, never blocks the caller; the
   * write happens in the background.
   */
  record(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    fieldPath?: string,
  ): void {
    try {
      this.enqueue(obj, type, reason, message, fieldPath);
    } catch (err) {
      this.log?.warn('Could not record event', { reason, error: err });
    }
  }

  /**
   * Resolves when everything recorded so far was written or dropped (tests,
   * shutdown); with `timeoutMs`, at the latest after that long (what is
   * still queued then stays queued), so a shutdown without an API server
   * does not wait for every retry.
   */
  flush(timeoutMs?: number): Promise<void> {
    if (this.queue.size === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      const waiters = this.waiters;
      waiters.push(done);
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
    });
  }

  private enqueue(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    fieldPath: string | undefined,
  ): void {
    const now = this.now();
    const m = obj.metadata;
    const involved = {
      kind: obj.kind,
      namespace: m.namespace ?? '',
      name: m.name ?? '',
      // Node events carry the node's name as UID (the kubelet's nodeRef);
      // `kubectl describe node` looks them up by that.
      uid: (obj.kind === 'Node' ? m.name : m.uid) ?? '',
      apiVersion: obj.apiVersion,
    };
    const input: EventInput = { ...this.source, involved, type, reason, message };
    const c = this.correlator.correlate(input, now);
    if (!c) {
      this.log?.debug('Event dropped by the spam filter', { reason, object: involved.name });
      return;
    }
    const time = rfc3339(now);
    const queued = this.queue.get(c.key);
    if (queued) {
      queued.count++;
      queued.event.lastTimestamp = time;
      queued.event.message = c.message;
      return;
    }
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${involved.name}.${this.nanosHex(now)}`,
        namespace: m.namespace || 'default',
      },
      involvedObject: {
        kind: involved.kind,
        ...(involved.namespace ? { namespace: involved.namespace } : {}),
        name: involved.name,
        ...(involved.uid ? { uid: involved.uid } : {}),
        apiVersion: involved.apiVersion,
        ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message: c.message,
      source: {
        component: this.source.component,
        ...(this.source.host ? { host: this.source.host } : {}),
      },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host,
    };
    this.queue.set(c.key, { key: c.key, event, count: 1, tries: 0 });
    this.trim();
    if (!this.sending) void this.drain();
  }

  // Drops the oldest events beyond maxQueued (never the one being written).
  private trim(): void {
    for (const [key] of this.queue) {
      if (this.queue.size <= this.maxQueued) return;
      if (this.sending && key === this.head()?.key) continue;
      this.queue.delete(key);
      if (this.dropped++ % 100 === 0) {
        this.log?.warn(
          'Event queue full: dropping the oldest events until the API server answers',
          {
            queued: this.queue.size,
            dropped: this.dropped,
          },
        );
      }
    }
  }

  private head(): Pending | undefined {
    return this.queue.values().next().value;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      for (let p = this.head(); p; p = this.head()) await this.send(p);
    } finally {
      this.sending = false;
      this.dropped = 0;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  // Writes `p` until it is written or dropped; it stays at the head meanwhile.
  private async send(p: Pending): Promise<void> {
    for (;;) {
      const counted = p.count;
      try {
        await this.write(p, counted);
        this.backoff.reset();
        p.count -= counted;
        if (p.count === 0) this.queue.delete(p.key);
        return;
      } catch (err) {
        p.tries++;
        if (!isTransientError(err) || p.tries >= this.maxTries) {
          this.queue.delete(p.key);
          this.log?.warn('Dropped an event the API server did not accept', {
            event: p.event.metadata.name,
            reason: p.event.reason,
            tries: p.tries,
            error: err,
          });
          return;
        }
        await pause(this.backoff.next());
      }
    }
  }

  // Creates the Event, or patches the one already written for the key.
  private async write(p: Pending, counted: number): Promise<void> {
    const prior = this.written.get(p.key);
    const e = p.event;
    if (prior) {
      const count = prior.count + counted;
      const patch = { count, lastTimestamp: e.lastTimestamp, message: e.message };
      try {
        await this.client.patch(EVENTS, prior.name, patch, {
          type: 'strategic',
          namespace: e.metadata.namespace,
        });
        this.written.set(p.key, { ...prior, count });
        return;
      } catch (err) {
        // Removed meanwhile (TTL, deletion): write it anew under the same name.
        if (!(err instanceof ApiError && err.code === 404)) throw err;
        e.metadata.name = prior.name;
        e.firstTimestamp = prior.firstTimestamp;
        await this.create(p, e, count);
        return;
      }
    }
    await this.create(p, e, counted);
  }

  private async create(p: Pending, e: Event, count: number): Promise<void> {
    const created = await this.client.create(EVENTS, { ...e, count });
    this.written.set(p.key, {
      name: created.metadata.name ?? e.metadata.name ?? '',
      count,
      firstTimestamp: e.firstTimestamp ?? '',
    });
  }

  // client-go names events "<name>.<hex UnixNano>"; a counter keeps names
  // unique within one millisecond, which is all this clock resolves.
  private nanosHex(ms: number): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(this.seq)).toString(16);
  }
}

/** metav1.Time: RFC 3339 at second precision. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// A retry delay that never keeps the process alive.
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
