/**
 * The scores: for the nodes that passed the filters, each plugin gives
 * every node a raw score, normalizes the list to 0–100, and the total is
 * the weighted sum, with kube-scheduler's default weights and formulas:
 *
 * - NodeResourcesFit, least allocated (weight 1): free share of cpu and
 *   memory after placing the pod, counting 100m / 200 MiB for containers
 *   without requests.
 * - NodeResourcesBalancedAllocation (weight 1): 100 × (1 − spread of the
 *   cpu and memory fractions), so nodes are not filled on one axis only.
 * - TaintToleration (weight 3): fewer intolerable PreferNoSchedule taints.
 * - NodeAffinity (weight 2): sum of matching preferred terms' weights.
 * - Spreading (weight 2, PodTopologySpread's system defaults: hostname
 *   maxSkew 3, zone maxSkew 5): fewer pods of the same controlling owner on
 *   the node and in its zone. skiff selects "same owner" where Kubernetes
 *   derives a label selector from the owner's Services and workloads.
 */
import type { CycleState } from './filters.ts';
import { preferredScore, type WeightedTerm } from './node-affinity.ts';
import type { NodeInfo } from './node-info.ts';
import { LABEL_HOSTNAME, LABEL_ZONE, type ClusterSnapshot } from './snapshot.ts';
import { countIntolerablePreferNoSchedule } from './taints.ts';

export const MAX_NODE_SCORE = 100;

export const SCORE_WEIGHTS = {
  leastAllocated: 1,
  balancedAllocation: 1,
  taintToleration: 3,
  nodeAffinity: 2,
  spread: 2,
} as const;

/** LeastAllocated over cpu and memory (weights 1 and 1). */
export function leastAllocatedScore(s: CycleState, node: NodeInfo): number {
  const alloc = node.allocatable;
  const req = node.nonZeroRequested;
  let sum = 0;
  let weights = 0;
  if (alloc.milliCpu > 0) {
    sum += leastRequested(req.milliCpu + s.pod.nonZero.milliCpu, alloc.milliCpu);
    weights++;
  }
  if (alloc.memory > 0) {
    sum += leastRequested(req.memory + s.pod.nonZero.memory, alloc.memory);
    weights++;
  }
  return weights === 0 ? 0 : Math.floor(sum / weights);
}

function leastRequested(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** BalancedAllocation over cpu and memory, on actual requests. */
export function balancedAllocationScore(s: CycleState, node: NodeInfo): number {
  const alloc = node.allocatable;
  if (alloc.milliCpu <= 0 || alloc.memory <= 0) return MAX_NODE_SCORE; // one fraction: no spread
  const cpu = Math.min(1, (node.requested.milliCpu + s.pod.requests.milliCpu) / alloc.milliCpu);
  const mem = Math.min(1, (node.requested.memory + s.pod.requests.memory) / alloc.memory);
  return Math.trunc((1 - Math.abs((cpu - mem) / 2)) * MAX_NODE_SCORE);
}

/** Raw TaintToleration score: intolerable PreferNoSchedule taints (lower is better). */
export function taintTolerationRaw(s: CycleState, node: NodeInfo): number {
  return countIntolerablePreferNoSchedule(node.taints, s.pod.pod.spec?.tolerations ?? []);
}

/** Raw NodeAffinity score: the weights of the preferred terms the node matches. */
export function nodeAffinityRaw(terms: readonly WeightedTerm[], node: NodeInfo): number {
  return preferredScore(terms, node.labels, node.name);
}

/**
 * helper.DefaultNormalizeScore: scale to 0–100 by the highest raw score;
 * `reverse` makes lower raw scores better (all equal to 100 when all are 0).
 */
export function defaultNormalize(raw: readonly number[], reverse: boolean): number[] {
  let max = 0;
  for (const r of raw) if (r > max) max = r;
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((r) => {
    const score = Math.trunc((MAX_NODE_SCORE * r) / max);
    return reverse ? MAX_NODE_SCORE - score : score;
  });
}

// PodTopologySpread's system default constraints (ScheduleAnyway).
const HOSTNAME_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;

/**
 * Spreading scores for `nodes` (already normalized 0–100): PodTopologySpread's
 * scoring with the system default constraints over pods of the pod's
 * controlling owner. All zero for a pod without one (the plugin skips it).
 */
export function spreadScores(
  s: CycleState,
  nodes: readonly NodeInfo[],
  snapshot: ClusterSnapshot,
): number[] {
  const owner = s.pod.ownerUid;
  if (owner === undefined) return nodes.map(() => 0);
  // Each constraint weighs log(number of its topology values among the candidates + 2).
  const hosts = new Set<string>();
  const zones = new Map<string, number>();
  for (const n of nodes) {
    const host = n.labels[LABEL_HOSTNAME];
    if (host !== undefined) hosts.add(host);
    const zone = n.labels[LABEL_ZONE];
    if (zone !== undefined && !zones.has(zone))
      zones.set(zone, snapshot.zoneOwnerCount(zone, owner));
  }
  const hostWeight = Math.log(hosts.size + 2);
  const zoneWeight = Math.log(zones.size + 2);
  const raw = new Array<number>(nodes.length);
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as NodeInfo;
    let score = 0;
    if (n.labels[LABEL_HOSTNAME] !== undefined) {
      score += (n.ownerCounts.get(owner) ?? 0) * hostWeight + (HOSTNAME_MAX_SKEW - 1);
    }
    const zone = n.labels[LABEL_ZONE];
    if (zone !== undefined) score += (zones.get(zone) ?? 0) * zoneWeight + (ZONE_MAX_SKEW - 1);
    const r = Math.round(score);
    raw[i] = r;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  return raw.map((r) =>
    max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - r)) / max),
  );
}

