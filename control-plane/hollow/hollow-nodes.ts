/**
 * Hollow nodes, as Kubernetes' kubemark: many fake nodes in one process
 * that register a Node, renew their Lease in kube-node-lease every 10 s,
 * report the pods bound to them Running and Ready without running any
 * container, and confirm pod deletion (DELETE with gracePeriodSeconds 0
 * once a deletionTimestamp appears). They exist to measure and test the
 * control plane at scale; they never prove a real capability.
 *
 * Cheap in numbers: one pod informer and one node informer serve every
 * hollow node of the process, and one 1-second tick renews the leases that
 * are due. A node can be stopped (it goes silent: no lease renewals, no pod
 * reports, no deletion confirmations, as a crashed kubelet) and resumed.
 *
 * @example
 * const nodes = await startHollowNodes({ client, names: ['hollow-0', 'hollow-1'], signal });
 * nodes.stop('hollow-1'); // the node lifecycle controller will notice
 */
import type { ApiClient } from '../api/client/client.ts';
import { Informer } from '../api/client/informer.ts';
import { objectKey } from '../api/client/informer-cache.ts';
import { ApiError } from '../api/errors.ts';
import { rootLogger, type Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Lease, Node, Pod } from '../api/types.ts';
import {
  DEFAULT_CAPACITY,
  hollowNode,
  microTime,
  nodeAddress,
  nodeLease,
  reportedRunning,
  runningStatusPatch,
  type HollowCapacity,
} from './hollow-objects.ts';
import { PodIpPool } from './pod-ip-pool.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

export interface HollowNodesOptions {
  client: ApiClient;
  /** Node names; each is registered unless a Node of that name exists. */
  names: readonly string[];
  capacity?: HollowCapacity;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Lease renewal period. Default 10 000 ms (the kubelet's). */
  leaseRenewMs?: number;
  /** Report bound pods Running and Ready. Default true. */
  reportPods?: boolean;
  /** Writes at once while registering and renewing. Default 32. */
  concurrency?: number;
  logger?: Logger;
  /** Aborting stops every hollow node (Nodes and Leases stay). */
  signal: AbortSignal;
}

interface HollowState {
  name: string;
  index: number;
  uid: string | undefined;
  ip: string;
  pool: PodIpPool | undefined;
  /** The pod CIDR `pool` serves; undefined for the fallback range. */
  cidr: string | undefined;
  lease: Lease | undefined;
  renewAt: number;
  stopped: boolean;
}

export class HollowNodes {
  /** Resolves when every background loop ended after the signal aborted. */
  done: Promise<void> = Promise.resolve();
  private readonly o: HollowNodesOptions;
  private readonly log: Logger;
  private readonly nodes = new Map<string, HollowState>();
  private readonly pods: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  // Pods with a write in flight, so one event burst causes one write.
  private readonly busy = new Set<string>();
  private readonly renewMs: number;

  constructor(o: HollowNodesOptions) {
    this.o = o;
    this.log = (o.logger ?? rootLogger).child({ component: 'hollow-nodes' });
    this.renewMs = o.leaseRenewMs ?? 10_000;
    o.names.forEach((name, index) => {
      const renewAt = Date.now() + Math.floor(Math.random() * this.renewMs);
      const state = { name, index, uid: undefined, ip: nodeAddress(index) };
      this.nodes.set(name, {
        ...state,
        pool: undefined,
        cidr: undefined,
        lease: undefined,
        renewAt,
        stopped: false,
      });
    });
    const common = { client: o.client, logger: this.log };
    this.pods = new Informer<Pod>({ ...common, resource: PODS });
    this.nodeInformer = new Informer<Node>({ ...common, resource: NODES });
    if (o.reportPods !== false) {
      this.pods.on('add', (p) => this.podChanged(p)).on('update', (_o, p) => this.podChanged(p));
      this.pods.on('delete', (p) => this.podGone(p));
    }
    this.nodeInformer
      .on('add', (n) => this.nodeChanged(n))
      .on('update', (_o, n) => this.nodeChanged(n));
  }

  /** Registers the nodes and their leases, then starts the loops. */
  async start(): Promise<void> {
    const { signal } = this.o;
    await this.forEach([...this.nodes.values()], (s) => this.register(s));
    const loops = [this.nodeInformer.start(signal), this.renewLoop()];
    if (this.o.reportPods !== false) loops.push(this.pods.start(signal));
    this.done = Promise.all(loops).then(() => undefined);
    await Promise.all([
      this.nodeInformer.ready,
      this.o.reportPods !== false ? this.pods.ready : undefined,
    ]);
    this.log.info('Hollow nodes running', { nodes: this.nodes.size });
  }

  /** The node goes silent, as if its kubelet died. */
  stop(name: string): void {
    this.state(name).stopped = true;
  }

  /** The node comes back: renews its lease and reports its pods again. */
  resume(name: string): void {
    const s = this.state(name);
    s.stopped = false;
    s.renewAt = 0;
    for (const p of this.pods.list()) if (p.spec?.nodeName === name) this.podChanged(p);
  }

