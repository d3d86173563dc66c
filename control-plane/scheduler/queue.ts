/**
 * The scheduling queue (kube-scheduler's PriorityQueue), pure logic with
 * time passed in:
 *
 * - active: pods ready to try, highest spec.priority first, then oldest
 *   (creationTimestamp), then by key;
 * - backoff: pods that failed recently, each waiting 1 s doubling to 10 s
 *   per attempt;
 * - unschedulable: pods that fit nowhere. They wait for a cluster event
 *   that could change that (moveAllToActiveOrBackoff, filtered by the
 *   plugins that rejected them), or for flushUnschedulableLeftover after
 *   5 minutes, so a pod is never lost and nothing polls in a busy loop;
 * - in flight: popped pods being scheduled. An event arriving during an
 *   attempt sends a failed pod to backoff rather than unschedulable (the
 *   moveRequestCycle rule), so no event is missed.
 *
 * The scheduling loop pops, calls schedulePod, then done(key) on success or
 * requeue(key, plugins) on failure, and runs flushBackoffCompleted at
 * nextBackoffAt() and flushUnschedulableLeftover every 30 s.
 */
import type { Pod } from '../api/types.ts';
import { KeyedHeap } from '../controllers/runtime/keyed-heap.ts';
import { podInfoOf } from './pod-info.ts';

/** What happened in the cluster; decides which unschedulable pods move. */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  /** Moves every unschedulable pod. */
  | 'ForceActivate';

// The events each filter plugin registers (EventsToRegister): only these
// can turn its rejection into a fit.
const PLUGIN_EVENTS: Readonly<Record<string, readonly ClusterEvent[]>> = {
  NodeUnschedulable: ['NodeAdd', 'NodeUpdate'],
  NodeName: ['NodeAdd', 'NodeUpdate'],
  TaintToleration: ['NodeAdd', 'NodeUpdate'],
  NodeAffinity: ['NodeAdd', 'NodeUpdate'],
  NodePorts: ['NodeAdd', 'NodeUpdate', 'AssignedPodUpdate', 'AssignedPodDelete'],
  NodeResourcesFit: ['NodeAdd', 'NodeUpdate', 'AssignedPodUpdate', 'AssignedPodDelete'],
  InterPodAffinity: [
    'NodeAdd',
    'NodeUpdate',
    'AssignedPodAdd',
    'AssignedPodUpdate',
    'AssignedPodDelete',
  ],
};

export interface QueuedPod {
  pod: Pod;
  key: string;
  priority: number;
  createdMs: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the pod last entered a queue after an attempt (ms). */
  timestamp: number;
  backoffUntil: number;
  /** Plugins that rejected the pod last time (empty: an error, retry on backoff). */
  plugins: ReadonlySet<string>;
  /** The scheduling cycle of its last pop. */
  cycle: number;
}

export interface QueueOptions {
  /** First backoff. Default 1000 ms (podInitialBackoffSeconds). */
  initialBackoffMs?: number;
  /** Longest backoff. Default 10000 ms (podMaxBackoffSeconds). */
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long anyway. Default 5 minutes. */
  maxUnschedulableMs?: number;
}

