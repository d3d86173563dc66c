/**
 * The DaemonSet controller (Kubernetes' pkg/controller/daemon): one pod
 * per eligible node.
 *
 * - desired: the DaemonSet (template, selector, update strategy) and the
 *   nodes its template admits (nodeSelector, required node affinity,
 *   taints against the template's tolerations plus the daemon ones);
 * - observed: the pods it controls (after claiming matching orphans),
 *   grouped by the node each is pinned to;
 * - sync: manage() creates pods on nodes lacking one and deletes pods that
 *   may not stay, failed pods and duplicates; then RollingUpdate replaces
 *   old-template pods within maxUnavailable; the status follows.
 *
 * Pods are created unbound, pinned by required node affinity on
 * metadata.name, so the scheduler binds them as Kubernetes does.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { DaemonSet, Node, Pod } from '../api/types.ts';
import { manage, rollingUpdate, type DaemonPlan } from './daemonset/plan.ts';
import { daemonPod, podsByNode, revisionHash } from './daemonset/pods.ts';
import { daemonSetStatus, nextAvailableInMs } from './daemonset/status.ts';
import { registerOwnedPodEvents } from './job/owned-pod-events.ts';
import { statusChanged } from './job/status-changed.ts';
import { createPods, deletePods } from './job/pod-writes.ts';
import { WriteExpectations } from './job/write-expectations.ts';
import { ObjectIndex } from './replicaset-index.ts';
import { applyClaim, planClaim } from './replicaset-ownership.ts';
import { controllerRef } from './replicaset-pods.ts';
import { selectorOf } from './replicaset-selector.ts';
import type { Clock } from './runtime/clock.ts';
import { TerminalError, type Result } from './runtime/controller.ts';
import type { ControllerSpec } from './runtime/spec.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const DAEMONSETS = findResource('apps', 'v1', 'daemonsets') as ResourceInfo;

/** Kubernetes' failedPodsBackoff: 1 s doubling to 15 minutes per DaemonSet and node. */
const FAILED_BACKOFF_MS = 1_000;
const FAILED_BACKOFF_MAX_MS = 15 * 60_000;

/** What reconcileDaemonSet reads and writes. */
export interface DaemonSetDeps {
  client: ApiClient;
  daemonSets: Informer<DaemonSet>;
  nodes: Informer<Node>;
  pods: ObjectIndex<Pod>;
  expectations: WriteExpectations;
  clock: Clock;
  logger: Logger;
  /** Failed-pod backoff per "<ds key>@<node>". */
  backoff: Map<string, { delayMs: number; lastMs: number }>;
}

/** The controller as the manager runs it (2 workers, as ConcurrentDaemonSetSyncs). */
export const controller: ControllerSpec = {
  name: 'daemonset',
  workers: 2,
  setup(ctx) {
    const daemonSets = ctx.informer<DaemonSet>(DAEMONSETS);
    const nodes = ctx.informer<Node>(NODES);
    const podInformer = ctx.informer<Pod>(PODS);
    const deps: DaemonSetDeps = {
      client: ctx.client,
      daemonSets,
      nodes,
      pods: new ObjectIndex(podInformer),
      expectations: new WriteExpectations({ clock: ctx.clock }),
      clock: ctx.clock,
      logger: ctx.logger,
      backoff: new Map(),
    };
    registerOwnedPodEvents(podInformer, {
      kind: 'DaemonSet',
      group: 'apps',
      owners: daemonSets,
      ownerIndex: new ObjectIndex(daemonSets),
      selectorOf,
      expectations: deps.expectations,
      queue: ctx.queue,
    });
    // Any node change that can move eligibility: every DaemonSet looks again.
    const all = (): void => {
      for (const key of daemonSets.keys()) ctx.queue.add(key);
    };
    nodes
      .on('add', all)
      .on('update', (old, n) => {
        if (placementInputsChanged(old, n)) all();
      })
      .on('delete', all);
    return { reconcile: (key) => reconcileDaemonSet(key, deps) };
  },
};

function placementInputsChanged(a: Node, b: Node): boolean {
  const pick = (n: Node) =>
    JSON.stringify([n.metadata.labels ?? {}, n.spec?.taints ?? [], n.spec?.unschedulable ?? false]);
  return pick(a) !== pick(b);
}