/**
 * Weighted totals for `nodes`, in the same order: the sum of each plugin's
 * normalized score times its weight, as if every plugin scored the list
 * and normalized it separately (defaultNormalize), in one pass per list.
 */
export function scoreNodes(
  s: CycleState,
  nodes: readonly NodeInfo[],
  preferred: readonly WeightedTerm[],
  snapshot: ClusterSnapshot,
): number[] {
  const w = SCORE_WEIGHTS;
  const n = nodes.length;
  // Runs for hundreds of nodes per pod: raw scores go to reused scratch arrays.
  if (scratch.taint.length < n)
    scratch = { taint: new Float64Array(n), affinity: new Float64Array(n) };
  const taintRaw = scratch.taint;
  const affinityRaw = scratch.affinity;
  let taintMax = 0;
  let affinityMax = 0;
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInfo;
    const t = node.taints.length === 0 ? 0 : taintTolerationRaw(s, node);
    taintRaw[i] = t;
    if (t > taintMax) taintMax = t;
    if (preferred.length > 0) {
      const a = nodeAffinityRaw(preferred, node);
      affinityRaw[i] = a;
      if (a > affinityMax) affinityMax = a;
    }
  }
  const spread = s.pod.ownerUid === undefined ? undefined : spreadScores(s, nodes, snapshot);
  const totals = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeInfo;
    // defaultNormalize: reversed for taints (all 100 when none counts), as is for affinity.
    const taint =
      taintMax === 0
        ? MAX_NODE_SCORE
        : MAX_NODE_SCORE - Math.trunc((MAX_NODE_SCORE * (taintRaw[i] as number)) / taintMax);
    const affinity =
      affinityMax === 0
        ? 0
        : Math.trunc((MAX_NODE_SCORE * (affinityRaw[i] as number)) / affinityMax);
    totals[i] =
      w.leastAllocated * leastAllocatedScore(s, node) +
      w.balancedAllocation * balancedAllocationScore(s, node) +
      w.taintToleration * taint +
      w.nodeAffinity * affinity +
      w.spread * (spread === undefined ? 0 : (spread[i] as number));
  }
  return totals;
}

// Raw taint and affinity scores of the list being scored (one list at a time: scoring is synchronous).
let scratch = { taint: new Float64Array(1024), affinity: new Float64Array(1024) };