const byPriority = (a: QueuedPod, b: QueuedPod): boolean =>
  a.priority !== b.priority
    ? a.priority > b.priority
    : a.createdMs !== b.createdMs
      ? a.createdMs < b.createdMs
      : a.key < b.key;

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPod>(byPriority);
  private readonly backoff = new KeyedHeap<QueuedPod>((a, b) => a.backoffUntil < b.backoffUntil);
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly inFlight = new Map<string, QueuedPod>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  /**
   * Adds a pending pod (one without spec.nodeName; delete() a pod once it is
   * bound) or applies its new version: updated in place while
   * active, backing off or in flight; an unschedulable pod is given another
   * try, since its change may make it fit.
   */
  add(pod: Pod, now: number): void {
    const info = podInfoOf(pod);
    const entry = this.find(info.key);
    if (!entry) {
      this.active.set(info.key, {
        pod,
        key: info.key,
        priority: info.priority,
        createdMs: info.createdMs,
        attempts: 0,
        timestamp: now,
        backoffUntil: now,
        plugins: new Set(),
        cycle: 0,
      });
      return;
    }
    const updated = { ...entry, pod, priority: info.priority, createdMs: info.createdMs };
    if (this.inFlight.has(info.key)) this.inFlight.set(info.key, updated);
    else if (this.active.has(info.key)) this.active.set(info.key, updated);
    else if (this.backoff.has(info.key)) this.backoff.set(info.key, updated);
    else {
      this.unschedulable.delete(info.key);
      this.activate(updated, now);
    }
  }

  /** Forgets a pod (deleted, or bound by someone else). */
  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule, now in flight; undefined when none is active. */
  pop(): QueuedPod | undefined {
    const top = this.active.pop();
    if (!top) return undefined;
    const entry = { ...top.value, attempts: top.value.attempts + 1, cycle: ++this.schedulingCycle };
    this.inFlight.set(entry.key, entry);
    return entry;
  }

  /** The attempt for `key` succeeded (or the pod went away): it leaves the queue. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The attempt for `key` failed; `plugins` rejected it (empty for an error
   * such as a failed binding). It waits for a matching event, or backs off
   * when an event arrived during the attempt or there was no rejection.
   */
  requeue(key: string, plugins: ReadonlySet<string>, now: number): void {
    const entry = this.inFlight.get(key);
    if (!entry) return;
    this.inFlight.delete(key);
    const next = {
      ...entry,
      plugins,
      timestamp: now,
      backoffUntil: now + this.backoffDuration(entry.attempts),
    };
    if (plugins.size === 0 || this.moveRequestCycle >= entry.cycle) this.backoff.set(key, next);
    else this.unschedulable.set(key, next);
  }

  /**
   * Moves the unschedulable pods that `event` could help (by the plugins
   * that rejected them) to active, or to backoff while it lasts. Returns
   * how many moved.
   */
  moveAllToActiveOrBackoff(event: ClusterEvent, now: number): number {
    this.moveRequestCycle = this.schedulingCycle;
    let moved = 0;
    for (const entry of [...this.unschedulable.values()]) {
      if (!interested(entry.plugins, event)) continue;
      this.unschedulable.delete(entry.key);
      this.activate(entry, now);
      moved++;
    }
    return moved;
  }

  /** Moves pods whose backoff has ended to active. */
  flushBackoffCompleted(now: number): void {
    for (
      let top = this.backoff.peek();
      top && top.value.backoffUntil <= now;
      top = this.backoff.peek()
    ) {
      this.backoff.pop();
      this.active.set(top.key, top.value);
    }
  }

  /** Retries pods unschedulable for longer than maxUnschedulableMs (the periodic safety net). */
  flushUnschedulableLeftover(now: number): void {
    for (const entry of [...this.unschedulable.values()]) {
      if (now - entry.timestamp < this.maxUnschedulableMs) continue;
      this.unschedulable.delete(entry.key);
      this.activate(entry, now);
    }
  }

  /** When the next backoff ends (ms), or undefined when none waits. */
  nextBackoffAt(): number | undefined {
    return this.backoff.peek()?.value.backoffUntil;
  }

  /** Where the pod with `key` is. */
  stateOf(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  /** Pods per sub-queue. */
  get sizes(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return {
      active: this.active.size,
      backoff: this.backoff.size,
      unschedulable: this.unschedulable.size,
      inFlight: this.inFlight.size,
    };
  }

  // initial × 2^(attempts−1), at most maxBackoffMs (calculateBackoffDuration).
  private backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      if (d > this.maxBackoffMs - d) return this.maxBackoffMs;
      d += d;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  private activate(entry: QueuedPod, now: number): void {
    if (entry.backoffUntil > now) this.backoff.set(entry.key, entry);
    else this.active.set(entry.key, entry);
  }

  private find(key: string): QueuedPod | undefined {
    return (
      this.inFlight.get(key) ??
      this.active.get(key) ??
      this.backoff.get(key) ??
      this.unschedulable.get(key)
    );
  }
}

function interested(plugins: ReadonlySet<string>, event: ClusterEvent): boolean {
  if (event === 'ForceActivate' || plugins.size === 0) return true;
  for (const p of plugins) {
    const events = PLUGIN_EVENTS[p];
    if (events === undefined || events.includes(event)) return true;
  }
  return false;
}
