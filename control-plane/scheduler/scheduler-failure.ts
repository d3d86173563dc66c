/**
 * What the scheduler writes when a pod fits nowhere: the PodScheduled=False
 * condition (reason Unschedulable, kube-scheduler's message) through
 * pods/status, and a FailedScheduling Warning event. Repeats of the same
 * event for the same pod bump its count and lastTimestamp, as client-go's
 * event correlator aggregates them, instead of creating new events.
 */
import type { ApiClient } from '../api/client/client.ts';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Event, Pod } from '../api/types.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;
// Events remembered for aggregation (client-go's LRU holds 4096).
const MAX_REMEMBERED = 4096;

/** True when the pod already shows this exact PodScheduled=False verdict. */
export function hasUnschedulableCondition(pod: Pod, message: string): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === 'Unschedulable' && c.message === message;
}

export class FailureRecorder {
  private readonly client: ApiClient;
  private readonly log: Logger;
  private readonly component: string;
  private readonly now: () => number;
  private readonly events = new Map<string, { name: string; namespace: string; count: number }>();

  constructor(opts: { client: ApiClient; logger: Logger; component: string; now: () => number }) {
    this.client = opts.client;
    this.log = opts.logger;
    this.component = opts.component;
    this.now = opts.now;
  }

  /** Writes the condition (unless already there) and the event; failures are logged, not thrown. */
  async record(pod: Pod, message: string): Promise<void> {
    await Promise.all([this.writeCondition(pod, message), this.event(pod, message)]);
  }

  private async writeCondition(pod: Pod, message: string): Promise<void> {
    if (hasUnschedulableCondition(pod, message)) return;
    const cur = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
    const t = new Date(this.now()).toISOString();
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: cur?.status === 'False' ? cur.lastTransitionTime : t,
    };
    try {
      await this.client.patch(
        PODS,
        pod.metadata.name ?? '',
        { status: { conditions: [condition] } },
        {
          type: 'strategic',
          subresource: 'status',
          namespace: pod.metadata.namespace,
        },
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      this.log.warn('Failed to set PodScheduled=False', { pod: podRef(pod), err: err as Error });
    }
  }

  private async event(pod: Pod, message: string): Promise<void> {
    const key = `${pod.metadata.uid ?? ''}\u0000${message}`;
    const seen = this.events.get(key);
    const t = new Date(this.now()).toISOString();
    try {
      if (seen) {
        seen.count++;
        await this.client.patch(
          EVENTS,
          seen.name,
          { count: seen.count, lastTimestamp: t },
          {
            type: 'merge',
            namespace: seen.namespace,
          },
        );
        return;
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) {
        this.log.warn('Failed to update event', { pod: podRef(pod), err: err as Error });
        return;
      }
      this.events.delete(key);
    }
    await this.createEvent(pod, message, key, t);
  }

  private async createEvent(pod: Pod, message: string, key: string, t: string): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.metadata.name ?? ''}.${eventSuffix(this.now())}`, namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace,
        name: pod.metadata.name ?? '',
        uid: pod.metadata.uid ?? '',
        resourceVersion: pod.metadata.resourceVersion ?? '',
      },
      reason: 'FailedScheduling',
      message,
      type: 'Warning',
      source: { component: this.component },
      reportingComponent: this.component,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
    };
    try {
      const created = await this.client.create(EVENTS, ev);
      if (this.events.size >= MAX_REMEMBERED)
        this.events.delete(this.events.keys().next().value ?? '');
      this.events.set(key, { name: created.metadata.name ?? '', namespace, count: 1 });
    } catch (err) {
      this.log.warn('Failed to record event', { pod: podRef(pod), err: err as Error });
    }
  }
}

// "<name>.<unix nanoseconds in hex>", as client-go names events.
function eventSuffix(ms: number): string {
  return (BigInt(ms) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16);
}

function podRef(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