/** One pass for the DaemonSet with `key` ("namespace/name"); safe to repeat. */
export async function reconcileDaemonSet(key: string, d: DaemonSetDeps): Promise<Result> {
  const ds = d.daemonSets.get(key);
  if (!ds) {
    d.expectations.delete(key);
    for (const k of d.backoff.keys()) if (k.startsWith(`${key}@`)) d.backoff.delete(k);
    return;
  }
  const selector = selectorOf(ds);
  if (!selector) throw new TerminalError(`DaemonSet ${key} has an invalid selector`);
  const hash = revisionHash(ds);
  const ref = controllerRef(ds, 'apps/v1', 'DaemonSet');
  const candidates = d.pods.inNamespace(ds.metadata.namespace ?? '');
  const owned = await applyClaim(d.client, PODS, planClaim(ds, selector, candidates), ref, () =>
    stillLive(d.client, ds),
  );
  const now = d.clock.now();
  const pods = podsByNode(owned);
  const nodes = d.nodes.list();

  let plan: DaemonPlan | undefined;
  let failure: string | undefined;
  if (!ds.metadata.deletionTimestamp && d.expectations.satisfied(key)) {
    const inputs = { nodes, pods, hash, nowMs: now, failedBackoffMs: backoffLeft(d, key, now) };
    plan = manage(ds, inputs);
    const quiet = plan.createOn.length === 0 && plan.remove.length === 0;
    if (quiet && ds.spec.updateStrategy?.type !== 'OnDelete')
      plan.remove = rollingUpdate(ds, inputs);
    for (const node of plan.failedOn) bumpBackoff(d, key, node, now);
    failure = await deletePods(d.client, key, plan.remove, d.expectations);
    const fresh = plan.createOn.map((node) => daemonPod(ds, node, hash));
    const created = await createPods(d.client, key, fresh, d.expectations);
    failure ??= created.failure;
  }

  const status = daemonSetStatus(ds, nodes, pods, hash, now);
  if (statusChanged(ds.status, status)) await writeStatus(d.client, ds, status);
  if (failure) throw new Error(`sync pods of DaemonSet ${key}: ${failure}`);
  const waits = [plan?.requeueAfterMs, nextAvailableInMs(ds, pods, now)].filter(
    (w): w is number => w !== undefined,
  );
  return waits.length > 0 ? { requeueAfter: Math.min(...waits) } : undefined;
}

function backoffLeft(d: DaemonSetDeps, key: string, now: number) {
  return (node: string): number => {
    const b = d.backoff.get(`${key}@${node}`);
    return b ? Math.max(0, b.lastMs + b.delayMs - now) : 0;
  };
}

function bumpBackoff(d: DaemonSetDeps, key: string, node: string, now: number): void {
  const k = `${key}@${node}`;
  const b = d.backoff.get(k);
  const delayMs = b ? Math.min(b.delayMs * 2, FAILED_BACKOFF_MAX_MS) : FAILED_BACKOFF_MS;
  d.backoff.set(k, { delayMs, lastMs: now });
}

// The uncached re-read before adopting: a deleted or replaced DaemonSet never adopts.
async function stillLive(client: ApiClient, ds: DaemonSet): Promise<boolean> {
  try {
    const fresh = await client.get<DaemonSet>(DAEMONSETS, ds.metadata.name ?? '', {
      namespace: ds.metadata.namespace,
    });
    return fresh.metadata.uid === ds.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
}

// PUT .../status from the cached object; on a stale resourceVersion once more from a fresh read.
async function writeStatus(client: ApiClient, ds: DaemonSet, status: DaemonSet['status']) {
  try {
    await client.updateStatus(DAEMONSETS, { ...ds, status });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
    const fresh = await client.get<DaemonSet>(DAEMONSETS, ds.metadata.name ?? '', {
      namespace: ds.metadata.namespace,
    });
    if (fresh.metadata.uid !== ds.metadata.uid) return;
    if (fresh.metadata.generation === ds.metadata.generation) {
      await client.updateStatus(DAEMONSETS, { ...fresh, status });
    }
  }
}
