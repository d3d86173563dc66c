/**
 * The node lifecycle controller (Kubernetes' node lifecycle and taint
 * eviction controllers):
 *
 * - desired: every node heard from within its grace period (40 s), by the
 *   controller's own clock, from its Lease (kube-node-lease/<node>) or its
 *   Ready heartbeat; pods only where their tolerations allow;
 * - observed: nodes, their Leases and their pods from the caches, and when
 *   this controller last saw each node's lease or heartbeat change;
 * - sync: a silent node's conditions become Unknown ("Kubelet stopped
 *   posting node status."); its taints follow its conditions
 *   (unreachable / not-ready NoExecute and NoSchedule, pressure, cordon)
 *   and are removed when it is back; pods on a lost node are marked not
 *   Ready; pods a NoExecute taint does not tolerate are deleted (gracefully)
 *   at once, or after their tolerationSeconds. Their controllers replace them.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { objectKey } from '../api/client/informer-cache.ts';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Lease, Node, Pod, Taint } from '../api/types.ts';
import { evictionTime, podNotReadyStatus } from './node-lifecycle/eviction.ts';
import { getIfExists } from './runtime/api-answers.ts';
import {
  DEFAULT_HEALTH_TIMING,
  graceLeftMs,
  lostNodeConditions,
  observe,
  readyCondition,
  type HealthTiming,
  type Probe,
} from './node-lifecycle/health.ts';
import { PodsByNode } from './node-lifecycle/pods-by-node.ts';
import { syncTaints, wantedTaints } from './node-lifecycle/taints.ts';
import type { Clock } from './runtime/clock.ts';
import type { Result } from './runtime/controller.ts';
import type { ControllerSpec } from './runtime/spec.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

/** The namespace of the kubelets' heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Timeouts of the node lifecycle controller (shortened in tests). */
export interface NodeLifecycleOptions {
  /** Silence allowed to a node that has reported. Default 40 s. */
  gracePeriodMs?: number;
  /** Silence allowed to a node that never reported Ready. Default 60 s. */
  startupGracePeriodMs?: number;
}

/** What reconcileNode reads and writes, and the controller's memory of each node. */
export interface NodeLifecycleDeps {
  client: ApiClient;
  nodes: Informer<Node>;
  leases: Informer<Lease>;
  pods: PodsByNode;
  clock: Clock;
  timing: HealthTiming;
  logger: Logger;
  /** Last sign of life per node. */
  probes: Map<string, Probe>;
  /** When the node's current NoExecute taints were first seen (for taints without timeAdded). */
  taintsSeen: Map<string, { signature: string; at: number }>;
}

/** The controller with settings (shorter grace periods for tests). */
export function nodeLifecycleController(opts: NodeLifecycleOptions = {}): ControllerSpec {
  const timing: HealthTiming = {
    gracePeriodMs: opts.gracePeriodMs ?? DEFAULT_HEALTH_TIMING.gracePeriodMs,
    startupGracePeriodMs: opts.startupGracePeriodMs ?? DEFAULT_HEALTH_TIMING.startupGracePeriodMs,
  };
  return {
    name: 'node-lifecycle',
    workers: 2,
    setup(ctx) {
      const nodes = ctx.informer<Node>(NODES);
      const leases = ctx.informer<Lease>(LEASES);
      const podInformer = ctx.informer<Pod>(PODS);
      const deps: NodeLifecycleDeps = {
        client: ctx.client,
        nodes,
        leases,
        pods: new PodsByNode(podInformer),
        clock: ctx.clock,
        timing,
        logger: ctx.logger,
        probes: new Map(),
        taintsSeen: new Map(),
      };
      const byName = (o: { metadata: { name?: string } }) => ctx.queue.add(o.metadata.name ?? '');
      nodes
        .on('add', byName)
        .on('update', (_old, n) => byName(n))
        .on('delete', byName);
      const lease = (l: Lease) => {
        if (l.metadata.namespace === NODE_LEASE_NAMESPACE) byName(l);
      };
      leases.on('add', lease).on('update', (_old, l) => lease(l));
      // A pod newly bound to a node may be one its taints evict.
      const pod = (p: Pod) => {
        if (p.spec?.nodeName) ctx.queue.add(p.spec.nodeName);
      };
      podInformer.on('add', pod).on('update', (old, p) => {
        if (old.spec?.nodeName !== p.spec?.nodeName) pod(p);
      });
      return { reconcile: (key) => reconcileNode(key, deps) };
    },
  };
}

