/**
 * Pure pod logic shared by the ReplicaSet and Deployment controllers
 * (Kubernetes' pkg/controller/controller_utils.go and api/v1/pod utils):
 * which pods count, which are ready or available, which to delete first
 * when scaling down, how creation is batched, and the pod a template makes.
 */
import type { OwnerReference, Pod, PodTemplateSpec } from '../api/types.ts';

/** The annotation that orders scale-down among otherwise equal pods (lower goes first). */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** Kubernetes' burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

/** Active: not finished (Succeeded/Failed) and not being deleted (FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Ready: the Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * Available: ready for at least `minReadySeconds` at `nowMs`
 * (podutil.IsPodAvailable). With 0 every ready pod is available.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readySinceMs(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

/** When the pod became ready (ms), or undefined when not ready or unknown. */
export function readySinceMs(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The `count` pods to delete first when scaling down, in Kubernetes'
 * ActivePodsWithRanks order: unscheduled before scheduled; Pending before
 * Unknown before Running; not ready before ready; lower deletion cost
 * first; pods sharing a node with more related pods first; ready for a
 * shorter time first; more container restarts first; newer first.
 * `related` are the pods of the owner and its siblings (a Deployment's other
 * ReplicaSets), used for the "doubled up on a node" rank.
 * (Kubernetes' LogarithmicScaleDown buckets the times; skiff compares them exactly.)
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && isPodActive(p)) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => compareForDeletion(a.pod, a.rank, b.pod, b.rank));
  return ranked.slice(0, count).map((r) => r.pod);
}

/** Negative when pod `a` (with node rank `ra`) should be deleted before `b`. */
export function compareForDeletion(a: Pod, ra: number, b: Pod, rb: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  if (ra !== rb) return rb - ra;
  if (readyA && readyB) {
    const c = newerFirst(readySinceMs(a), readySinceMs(b));
    if (c !== 0) return c;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  return newerFirst(createdMs(a), createdMs(b));
}

// afterOrZero: an unknown time first, then the later time first.
function newerFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount);
  return max;
}

function createdMs(pod: Pod): number | undefined {
  const t = pod.metadata?.creationTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Batch sizes of slowStartBatch: 1, 2, 4, ... up to `count` in total, so a
 * failing create (quota, bad template) fails once rather than `count` times.
 */
export function slowStartBatches(count: number, initial = 1): number[] {
  const out: number[] = [];
  let left = count;
  for (let size = Math.min(left, initial); size > 0; size = Math.min(2 * size, left)) {
    out.push(size);
    left -= size;
  }
  return out;
}

/**
 * The pod a controller creates from `template` (GetPodFromTemplate): the
 * template's labels, annotations, finalizers and spec, generateName
 * `<prefix>-`, and `owner` as its controlling ownerReference.
 */
export function podFromTemplate(
  template: PodTemplateSpec,
  namespace: string,
  prefix: string,
  owner: OwnerReference,
): Pod {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${prefix}-`,
      namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [owner],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  } as Pod;
}

/** The controlling ownerReference naming `owner` (controller and blockOwnerDeletion true). */
export function controllerRef(
  owner: { metadata?: { name?: string; uid?: string } },
  apiVersion: string,
  kind: string,
): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
