/**
 * The node's heartbeat: the Lease kube-node-lease/<node> (coordination.k8s.io/v1)
 * renewed every renewInterval (25% of its 40 s duration: 10 s), as the
 * kubelet's lease controller (k8s.io/component-helpers/apimachinery/lease):
 * holderIdentity the node name, an ownerReference to the Node (so the
 * Lease goes with it), renewTime now. It updates the Lease it last wrote
 * without reading it first; on a Conflict or NotFound it reads (or
 * creates) it again. On any failure it retries after 200 ms doubling to
 * 7 s, the lease controller's maxBackoff, and keeps going until stopped: an
 * API server outage only delays the next renewal.
 */
import { Backoff, sleep, type BackoffOptions } from '../../control-plane/api/client/backoff.ts';
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { ApiError } from '../../control-plane/api/errors.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Lease } from '../../control-plane/api/types.ts';
import { systemClock, type Clock } from '../kubelet/clock.ts';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

/** Where kubelets keep their heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** The kubelet's nodeLeaseDurationSeconds. */
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
/** The lease controller's retry after a failure: 200 ms doubling to 7 s (maxBackoff). */
export const LEASE_RETRY_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 7_000 };

/** metav1.MicroTime text: RFC 3339 with microseconds ("2025-01-01T10:00:00.123000Z"). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The Lease to write at `nowMs`: `base` (the stored one; a new one when
 * undefined) with holder, duration and renewTime asserted, and an
 * ownerReference to the Node when its uid is known and the Lease has no
 * owner or an owner of another uid (a re-created Node).
 */
export function renewedLease(
  nodeName: string,
  base: Lease | undefined,
  nodeUid: string | undefined,
  durationSeconds: number,
  nowMs: number,
): Lease {
  const metadata = base?.metadata ?? { name: nodeName, namespace: NODE_LEASE_NAMESPACE };
  const owners = metadata.ownerReferences ?? [];
  const owned = owners.some((r) => r.kind === 'Node' && r.uid === nodeUid);
  const ownerReferences =
    nodeUid && !owned
      ? [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }]
      : metadata.ownerReferences;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    ...base,
    metadata: { ...metadata, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: {
      ...base?.spec,
      holderIdentity: nodeName,
      leaseDurationSeconds: durationSeconds,
      renewTime: microTime(nowMs),
    },
  };
}

export interface LeaseHeartbeatOptions {
  client: ApiClient;
  nodeName: string;
  /** The Node's current uid (for the ownerReference); undefined until registered. */
  nodeUid: () => string | undefined;
  /** Default 40. */
  durationSeconds?: number;
  /** Default a quarter of the duration (10 s). Tests shorten it. */
  renewIntervalMs?: number;
  /** Retry delays after a failure; default LEASE_RETRY_BACKOFF. */
  backoff?: BackoffOptions;
  clock?: Clock;
  log: Logger;
}

/** Renews the node's Lease until stopped; see the file comment. */
export class LeaseHeartbeat {
  private readonly o: LeaseHeartbeatOptions;
  private readonly duration: number;
  private readonly interval: number;
  private readonly clock: Clock;
  private latest: Lease | undefined;
  private failures = 0;

  constructor(o: LeaseHeartbeatOptions) {
    this.o = o;
    this.duration = o.durationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    this.interval = o.renewIntervalMs ?? (this.duration * 1000) / 4;
    this.clock = o.clock ?? systemClock;
  }

  /** The Lease as last written, if any. */
  lease(): Lease | undefined {
    return this.latest;
  }

  /** Renews at once, then every interval (4% jitter, as wait.JitterUntil); resolves when `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.o.backoff ?? LEASE_RETRY_BACKOFF);
    while (!signal.aborted) {
      let wait: number;
      try {
        await this.renew(signal);
        backoff.reset();
        this.recovered();
        wait = this.interval * (1 + 0.04 * Math.random());
      } catch (err) {
        if (signal.aborted) break;
        wait = backoff.next();
        this.failed(err, wait);
      }
      await sleep(wait, signal);
    }
  }

  private async renew(signal: AbortSignal): Promise<void> {
    const { client, nodeName } = this.o;
    const next = (base: Lease | undefined) =>
      renewedLease(nodeName, base, this.o.nodeUid(), this.duration, this.clock.now());
    if (this.latest) {
      try {
        this.latest = await client.update(LEASES, next(this.latest), { signal });
        return;
      } catch (err) {
        // Someone else wrote it, or it was deleted: read it again below.
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
        this.latest = undefined;
      }
    }
    const opts = { namespace: NODE_LEASE_NAMESPACE, signal };
    let stored: Lease | undefined;
    try {
      stored = await client.get<Lease>(LEASES, nodeName, opts);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    this.latest = stored
      ? await client.update(LEASES, next(stored), opts)
      : await client.create(LEASES, next(undefined), opts);
  }

  // The first failure of a run of them is a warning; the rest are quiet until it works again.
  private failed(err: unknown, retryInMs: number): void {
    this.failures++;
    const fields = { node: this.o.nodeName, failures: this.failures, retryInMs, err: err as Error };
    if (this.failures === 1) this.o.log.warn('Failed to renew node lease, retrying', fields);
    else this.o.log.debug('Failed to renew node lease, retrying', fields);
  }

  private recovered(): void {
    if (this.failures > 0) {
      this.o.log.info('Node lease renewed again', {
        node: this.o.nodeName,
        failures: this.failures,
      });
    }
    this.failures = 0;
  }
}
