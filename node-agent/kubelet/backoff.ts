/**
 * Per-key exponential backoff for container restarts (CrashLoopBackOff)
 * and image pulls (ImagePullBackOff), with client-go flowcontrol.Backoff's
 * semantics, which the kubelet uses for both:
 * - `next(key, eventTime)` records an attempt: the first gets the base
 *   delay, each later one doubles it up to the cap;
 * - `isInBackOffSince(key, eventTime)`: true while less than the current
 *   delay has passed since `eventTime` (for restarts, when the last
 *   instance finished); `isInBackOffSinceUpdate(key, now)`: since the last
 *   attempt (for pulls);
 * - an entry whose last attempt is more than twice the cap before
 *   `eventTime` has expired: the next attempt starts from the base again
 *   (a container that ran 10 minutes without trouble is forgiven).
 * Defaults are Kubernetes': 10 s doubling to 300 s.
 */
import type { Container, Pod } from '../../control-plane/api/types.ts';
import { systemClock, type Clock } from './clock.ts';
import { hashContainer } from './container-hash.ts';

export interface BackoffOptions {
  /** First delay in ms (default 10 s). */
  baseMs?: number;
  /** Largest delay in ms (default 300 s). */
  capMs?: number;
  clock?: Clock;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 10_000;
    this.capMs = opts.capMs ?? 300_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** The current delay of `key` in ms; 0 when it has none. */
  get(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Records an attempt for `key` caused by an event at `eventTime` (epoch ms). */
  next(key: string, eventTime: number): void {
    const entry = this.entries.get(key);
    const delayMs =
      !entry || this.expired(eventTime, entry)
        ? this.baseMs
        : Math.min(entry.delayMs * 2, this.capMs);
    this.entries.set(key, { delayMs, lastUpdate: this.clock.now() });
  }

  /** True while `key` must wait: less than its delay has passed since `eventTime`. */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.expired(eventTime, entry)) return false;
    return this.clock.now() - eventTime < entry.delayMs;
  }

  /**
   * True while less than `key`'s delay has passed between its last
   * attempt and `eventTime` (image pulls: `eventTime` is now).
   */
  isInBackOffSinceUpdate(key: string, eventTime: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.expired(eventTime, entry)) return false;
    return eventTime - entry.lastUpdate < entry.delayMs;
  }

  /** Forgets `key` (e.g. after a successful pull). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries idle for more than twice the cap; call it now and then (the kubelet: every minute). */
  gc(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.lastUpdate > 2 * this.capMs) this.entries.delete(key);
    }
  }

  private expired(eventTime: number, entry: Entry): boolean {
    return eventTime - entry.lastUpdate > 2 * this.capMs;
  }
}

/**
 * The restart backoff key of a container of a pod, as the kubelet's
 * getStableKey: pod name, namespace, UID, container name and spec hash (a
 * changed spec starts from the base delay again).
 */
export function crashLoopKey(pod: Pod, container: Container): string {
  const m = pod.metadata;
  return `${m.name ?? ''}_${m.namespace ?? ''}_${m.uid ?? ''}_${container.name}_${hashContainer(container)}`;
}

/** The pull backoff key of an image for a pod. */
export function imagePullKey(pod: Pod, image: string): string {
  return `${pod.metadata.uid ?? ''}_${image}`;
}

/** A duration as Go prints it ("10s", "1m20s", "5m0s"), for Kubernetes-identical messages. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = +(totalSeconds % 60).toFixed(3);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return totalSeconds < 1 ? `${ms}ms` : `${s}s`;
}