  /** The names of the hollow nodes. */
  names(): string[] {
    return [...this.nodes.keys()];
  }

  private state(name: string): HollowState {
    const s = this.nodes.get(name);
    if (!s) throw new Error(`no hollow node named "${name}"`);
    return s;
  }

  private async register(s: HollowState): Promise<void> {
    const node = hollowNode(
      s.name,
      s.index,
      this.o.capacity ?? DEFAULT_CAPACITY,
      this.o.labels ?? {},
      Date.now(),
    );
    try {
      s.uid = (await this.o.client.create(NODES, node)).metadata.uid;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      s.uid = (await this.o.client.get<Node>(NODES, s.name)).metadata.uid;
    }
    await this.renew(s);
    // Spread the next renewals over the period, as independent kubelets are.
    s.renewAt = Date.now() + Math.floor(Math.random() * this.renewMs);
  }

  private nodeChanged(n: Node): void {
    const s = this.nodes.get(n.metadata.name ?? '');
    const cidr = n.spec?.podCIDR;
    // Pods started before node IPAM assigned the CIDR keep their fallback addresses.
    if (!s || !cidr || cidr === s.cidr) return;
    s.pool = new PodIpPool(cidr);
    s.cidr = cidr;
  }

  private async renewLoop(): Promise<void> {
    const { signal } = this.o;
    while (!signal.aborted) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
      const now = Date.now();
      const due = [...this.nodes.values()].filter((s) => !s.stopped && s.renewAt <= now);
      await this.forEach(due, (s) =>
        this.renew(s).catch((err: unknown) => this.renewFailed(s, err)),
      );
    }
  }

  private renewFailed(s: HollowState, err: unknown): void {
    if (this.o.signal.aborted) return;
    s.lease = undefined; // re-read on the next try
    this.log.warn('Failed to renew node lease', { node: s.name, err: err as Error });
  }

  // Creates the lease, or updates it with a new renewTime (re-reading on a conflict).
  private async renew(s: HollowState): Promise<void> {
    const now = Date.now();
    s.renewAt = now + this.renewMs;
    const { client } = this.o;
    if (!s.lease) {
      try {
        s.lease = await client.create(LEASES, nodeLease(s.name, s.uid, now));
        return;
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
        s.lease = await client.get<Lease>(LEASES, s.name, { namespace: 'kube-node-lease' });
      }
    }
    const lease = s.lease;
    s.lease = await client.update(LEASES, {
      ...lease,
      spec: { ...lease.spec, holderIdentity: s.name, renewTime: microTime(now) },
    });
  }

  private podChanged(pod: Pod): void {
    const s = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!s || s.stopped) return;
    const key = objectKey(pod);
    if (this.busy.has(key)) return;
    if (pod.metadata.deletionTimestamp) this.write(key, () => this.confirmDeletion(s, pod));
    else if (!reportedRunning(pod) && isRunnable(pod))
      this.write(key, () => this.reportRunning(s, pod));
  }

  private podGone(pod: Pod): void {
    this.nodes.get(pod.spec?.nodeName ?? '')?.pool?.release(objectKey(pod));
  }

  private write(key: string, fn: () => Promise<unknown>): void {
    this.busy.add(key);
    fn()
      .catch((err: unknown) => {
        if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
        if (!this.o.signal.aborted)
          this.log.warn('Hollow pod write failed', { pod: key, err: err as Error });
      })
      .finally(() => {
        this.busy.delete(key);
        // Re-check: the pod may have changed while the write was in flight.
        const cur = this.pods.get(key);
        if (cur && !this.o.signal.aborted) this.podChanged(cur);
      });
  }

  private reportRunning(s: HollowState, pod: Pod): Promise<unknown> {
    const podIP = (s.pool ??= fallbackPool(s.index)).acquire(objectKey(pod));
    const patch = runningStatusPatch(pod, s.ip, podIP, Date.now());
    return this.o.client.patch(PODS, pod.metadata.name ?? '', patch, {
      type: 'strategic',
      subresource: 'status',
      namespace: pod.metadata.namespace,
    });
  }

  private confirmDeletion(s: HollowState, pod: Pod): Promise<unknown> {
    s.pool?.release(objectKey(pod));
    return this.o.client.delete(PODS, pod.metadata.name ?? '', {
      namespace: pod.metadata.namespace,
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    });
  }

  private async forEach<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await fn(items[next++] as T);
    };
    const n = Math.min(this.o.concurrency ?? 32, items.length);
    await Promise.all(Array.from({ length: n }, worker));
  }
}

/** Starts hollow nodes and resolves once they are registered and watching. */
export async function startHollowNodes(opts: HollowNodesOptions): Promise<HollowNodes> {
  const nodes = new HollowNodes(opts);
  await nodes.start();
  return nodes;
}

// Finished pods stay as they are; everything else is "running".
function isRunnable(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

// Without a podCIDR from node IPAM: a /24 of 100.64.0.0/10 per node index. Hollow pod
// IPs are only reported, never routed or reached.
function fallbackPool(index: number): PodIpPool {
  return new PodIpPool(`100.${64 + ((index >> 8) & 63)}.${index & 255}.0/24`);
}
