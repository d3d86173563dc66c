/**
 * Samples a set of pods through a real watch (an Informer, so it rides out
 * an API server restart): after every event it counts the pods that exist
 * (not terminating) and those available (Ready, not terminating), and
 * keeps the extremes. Each event is one sampled moment, so a bound that
 * held at every sample held at every state the watch published.
 */
import type { ApiClient } from '../../../../control-plane/api/client/client.ts';
import { Informer } from '../../../../control-plane/api/client/informer.ts';
import type { Logger } from '../../../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { Pod } from '../../../../control-plane/api/types.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

export class PodSampler {
  minAvailable = Infinity;
  maxPods = 0;
  events = 0;
  /** Every pod name ever seen. */
  readonly seen = new Set<string>();
  private readonly informer: Informer<Pod>;
  private readonly ac = new AbortController();
  private running: Promise<void> = Promise.resolve();

  private constructor(informer: Informer<Pod>) {
    this.informer = informer;
  }

  /** Lists the pods matching `labels`, then follows them until stop(). */
  static async start(
    client: ApiClient,
    namespace: string,
    labels: Record<string, string>,
    logger?: Logger,
  ): Promise<PodSampler> {
    const labelSelector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const informer = new Informer<Pod>({
      client,
      resource: PODS,
      namespace,
      labelSelector,
      backoff: { initialMs: 50, maxMs: 500 },
      ...(logger ? { logger } : {}),
    });
    const s = new PodSampler(informer);
    // The first list arrives one add at a time: sample only once it is whole.
    let live = false;
    const sample = (p: Pod): void => {
      s.seen.add(p.metadata.name ?? '');
      if (!live) return;
      s.events++;
      s.sample();
    };
    informer
      .on('add', sample)
      .on('update', (_o, p) => sample(p))
      .on('delete', sample);
    s.running = informer.start(s.ac.signal);
    await informer.ready;
    live = true;
    s.sample();
    return s;
  }

  /** Ends the watch. */
  async stop(): Promise<void> {
    this.ac.abort();
    await this.running;
  }

  private sample(): void {
    let pods = 0;
    let available = 0;
    for (const p of this.informer.list()) {
      if (p.metadata.deletionTimestamp) continue;
      pods++;
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) available++;
    }
    this.minAvailable = Math.min(this.minAvailable, available);
    this.maxPods = Math.max(this.maxPods, pods);
  }
}
