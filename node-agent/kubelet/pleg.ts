/**
 * The pod lifecycle event generator: relists the runtime's containers
 * every second, and at once when the engine's event stream reports a
 * change of one of ours, and tells which pod UIDs changed since the last
 * relist (a container appeared, went away or changed state). The event
 * stream only makes changes seen sooner; the relist alone is complete, so
 * a dropped stream loses nothing (it is reopened with back-off).
 *
 * A failing relist marks the runtime unhealthy (the node reports it).
 */
import type { Logger } from '../../control-plane/api/log.ts';
import { messageOf } from './container-start.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';

/** One pod as the relist saw it. */
export interface RelistedPod {
  uid: string;
  namespace: string;
  name: string;
}

export interface PlegOptions {
  runtime: Pick<ContainerRuntime, 'listPodSandboxes' | 'listContainers' | 'events'>;
  log: Logger;
  /** Pods whose containers changed. */
  onChange(uids: string[]): void;
  /** After every successful relist: every pod UID the runtime has containers for. */
  onRelist?(pods: RelistedPod[]): void;
  /** Runtime health changes: false with the error while relists fail. */
  onHealth?(healthy: boolean, message?: string): void;
  relistMs?: number;
}

export class Pleg {
  private readonly o: PlegOptions;
  private last = new Map<string, string>();
  private relisting: Promise<void> | undefined;
  private again = false;
  private healthy: boolean | undefined;
  private timer?: NodeJS.Timeout;

  constructor(opts: PlegOptions) {
    this.o = opts;
  }

  /** Relists now and every relistMs, and follows the event stream, until `signal` aborts. */
  start(signal: AbortSignal): void {
    const tick = () => {
      if (signal.aborted) return;
      void this.relist().finally(() => {
        if (!signal.aborted) this.timer = setTimeout(tick, this.o.relistMs ?? 1000);
      });
    };
    tick();
    signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
    void this.followEvents(signal);
  }

  /** One relist (coalesced: a call during a relist runs one more after it). */
  relist(): Promise<void> {
    if (this.relisting) {
      this.again = true;
      return this.relisting;
    }
    this.relisting = this.doRelist().finally(() => {
      this.relisting = undefined;
      if (this.again) {
        this.again = false;
        void this.relist();
      }
    });
    return this.relisting;
  }

  private async doRelist(): Promise<void> {
    let sandboxes, containers;
    try {
      [sandboxes, containers] = await Promise.all([
        this.o.runtime.listPodSandboxes(),
        this.o.runtime.listContainers(),
      ]);
    } catch (err) {
      this.setHealth(false, `container runtime is down: ${messageOf(err)}`);
      return;
    }
    this.setHealth(true);
    const now = new Map<string, string[]>();
    const pods = new Map<string, RelistedPod>();
    for (const x of [...sandboxes, ...containers]) {
      const entry = now.get(x.podUid) ?? [];
      entry.push(`${x.id}:${x.state}`);
      now.set(x.podUid, entry);
      pods.set(x.podUid, { uid: x.podUid, namespace: x.podNamespace, name: x.podName });
    }
    const next = new Map([...now].map(([uid, parts]) => [uid, parts.sort().join(',')]));
    const changed = new Set<string>();
    for (const [uid, fp] of next) if (this.last.get(uid) !== fp) changed.add(uid);
    for (const uid of this.last.keys()) if (!next.has(uid)) changed.add(uid);
    this.last = next;
    if (changed.size > 0) this.o.onChange([...changed]);
    this.o.onRelist?.([...pods.values()]);
  }

  private setHealth(ok: boolean, message?: string): void {
    if (this.healthy === ok) return;
    this.healthy = ok;
    if (ok) this.o.log.info('Container runtime is reachable');
    else this.o.log.error('Container runtime relist failed; will retry', { error: message });
    this.o.onHealth?.(ok, message);
  }

  // Engine events make a relist happen now instead of within the second.
  private async followEvents(signal: AbortSignal): Promise<void> {
    let delay = 500;
    while (!signal.aborted) {
      const since = Date.now();
      try {
        for await (const _ of this.o.runtime.events(signal, since)) {
          delay = 500;
          void this.relist();
        }
      } catch (err) {
        if (signal.aborted) return;
        this.o.log.debug('Container event stream ended; reopening', { error: messageOf(err) });
      }
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
