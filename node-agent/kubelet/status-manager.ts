/**
 * StatusManager: the kubelet's pod status writes (pkg/kubelet/status),
 * coalesced. Syncs hand it every status they compute; it keeps only the
 * latest per pod UID and writes it through pods/status when it differs
 * from what the server has (statusEqual), at most one write per pod and a
 * few overall in flight.
 *
 * Each write is a PUT with the pod's UID and newest resourceVersion, merged
 * over the server's conditions (status-write.ts, status-merge.ts); a pod
 * that is gone or whose name has another UID is dropped. Without an API
 * server the latest status waits and is retried with backoff, logged once
 * per outage.
 *
 * @example
 *   const statuses = new StatusManager({ client, log });
 *   statuses.start(signal);
 *   statuses.set(pod, generatePodStatus({ pod, observed, ... }));
 */
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { isTransientError } from '../../control-plane/api/client/retry.ts';
import { ApiError } from '../../control-plane/api/errors.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Pod, PodStatus } from '../../control-plane/api/types.ts';
import { isTerminalPhase } from './pod-phase.ts';
import { needsWrite, newerPod, writeStatus, type StatusRecord } from './status-write.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
/** Writes in flight at most, over all pods. */
const MAX_IN_FLIGHT = 5;

export interface StatusManagerOptions {
  client: ApiClient;
  log: Logger;
  /** First retry delay after a failed write. Default 500 ms. */
  retryBaseMs?: number;
  /** Longest retry delay. Default 10 s. */
  retryCapMs?: number;
}

interface Entry extends StatusRecord {
  /** The write in flight (it never rejects). */
  writing?: Promise<void>;
  failures: number;
  retry?: NodeJS.Timeout;
}

type Outcome = 'done' | 'gone';