/** The controller with Kubernetes' defaults (40 s grace, 60 s at startup). */
export const controller: ControllerSpec = nodeLifecycleController();

/** One pass for the node named `name`; safe to repeat. */
export async function reconcileNode(name: string, d: NodeLifecycleDeps): Promise<Result> {
  let node = d.nodes.get(name);
  if (!node) {
    d.probes.delete(name);
    d.taintsSeen.delete(name);
    return;
  }
  const now = d.clock.now();
  const lease = d.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`);
  const probe = observe(d.probes.get(name), node, lease, now);
  d.probes.set(name, probe);

  const conditions = lostNodeConditions(node, probe, now, d.timing);
  if (conditions) {
    d.logger.info('Node stopped posting status; marking it Unknown', {
      node: name,
      silentMs: now - probe.at,
    });
    node = await d.client.updateStatus(NODES, { ...node, status: { ...node.status, conditions } });
  }
  const taints = syncTaints(node.spec?.taints ?? [], wantedTaints(node), now);
  if (taints) {
    d.logger.info('Updating node taints', { node: name, taints: taints.map(taintText) });
    node = await d.client.update(NODES, { ...node, spec: { ...node.spec, taints } });
  }

  const pods = d.pods.on(name);
  if (readyCondition(node)?.status === 'Unknown') await markPodsNotReady(d, pods, now);
  const nextEviction = await evictPods(d, node, pods, now);

  const waits: number[] = [];
  const left = graceLeftMs(node, probe, now, d.timing);
  if (left >= 0) waits.push(left + 1);
  if (nextEviction !== undefined) waits.push(nextEviction - now);
  return waits.length > 0 ? { requeueAfter: Math.max(1, Math.min(...waits)) } : undefined;
}

async function markPodsNotReady(d: NodeLifecycleDeps, pods: readonly Pod[], now: number) {
  for (const cached of pods) {
    if (!podNotReadyStatus(cached, now)) continue;
    d.logger.info('Marking pod not ready on an unreachable node', { pod: objectKey(cached) });
    try {
      await writeNotReady(d.client, cached, now);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409) throw err;
      // The cached pod was stale: once more from a fresh read.
      const fresh = await getIfExists<Pod>(d.client, PODS, cached.metadata.name ?? '', {
        namespace: cached.metadata.namespace,
      });
      if (fresh) await writeNotReady(d.client, fresh, now);
    }
  }
}

async function writeNotReady(client: ApiClient, pod: Pod, now: number): Promise<void> {
  const status = podNotReadyStatus(pod, now);
  if (!status) return;
  try {
    await client.updateStatus(PODS, { ...pod, status });
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return;
    throw err;
  }
}

/** Deletes the pods due for eviction; returns the next eviction time still ahead, if any. */
async function evictPods(
  d: NodeLifecycleDeps,
  node: Node,
  pods: readonly Pod[],
  now: number,
): Promise<number | undefined> {
  const taints = node.spec?.taints ?? [];
  const seenAt = taintsSeenAt(d, node.metadata.name ?? '', taints, now);
  let next: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const when = evictionTime(pod, taints, seenAt);
    if (when === 'never') continue;
    if (when.atMs > now) {
      next = next === undefined ? when.atMs : Math.min(next, when.atMs);
      continue;
    }
    d.logger.info('Evicting pod from a NoExecute-tainted node', {
      pod: objectKey(pod),
      node: node.metadata.name,
    });
    await tolerateGone(() =>
      d.client.delete(PODS, pod.metadata.name ?? '', {
        namespace: pod.metadata.namespace,
        preconditions: { uid: pod.metadata.uid },
      }),
    );
  }
  return next;
}

// When this controller first saw the node's current NoExecute taint set.
function taintsSeenAt(d: NodeLifecycleDeps, node: string, taints: readonly Taint[], now: number) {
  const signature = taints
    .filter((t) => t.effect === 'NoExecute')
    .map(taintText)
    .sort()
    .join(',');
  const seen = d.taintsSeen.get(node);
  if (seen && seen.signature === signature) return seen.at;
  d.taintsSeen.set(node, { signature, at: now });
  return now;
}

function taintText(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

// A pod gone (404) or replaced by a namesake (409 on the uid precondition): nothing to evict.
async function tolerateGone(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
    throw err;
  }
}
