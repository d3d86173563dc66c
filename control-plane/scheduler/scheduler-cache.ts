/**
 * The scheduling loop's view of the cluster (kube-scheduler's cache plus
 * its event handlers): informers on nodes, pods and namespaces keep the
 * ClusterSnapshot and the SchedulingQueue in step.
 *
 * - a bound pod counts on its node; a pod the loop assumed counts there
 *   from the moment it was scheduled, and an older, unbound version of it
 *   arriving afterwards is ignored until the binding is confirmed or fails;
 * - a pending pod of ours enters the queue, and again when its spec or
 *   metadata change (never for status-only updates, such as our own
 *   PodScheduled=False write);
 * - node additions, relevant node updates and bound-pod changes move the
 *   unschedulable pods those events could help.
 *
 * `onWork` is called when the queue may have something new to pop.
 */
import type { ApiClient } from '../api/client/client.ts';
import { Informer } from '../api/client/informer.ts';
import { objectKey } from '../api/client/informer-cache.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Namespace, Node, Pod } from '../api/types.ts';
import type { Clock } from '../controllers/runtime/clock.ts';
import type { ClusterEvent, SchedulingQueue } from './queue.ts';
import { isPendingFor, nodeSchedulingChanged, podSpecChanged } from './scheduler-handlers.ts';
import { ClusterSnapshot } from './snapshot.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

export interface SchedulerCacheOptions {
  client: ApiClient;
  schedulerName: string;
  queue: SchedulingQueue;
  clock: Clock;
  logger: Logger;
  onWork: () => void;
}

export class SchedulerCache {
  readonly snapshot = new ClusterSnapshot();
  /** Resolves once nodes, pods and namespaces are listed. */
  readonly ready: Promise<void>;
  private readonly o: SchedulerCacheOptions;
  private readonly informers: [Informer<Node>, Informer<Pod>, Informer<Namespace>];
  // Pods counted on a node while their binding is in flight: key → node.
  private readonly assumed = new Map<string, string>();

  constructor(o: SchedulerCacheOptions) {
    this.o = o;
    const common = { client: o.client, logger: o.logger };
    const nodes = new Informer<Node>({ ...common, resource: NODES });
    const pods = new Informer<Pod>({ ...common, resource: PODS });
    const namespaces = new Informer<Namespace>({ ...common, resource: NAMESPACES });
    this.informers = [nodes, pods, namespaces];
    nodes
      .on('add', (n) => {
        this.snapshot.upsertNode(n);
        this.move('NodeAdd');
      })
      .on('update', (old, n) => {
        this.snapshot.upsertNode(n);
        if (nodeSchedulingChanged(old, n)) this.move('NodeUpdate');
      })
      .on('delete', (n) => this.snapshot.removeNode(n.metadata.name ?? ''));
    pods
      .on('add', (p) => this.podChanged(undefined, p))
      .on('update', (old, p) => this.podChanged(old, p))
      .on('delete', (p) => this.podDeleted(p));
    const labels = (ns: Namespace) =>
      this.snapshot.setNamespaceLabels(ns.metadata.name ?? '', ns.metadata.labels ?? {});
    namespaces
      .on('add', labels)
      .on('update', (_o, ns) => labels(ns))
      .on('delete', (ns) => this.snapshot.setNamespaceLabels(ns.metadata.name ?? '', undefined));
    this.ready = Promise.all(this.informers.map((i) => i.ready)).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  /** Runs the informers until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return Promise.all(this.informers.map((i) => i.start(signal))).then(() => undefined);
  }

  /** Counts `pod` on `node` before the binding is confirmed. */
  assume(key: string, pod: Pod, node: string): void {
    this.snapshot.assume(pod, node);
    this.assumed.set(key, node);
  }

  /** The binding to `node` failed: stop counting the pod there. */
  forget(key: string, node: string): void {
    if (this.assumed.get(key) !== node) return;
    this.assumed.delete(key);
    this.snapshot.removePod(key);
  }

  private podChanged(old: Pod | undefined, pod: Pod): void {
    const key = objectKey(pod);
    const { queue, clock } = this.o;
    if (pod.spec?.nodeName) {
      // Our binding confirmed: the assumed copy already counts there, and the
      // cluster changed in no way that could help an unschedulable pod.
      if (old && !old.spec?.nodeName && this.assumed.get(key) === pod.spec.nodeName) {
        this.assumed.delete(key);
        return;
      }
      // Bound by someone else, or changed since: count it where it is.
      this.assumed.delete(key);
      queue.delete(key);
      this.snapshot.upsertPod(pod);
      this.move(old?.spec?.nodeName ? 'AssignedPodUpdate' : 'AssignedPodAdd');
      return;
    }
    // An unbound version of a pod we assumed is older than our binding: ignore it.
    if (this.assumed.has(key)) return;
    if (!isPendingFor(pod, this.o.schedulerName)) {
      queue.delete(key);
      return;
    }
    if (old === undefined || podSpecChanged(old, pod) || queue.stateOf(key) === undefined) {
      queue.add(pod, clock.now());
      this.o.onWork();
    }
  }

  private podDeleted(pod: Pod): void {
    const key = objectKey(pod);
    this.o.queue.delete(key);
    this.assumed.delete(key);
    const counted = this.snapshot.nodeOfPod(key) !== undefined;
    this.snapshot.removePod(key);
    if (counted) this.move('AssignedPodDelete');
  }

  private move(event: ClusterEvent): void {
    if (this.o.queue.moveAllToActiveOrBackoff(event, this.o.clock.now()) > 0) this.o.onWork();
  }
}