export class StatusManager {
  private readonly client: ApiClient;
  private readonly log: Logger;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly entries = new Map<string, Entry>();
  /** UIDs whose status must be written, in arrival order. */
  private readonly ready = new Set<string>();
  private inFlight = 0;
  private signal: AbortSignal | undefined;
  private apiDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: StatusManagerOptions) {
    this.client = opts.client;
    this.log = opts.log;
    this.baseMs = opts.retryBaseMs ?? 500;
    this.capMs = opts.retryCapMs ?? 10_000;
  }

  /**
   * The status the kubelet computed for `pod`. Coalesced: only the latest
   * per pod UID is written, and nothing when it equals what was last
   * written or seen from the API. A terminal phase is never left. Never blocks.
   */
  set(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    let e = this.entries.get(uid);
    if (!e) this.entries.set(uid, (e = { pod, failures: 0, gone: false }));
    else e.pod = newerPod(e.pod, pod);
    if (e.gone) return;
    const apiPhase = e.pod.status?.phase;
    const was = isTerminalPhase(apiPhase) ? apiPhase : e.status?.phase;
    if (isTerminalPhase(was) && status.phase !== was) {
      this.log.warn('Kept a terminal pod phase the kubelet tried to leave', {
        pod: podName(pod),
        phase: was,
        attempted: status.phase,
      });
      status = { ...status, phase: was as PodStatus['phase'] };
    }
    e.status = status;
    if (!e.writing && !e.retry && needsWrite(e)) {
      this.ready.add(uid);
      this.pump();
    }
  }

  /** The status last set for the pod (undefined if none), so a sync can start from it. */
  get(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  /**
   * After the pod's containers are all gone: writes the final status if
   * pending, then DELETEs the pod with gracePeriodSeconds 0 and a UID
   * precondition. 404 or a UID mismatch count as done. Resolves when done
   * (or when the manager's signal aborts); retries with backoff while the
   * API is down.
   */
  async confirmDeletion(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const name = podName(pod);
    for (let failures = 0; !this.signal?.aborted; failures++) {
      try {
        if ((await this.finalStatus(uid, pod)) === 'gone' || (await this.deletePod(pod))) {
          this.forget(uid);
          this.log.info('Pod deletion confirmed', { pod: name, uid });
          return;
        }
      } catch (err) {
        this.failed(err, { pod: name, action: 'confirm deletion' });
      }
      await pause(this.delay(failures), this.signal);
    }
  }

  // Writes the pod's pending status, if any, before it is deleted.
  private async finalStatus(uid: string, pod: Pod): Promise<Outcome> {
    const e = this.entries.get(uid);
    if (!e) return 'done';
    e.pod = newerPod(e.pod, pod);
    return this.writeNow(uid, e);
  }

  // DELETE with grace 0 and a UID precondition; true when the pod is gone.
  private async deletePod(pod: Pod): Promise<boolean> {
    const ns = pod.metadata.namespace;
    try {
      await this.client.delete(PODS, pod.metadata.name ?? '', {
        ...(ns ? { namespace: ns } : {}),
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid ?? '' },
      });
    } catch (err) {
      // 404: already gone; 409: the name now belongs to a newer pod.
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
    this.reachable();
    return true;
  }

  /** Drops the pod's state (pod gone from the API). */
  forget(uid: string): void {
    const e = this.entries.get(uid);
    if (!e) return;
    clearTimeout(e.retry);
    e.gone = true;
    this.entries.delete(uid);
    this.ready.delete(uid);
    this.checkIdle();
  }

  /**
   * Starts the writer: one write in flight per pod, at most 5 overall,
   * retries with backoff. Aborting `signal` stops it (pending retries are
   * dropped; idle() waiters resolve).
   */
  start(signal: AbortSignal): void {
    this.signal = signal;
    signal.addEventListener(
      'abort',
      () => {
        for (const e of this.entries.values()) clearTimeout(e.retry);
        this.ready.clear();
        for (const w of this.idleWaiters.splice(0)) w();
      },
      { once: true },
    );
    this.pump();
  }

  /** Resolves when no write is pending (tests, benchmark). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.signal?.aborted) return true;
    if (this.ready.size > 0 || this.inFlight > 0) return false;
    for (const e of this.entries.values()) if (e.retry || e.writing) return false;
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  // Starts writes for ready pods while there is room.
  private pump(): void {
    if (!this.signal || this.signal.aborted) return;
    for (const uid of this.ready) {
      if (this.inFlight >= MAX_IN_FLIGHT) return;
      this.ready.delete(uid);
      const e = this.entries.get(uid);
      if (!e || e.writing) continue;
      this.inFlight++;
      void this.writeNow(uid, e)
        .then(
          () => (e.failures = 0),
          (err: unknown) => this.scheduleRetry(uid, e, err),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
          this.checkIdle();
        });
    }
  }

  private scheduleRetry(uid: string, e: Entry, err: unknown): void {
    this.failed(err, { pod: podName(e.pod), action: 'write status' });
    if (e.gone || this.signal?.aborted) return;
    e.retry = setTimeout(() => {
      e.retry = undefined;
      if (this.entries.get(uid) !== e) return;
      this.ready.add(uid);
      this.pump();
      this.checkIdle();
    }, this.delay(e.failures++));
  }

  // Logs a failed call: an outage once, other errors each time.
  private failed(err: unknown, fields: Record<string, unknown>): void {
    if (!isTransientError(err)) {
      this.log.warn('Pod status call failed; will retry', { ...fields, error: err });
    } else if (!this.apiDown) {
      this.apiDown = true;
      this.log.warn('API server unreachable: pod statuses wait and are retried', {
        ...fields,
        error: err,
      });
    }
  }

  // Writes the entry's status now (or waits for the write in flight, then
  // checks again). Throws when the write failed.
  private async writeNow(uid: string, e: Entry): Promise<Outcome> {
    while (e.writing) await e.writing;
    if (e.gone) return 'gone';
    if (!needsWrite(e)) return 'done';
    const p = writeStatus(this.client, e);
    // Others only wait for it to end; the caller sees its failure.
    e.writing = p.then(
      () => undefined,
      () => undefined,
    );
    try {
      const outcome = await p;
      this.reachable();
      if (outcome === 'gone') this.dropped(uid, e);
      return outcome;
    } catch (err) {
      if (!isTransientError(err)) this.reachable();
      throw err;
    } finally {
      e.writing = undefined;
    }
  }

  private dropped(uid: string, e: Entry): void {
    this.ready.delete(uid);
    this.log.info('Pod gone from the API server: its status is no longer written', {
      pod: podName(e.pod),
      uid,
    });
  }

  private reachable(): void {
    if (!this.apiDown) return;
    this.apiDown = false;
    this.log.info('API server reachable again: pod status writes resumed');
  }

  // Exponential backoff with jitter (0.5x to 1.5x), capped.
  private delay(failures: number): number {
    const base = Math.min(this.capMs, this.baseMs * 2 ** Math.min(failures, 20));
    return Math.round(base * (0.5 + Math.random()));
  }
}

function podName(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

// Waits `ms` (resolves early on abort) without keeping the process alive.
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    t.unref();
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
