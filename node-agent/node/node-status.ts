/**
 * The node status loop, as the kubelet's syncNodeStatus: every 10 s
 * (nodeStatusUpdateFrequency) it re-reads the machine, recomputes the
 * status and conditions, and writes nodes/status when anything but the
 * heartbeat times changed, or when the last write is 60 s old
 * (nodeStatusReportFrequency). A watch on its own Node (metadata.name
 * field selector) keeps the base current, wakes the loop when someone
 * else changed the status (the lifecycle controller marking it Unknown),
 * and reports spec.podCIDR when node IPAM assigns it after registration.
 *
 * Failures never end the loop: a Conflict re-reads the Node and writes
 * again; a deleted Node is registered again; an unreachable API server is
 * retried quietly (one warning, then debug lines) with backoff up to the
 * update interval, and the status is written once it answers again.
 */
import { Backoff, sleep, type BackoffOptions } from '../../control-plane/api/client/backoff.ts';
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { Informer } from '../../control-plane/api/client/informer.ts';
import { retryOnConflict } from '../../control-plane/api/client/retry.ts';
import { ApiError } from '../../control-plane/api/errors.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Node } from '../../control-plane/api/types.ts';
import { systemClock, type Clock } from '../kubelet/clock.ts';
import type { EvictionThresholds, RuntimeHealth } from './node-conditions.ts';
import { desiredNodeStatus, nodeStatusChanged } from './node-object.ts';
import type { ReadingsSource } from './readings.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;

/** The kubelet's nodeStatusUpdateFrequency. */
export const DEFAULT_STATUS_UPDATE_MS = 10_000;
/** The kubelet's nodeStatusReportFrequency. */
export const DEFAULT_STATUS_REPORT_MS = 60_000;

export interface NodeStatusOptions {
  client: ApiClient;
  /** The Node as registered. */
  node: Node;
  readings: ReadingsSource;
  thresholds: EvictionThresholds;
  /** Registers the Node again when it was deleted; resolves with it. */
  reregister: () => Promise<Node>;
  /** Default 10 s. */
  updateMs?: number;
  /** Default 60 s. */
  reportMs?: number;
  /** Retry delays after a failed update (capped at updateMs); also the watch's reconnects (default the informer's). */
  backoff?: BackoffOptions;
  clock?: Clock;
  log: Logger;
}

/** Keeps the Node's status current; see the file comment. */
export class NodeStatusLoop {
  private readonly o: NodeStatusOptions;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly informer: Informer<Node>;
  private current: Node;
  private runtime: RuntimeHealth = { ok: true };
  private lastReport: number;
  private cidr: string | undefined;
  private readonly cidrListeners = new Set<(cidr: string) => void>();
  private failures = 0;
  // resourceVersion of our last write: its watch event is no news.
  private writtenRv: string | undefined;
  // Write even if nothing changed (the Node was deleted).
  private force = false;
  // Set by wake(): run the next sync at once.
  private pending = false;
  private interrupt: (() => void) | undefined;

  constructor(o: NodeStatusOptions) {
    this.o = o;
    this.name = o.node.metadata.name ?? '';
    this.clock = o.clock ?? systemClock;
    this.current = o.node;
    this.lastReport = this.clock.now(); // registration just wrote the status
    this.cidr = o.node.spec?.podCIDR || undefined;
    this.informer = new Informer<Node>({
      client: o.client,
      resource: NODES,
      fieldSelector: `metadata.name=${this.name}`,
      ...(o.backoff ? { backoff: o.backoff } : {}),
      logger: o.log,
    });
    this.informer
      .on('add', (n) => this.observed(n))
      .on('update', (_old, n) => this.observed(n))
      .on('delete', () => {
        this.force = true;
        this.wake();
      });
  }

  /** The Node as last read or written. */
  node(): Node {
    return this.current;
  }

  /** spec.podCIDR once node IPAM (or anyone) set it. */
  podCidr(): string | undefined {
    return this.cidr;
  }

