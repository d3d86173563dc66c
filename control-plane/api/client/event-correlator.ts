/**
 * The pure half of the event recorder, after client-go's EventCorrelator
 * (tools/record/events_cache.go): which records are "the same event" (and
 * so bump one Event's count), when similar events that differ only by
 * message are combined into one, and the per-object spam filter.
 *
 * - dedup key: source, involved object, type, reason and message;
 * - aggregation: the 10th distinct message of one (source, object, type,
 *   reason) within 10 minutes turns the event into "(combined from similar
 *   events): <message>" under the key without the message;
 * - spam filter: a token bucket per (source, object), burst 25, one token
 *   back every 5 minutes; a record that finds it empty is dropped.
 * Every table is an LRU of 4096 entries, as client-go's.
 */

/** What the correlator looks at of one record. */
export interface EventInput {
  component: string;
  host: string;
  involved: {
    kind: string;
    namespace: string;
    name: string;
    uid: string;
    apiVersion: string;
  };
  type: string;
  reason: string;
  message: string;
}

/** A record that passed: the key of the Event it counts into, and its message. */
export interface Correlated {
  key: string;
  message: string;
}

export interface CorrelatorOptions {
  /** Token bucket size per object. Default 25. */
  spamBurst?: number;
  /** Milliseconds per token refilled. Default 300 000 (one per 5 minutes). */
  spamRefillMs?: number;
  /** Distinct messages within the interval before events are combined. Default 10. */
  aggregateMaxEvents?: number;
  /** Default 600 000 (10 minutes). */
  aggregateIntervalMs?: number;
  /** Entries per table. Default 4096. */
  maxEntries?: number;
}

export const COMBINED_PREFIX = '(combined from similar events): ';

interface Bucket {
  tokens: number;
  at: number;
}

interface Aggregate {
  messages: Set<string>;
  at: number;
}

export class EventCorrelator {
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly maxEvents: number;
  private readonly intervalMs: number;
  private readonly buckets: Lru<Bucket>;
  private readonly aggregates: Lru<Aggregate>;

  constructor(opts: CorrelatorOptions = {}) {
    this.burst = opts.spamBurst ?? 25;
    this.refillMs = opts.spamRefillMs ?? 300_000;
    this.maxEvents = opts.aggregateMaxEvents ?? 10;
    this.intervalMs = opts.aggregateIntervalMs ?? 600_000;
    this.buckets = new Lru(opts.maxEntries ?? 4096);
    this.aggregates = new Lru(opts.maxEntries ?? 4096);
  }

  /** Correlates a record made at `now` (epoch ms); undefined when the spam filter drops it. */
  correlate(e: EventInput, now: number): Correlated | undefined {
    const objectKey = JSON.stringify([e.component, e.host, ...Object.values(e.involved)]);
    const aggregateKey = JSON.stringify([objectKey, e.type, e.reason]);
    const combined = this.aggregate(aggregateKey, e.message, now);
    if (!this.take(objectKey, now)) return undefined;
    return combined
      ? { key: aggregateKey, message: COMBINED_PREFIX + e.message }
      : { key: JSON.stringify([aggregateKey, e.message]), message: e.message };
  }

  // True when this message makes the aggregate reach maxEvents distinct messages.
  private aggregate(key: string, message: string, now: number): boolean {
    let a = this.aggregates.get(key);
    if (!a || now - a.at > this.intervalMs) a = { messages: new Set(), at: now };
    a.messages.add(message);
    a.at = now;
    if (a.messages.size >= this.maxEvents) {
      // Do not grow the set beyond the limit (client-go pops one).
      a.messages.delete(a.messages.values().next().value as string);
      this.aggregates.set(key, a);
      return true;
    }
    this.aggregates.set(key, a);
    return false;
  }

  private take(key: string, now: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const refilled = Math.floor((now - b.at) / this.refillMs);
    if (refilled > 0) {
      b.tokens = Math.min(this.burst, b.tokens + refilled);
      b.at += refilled * this.refillMs;
    }
    if (b.tokens >= this.burst) b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }
}

/** A Map that forgets its least recently used entry beyond `max`. */
export class Lru<V> {
  private readonly max: number;
  private readonly map = new Map<string, V>();

  constructor(max: number) {
    this.max = max;
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}
