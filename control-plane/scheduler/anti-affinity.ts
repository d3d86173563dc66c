/**
 * Required pod anti-affinity (the InterPodAffinity plugin's anti-affinity
 * half), as kube-scheduler computes it once per scheduling attempt
 * (PreFilter) so that each node check is a lookup:
 *
 * - `incoming`: topology pairs (key=value of a node label) that already hold
 *   a pod matching one of the incoming pod's required anti-affinity terms;
 * - `existing`: topology pairs where a bound pod's required anti-affinity
 *   term matches the incoming pod (the rule is symmetric).
 *
 * A node fails when one of its labels forms a forbidden pair. Any
 * topologyKey works; kubernetes.io/hostname confines a term to one node.
 */
import type { NodeInfo } from './node-info.ts';
import { termMatches, type PodInfo } from './pod-info.ts';
import type { ClusterSnapshot } from './snapshot.ts';

export interface AntiAffinityState {
  /** "key\u0000value" → matching pods, for the incoming pod's own terms. */
  incoming: Map<string, number>;
  /** "key\u0000value" → bound pods whose terms reject the incoming pod. */
  existing: Map<string, number>;
}

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

/** The state for `pod`, or undefined when no anti-affinity applies to it at all. */
export function antiAffinityState(
  pod: PodInfo,
  snapshot: ClusterSnapshot,
): AntiAffinityState | undefined {
  if (pod.requiredAntiAffinity.length === 0 && snapshot.antiAffinityPods.size === 0) {
    return undefined;
  }
  const nsLabels = (ns: string) => snapshot.namespaceLabels(ns);
  const state: AntiAffinityState = { incoming: new Map(), existing: new Map() };
  for (const other of snapshot.antiAffinityPods.values()) {
    const node = snapshot.get(other.nodeName);
    if (node) addExisting(state, other, node, pod, nsLabels, 1);
  }
  if (pod.requiredAntiAffinity.length > 0) {
    for (const node of snapshot.nodes()) {
      for (const other of node.pods.values()) addIncoming(state, other, node, pod, nsLabels, 1);
    }
  }
  return state;
}

/**
 * A copy of `state` as if `victims` (pods on `node`) were gone: what a
 * preemption dry run filters against.
 */
export function withoutPods(
  state: AntiAffinityState,
  pod: PodInfo,
  victims: readonly PodInfo[],
  node: NodeInfo,
  snapshot: ClusterSnapshot,
): AntiAffinityState {
  const copy: AntiAffinityState = {
    incoming: new Map(state.incoming),
    existing: new Map(state.existing),
  };
  const nsLabels = (ns: string) => snapshot.namespaceLabels(ns);
  for (const v of victims) {
    addExisting(copy, v, node, pod, nsLabels, -1);
    addIncoming(copy, v, node, pod, nsLabels, -1);
  }
  return copy;
}

/** True when the incoming pod's anti-affinity terms allow `node`. */
export function satisfiesPodAntiAffinity(
  state: AntiAffinityState,
  pod: PodInfo,
  node: NodeInfo,
): boolean {
  if (state.incoming.size === 0) return true;
  for (const term of pod.requiredAntiAffinity) {
    const value = node.labels[term.topologyKey];
    if (value !== undefined && state.incoming.has(pair(term.topologyKey, value))) return false;
  }
  return true;
}

/** True when no bound pod's anti-affinity forbids the incoming pod on `node`. */
export function satisfiesExistingAntiAffinity(state: AntiAffinityState, node: NodeInfo): boolean {
  if (state.existing.size === 0) return true;
  for (const key in node.labels) {
    if (state.existing.has(pair(key, node.labels[key] as string))) return false;
  }
  return true;
}

type NsLabels = (ns: string) => Readonly<Record<string, string>> | undefined;

// `other`'s own terms that match the incoming pod forbid other's topology pairs.
function addExisting(
  state: AntiAffinityState,
  other: PodInfo,
  node: NodeInfo,
  pod: PodInfo,
  nsLabels: NsLabels,
  sign: number,
): void {
  for (const term of other.requiredAntiAffinity) {
    const value = node.labels[term.topologyKey];
    if (value === undefined || !termMatches(term, pod, nsLabels)) continue;
    bumpPair(state.existing, pair(term.topologyKey, value), sign);
  }
}

// The incoming pod's terms that match `other` forbid other's topology pairs.
function addIncoming(
  state: AntiAffinityState,
  other: PodInfo,
  node: NodeInfo,
  pod: PodInfo,
  nsLabels: NsLabels,
  sign: number,
): void {
  for (const term of pod.requiredAntiAffinity) {
    const value = node.labels[term.topologyKey];
    if (value === undefined || !termMatches(term, other, nsLabels)) continue;
    bumpPair(state.incoming, pair(term.topologyKey, value), sign);
  }
}

function bumpPair(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n <= 0) m.delete(key);
  else m.set(key, n);
}
