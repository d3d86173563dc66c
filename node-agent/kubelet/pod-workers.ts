/**
 * One serialized worker per pod UID (the kubelet's podWorkers). Anything
 * that may concern a pod — its object changed, the runtime relist saw its
 * containers change, a probe result flipped, a back-off ended, the periodic
 * resync — marks the worker dirty; the worker runs one sync pass at a time
 * and runs again while it is dirty, so triggers coalesce and two passes of
 * one pod never overlap.
 *
 * A pod gone from the API (deleted while the agent was away, or forced)
 * and containers the runtime runs for a UID the API does not know
 * (orphans) are taken down as deleted pods, with no status written and no
 * deletion to confirm.
 */
import type { Logger } from '../../control-plane/api/log.ts';
import type { Pod, PodStatus } from '../../control-plane/api/types.ts';
import { messageOf } from './container-start.ts';
import type { PodSyncResult } from './pod-sync.ts';

/** Where statuses go (StatusManager). */
export interface PodStatusSink {
  set(pod: Pod, status: PodStatus): void;
  get(uid: string): PodStatus | undefined;
  confirmDeletion(pod: Pod): Promise<void>;
  forget(uid: string): void;
}

export interface PodWorkersOptions {
  sync(pod: Pod): Promise<PodSyncResult>;
  /** Drops per-pod state of the syncer and prober once a pod is finished. */
  forget(uid: string): void;
  status: PodStatusSink;
  log: Logger;
  /** Resync of a settled pod (default 10 s). */
  resyncMs?: number;
  /** Retry after a pass that failed outright, e.g. the runtime is unreachable (default 2 s). */
  errorRetryMs?: number;
}

interface Worker {
  pod: Pod;
  /** The API no longer has the pod (or never had it): take it down, report nothing. */
  gone: boolean;
  dirty: boolean;
  running: boolean;
  timer?: NodeJS.Timeout;
  finished: boolean;
}

// A forced or unobserved deletion kills with the kubelet's minimum grace.
const ORPHAN_GRACE_SECONDS = 2;

export class PodWorkers {
  private readonly o: PodWorkersOptions;
  private readonly workers = new Map<string, Worker>();
  // Pods whose deletion finished: later updates of the same object are ignored until
  // the informer reports it gone (the kubelet's "terminated pods" set).
  private readonly done = new Set<string>();
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  constructor(opts: PodWorkersOptions) {
    this.o = opts;
  }

  /** The pod as the API has it now: sync it. */
  update(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (this.done.has(uid)) return;
    const w = this.workers.get(uid);
    if (w?.finished) return;
    if (w) w.pod = pod;
    else this.workers.set(uid, { pod, gone: false, dirty: false, running: false, finished: false });
    this.poke(uid);
  }

  /** The API deleted the pod: whatever still runs is killed, and nothing reported. */
  removed(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.done.delete(uid);
    const w = this.workers.get(uid);
    // No worker: it finished (the usual end of a deletion) or never ran; containers
    // left behind, if any, come back through orphan() from the relist.
    if (!w) return;
    w.pod = asDeleted(w.pod);
    w.gone = true;
    this.poke(uid);
  }

  /** Containers run for `uid` but the API has no such pod: take them down. */
  orphan(uid: string, namespace: string, name: string): void {
    if (this.workers.has(uid)) return;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { uid, namespace, name },
      spec: { containers: [] },
    };
    this.workers.set(uid, {
      pod: asDeleted(pod),
      gone: true,
      dirty: false,
      running: false,
      finished: false,
    });
    this.poke(uid);
  }

  /** Something about `uid` changed: sync it soon. Unknown UIDs are ignored. */
  poke(uid: string): void {
    const w = this.workers.get(uid);
    if (!w || w.finished || this.stopped) return;
    w.dirty = true;
    if (w.timer) clearTimeout(w.timer);
    w.timer = undefined;
    if (!w.running) this.track(this.loop(uid, w));
  }

  /** Every UID with a worker. */
  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** The pods the agent runs, as last seen (the kubelet API's /pods). */
  pods(): Pod[] {
    return [...this.workers.values()]
      .filter((w) => !w.gone)
      .map((w) => ({
        ...w.pod,
        status: this.o.status.get(w.pod.metadata.uid ?? '') ?? w.pod.status,
      }));
  }

  /** Stops scheduling passes and waits for the ones running. Containers are left as they are. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    await Promise.all([...this.running]);
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async loop(uid: string, w: Worker): Promise<void> {
    w.running = true;
    let next = this.o.resyncMs ?? 10_000;
    while (w.dirty && !this.stopped) {
      w.dirty = false;
      const pod: Pod = { ...w.pod, status: this.o.status.get(uid) ?? w.pod.status };
      try {
        const r = await this.o.sync(pod);
        next = r.retryAfterMs ?? this.o.resyncMs ?? 10_000;
        if (!w.gone) this.o.status.set(w.pod, r.status);
        if (r.terminated) {
          await this.finish(uid, w);
          break;
        }
      } catch (err) {
        next = this.o.errorRetryMs ?? 2000;
        this.o.log.warn('Pod sync failed; will retry', {
          pod: `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`,
          uid,
          retryInMs: next,
          error: messageOf(err),
        });
      }
    }
    w.running = false;
    if (w.finished || this.stopped) return;
    if (w.dirty) {
      this.track(this.loop(uid, w));
      return;
    }
    w.timer = setTimeout(() => this.poke(uid), next);
    w.timer.unref();
  }

  // Everything of the pod is gone: confirm a deletion the API asked for, then forget it.
  private async finish(uid: string, w: Worker): Promise<void> {
    w.finished = true;
    if (!w.gone) {
      this.done.add(uid);
      await this.o.status.confirmDeletion(w.pod);
    }
    this.o.forget(uid);
    this.o.status.forget(uid);
    this.workers.delete(uid);
    this.o.log.info('Pod terminated and removed', {
      pod: `${w.pod.metadata.namespace ?? ''}/${w.pod.metadata.name ?? ''}`,
      uid,
    });
  }
}

function asDeleted(pod: Pod): Pod {
  if (pod.metadata.deletionTimestamp) {
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionGracePeriodSeconds: Math.min(
          pod.metadata.deletionGracePeriodSeconds ?? ORPHAN_GRACE_SECONDS,
          ORPHAN_GRACE_SECONDS,
        ),
      },
    };
  }
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      deletionTimestamp: new Date().toISOString(),
      deletionGracePeriodSeconds: ORPHAN_GRACE_SECONDS,
    },
  };
}
