/**
 * The pod-startup benchmark's clock: one WATCH on a namespace's pods,
 * opened before any pod is created, that notes (performance.now()) when
 * each pod is first seen Running with every container running, and when
 * its DELETED event arrives. The watch reopens from the last
 * resourceVersion when the server ends it, so no event is missed; after a
 * 410 it lists again (a pod found Running by that list counts from then).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { ApiError } from '../../../control-plane/api/errors.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Pod } from '../../../control-plane/api/types.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

/** Times of pod events as the watch delivers them. */
export interface PodWatch {
  /** performance.now() when pod `name` was first seen Running with all containers running. */
  running(name: string, timeoutMs: number): Promise<number>;
  /** performance.now() when the DELETED event of pod `name` arrived. */
  gone(name: string, timeoutMs: number): Promise<number>;
  stop(): void;
}

/** True when the pod is Running and every one of its containers runs. */
export function allRunning(p: Pod): boolean {
  const statuses = p.status?.containerStatuses ?? [];
  return (
    p.status?.phase === 'Running' &&
    statuses.length === p.spec.containers.length &&
    statuses.every((s) => s.state?.running !== undefined)
  );
}

/** Opens the watch (after a list that fixes its starting resourceVersion). */
export async function startPodWatch(client: ApiClient, namespace: string): Promise<PodWatch> {
  const seenRunning = new Moments();
  const seenGone = new Moments();
  const ac = new AbortController();
  let failure: unknown;
  const list = async (): Promise<string> => {
    const l = await client.list<Pod>(PODS, { namespace });
    for (const p of l.items) note(p);
    return l.metadata.resourceVersion ?? '';
  };
  const note = (p: Pod): void => {
    const name = p.metadata.name ?? '';
    if (!seenRunning.has(name) && allRunning(p)) seenRunning.set(name, performance.now());
  };
  const explain = (name: string, what: string, ms: number): Error => {
    const why = failure ? ` (last watch error: ${String(failure)})` : '';
    return new Error(
      `pod ${namespace}/${name}: ${what} not seen through the watch in ${ms} ms${why}`,
    );
  };
  let rv = await list();
  void (async () => {
    for (let errors = 0; !ac.signal.aborted && errors < 20;) {
      try {
        const events = client.watch<Pod>(PODS, {
          namespace,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          signal: ac.signal,
        });
        for await (const ev of events) {
          rv = ev.object.metadata?.resourceVersion ?? rv;
          if (ev.type === 'DELETED') seenGone.set(ev.object.metadata.name ?? '', performance.now());
          else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') note(ev.object);
        }
        errors = 0;
      } catch (err) {
        errors++;
        failure = err;
        if (err instanceof ApiError && err.code === 410) rv = await list().catch(() => rv);
        else await sleep(200);
      }
    }
  })();
  return {
    running: (name, ms) => seenRunning.wait(name, ms, () => explain(name, 'Running', ms)),
    gone: (name, ms) => seenGone.wait(name, ms, () => explain(name, 'deletion', ms)),
    stop: () => ac.abort(),
  };
}

// First times per pod name, and the waiters for names not seen yet.
class Moments {
  private readonly at = new Map<string, number>();
  private readonly waiters = new Map<string, ((t: number) => void)[]>();

  has(name: string): boolean {
    return this.at.has(name);
  }

  set(name: string, t: number): void {
    if (this.at.has(name)) return;
    this.at.set(name, t);
    for (const w of this.waiters.get(name) ?? []) w(t);
    this.waiters.delete(name);
  }

  wait(name: string, ms: number, timeout: () => Error): Promise<number> {
    const t = this.at.get(name);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(timeout()), ms);
      const list = this.waiters.get(name) ?? [];
      list.push((at) => {
        clearTimeout(timer);
        resolve(at);
      });
      this.waiters.set(name, list);
    });
  }
}