  /** Calls `cb` with the pod CIDR whenever it is set or changes; returns an unsubscribe function. */
  onPodCidr(cb: (cidr: string) => void): () => void {
    this.cidrListeners.add(cb);
    return () => this.cidrListeners.delete(cb);
  }

  /** The runtime's health for the Ready condition; a change is written at once. */
  setRuntimeHealth(ok: boolean, message?: string): void {
    const next: RuntimeHealth = ok ? { ok } : { ok, message: message ?? '' };
    if (next.ok === this.runtime.ok && next.message === this.runtime.message) return;
    this.runtime = next;
    this.wake();
  }

  /** Watches the Node and syncs until `signal` aborts; resolves when both loops ended. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.informer.start(signal), this.loop(signal)]);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const every = this.o.updateMs ?? DEFAULT_STATUS_UPDATE_MS;
    const maxMs = Math.min(this.o.backoff?.maxMs ?? every, every);
    const backoff = new Backoff({ ...this.o.backoff, maxMs });
    while (!signal.aborted) {
      let wait = every;
      try {
        await this.sync(signal);
        backoff.reset();
        this.recovered();
      } catch (err) {
        if (signal.aborted) break;
        wait = backoff.next();
        this.failed(err, wait);
      }
      await this.sleep(wait, signal);
    }
  }

  /** One pass: read, compare, write when changed or due. */
  private async sync(signal: AbortSignal): Promise<void> {
    const readings = await this.o.readings.read();
    const { thresholds } = this.o;
    const now = this.clock.now();
    const want = (base: Node) =>
      desiredNodeStatus(base.status, readings, this.runtime, thresholds, now);
    const due = now - this.lastReport >= (this.o.reportMs ?? DEFAULT_STATUS_REPORT_MS);
    if (!due && !this.force && !nodeStatusChanged(this.current.status, want(this.current))) return;
    let attempt = 0;
    const written = await retryOnConflict(
      async () => {
        const base = attempt++ === 0 ? this.current : await this.fetch(signal);
        return this.o.client.updateStatus(NODES, { ...base, status: want(base) }, { signal });
      },
      { signal },
    ).catch(async (err: unknown) => {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      this.o.log.warn('Node was deleted, registering it again', { node: this.name });
      return this.o.reregister();
    });
    this.lastReport = now;
    this.force = false;
    this.writtenRv = written.metadata.resourceVersion;
    this.setNode(written);
  }

  private fetch(signal: AbortSignal): Promise<Node> {
    return this.o.client.get<Node>(NODES, this.name, { signal });
  }

  // A watch event: the new base; unless it is our own write, the loop looks at it at once.
  private observed(n: Node): void {
    this.setNode(n);
    if (n.metadata.resourceVersion !== this.writtenRv) this.wake();
  }

  private setNode(n: Node): void {
    this.current = n;
    const cidr = n.spec?.podCIDR || undefined;
    if (!cidr || cidr === this.cidr) return;
    this.cidr = cidr;
    this.o.log.info('Node pod CIDR assigned', { node: this.name, podCIDR: cidr });
    for (const cb of this.cidrListeners) {
      try {
        cb(cidr);
      } catch (err) {
        this.o.log.error('Pod CIDR listener failed', { node: this.name, err: err as Error });
      }
    }
  }

  private wake(): void {
    this.pending = true;
    this.interrupt?.();
  }

  // Sleeps `ms`, less when woken, none when a wake came during the last sync.
  private async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    const woken = new AbortController();
    this.interrupt = () => woken.abort();
    const both = AbortSignal.any([signal, woken.signal]);
    await sleep(ms, both);
    this.interrupt = undefined;
    this.pending = false;
  }

  private failed(err: unknown, retryInMs: number): void {
    this.failures++;
    const fields = { node: this.name, failures: this.failures, retryInMs, err: err as Error };
    if (this.failures === 1) this.o.log.warn('Failed to update node status, retrying', fields);
    else this.o.log.debug('Failed to update node status, retrying', fields);
  }

  private recovered(): void {
    if (this.failures > 0) {
      this.o.log.info('Node status updated again', {
        node: this.name,
        failures: this.failures,
      });
    }
    this.failures = 0;
  }
}
