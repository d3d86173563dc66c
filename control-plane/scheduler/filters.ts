/**
 * The filters: one pure function per kube-scheduler filter plugin, each
 * answering for one pod and one node either undefined (passes) or a
 * Rejection with the plugin's exact reason text. `resolvable` tells
 * preemption whether evicting pods could help (framework.Unschedulable) or
 * not (UnschedulableAndUnresolvable). runFilters applies them in the
 * default profile's order and stops at the first rejection, as the
 * framework does, so a node reports one plugin's reasons.
 */
import {
  satisfiesExistingAntiAffinity,
  satisfiesPodAntiAffinity,
  type AntiAffinityState,
} from './anti-affinity.ts';
import { matchesRequired, type RequiredNodeAffinity } from './node-affinity.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import { TAINT_UNSCHEDULABLE, toleratedBy, untoleratedTaint } from './taints.ts';

export type FilterPlugin =
  | 'NodeUnschedulable'
  | 'NodeName'
  | 'TaintToleration'
  | 'NodeAffinity'
  | 'NodePorts'
  | 'NodeResourcesFit'
  | 'InterPodAffinity';

export interface Rejection {
  plugin: FilterPlugin;
  reasons: string[];
  /** True when removing pods from the node could make room (preemption may help). */
  resolvable: boolean;
}

/** Per-attempt facts about the pod being scheduled (the framework's CycleState). */
export interface CycleState {
  pod: PodInfo;
  required: RequiredNodeAffinity;
  /** undefined when no pod anti-affinity is involved. */
  antiAffinity: AntiAffinityState | undefined;
}

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_NAME = "node(s) didn't match the requested node name";
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY =
  "node(s) didn't satisfy existing pods anti-affinity rules";

const reject = (plugin: FilterPlugin, reason: string, resolvable = false): Rejection => ({
  plugin,
  reasons: [reason],
  resolvable,
});

/** A cordoned node (spec.unschedulable) takes only pods tolerating node.kubernetes.io/unschedulable. */
export function nodeUnschedulable(s: CycleState, node: NodeInfo): Rejection | undefined {
  if (!node.unschedulable) return undefined;
  const taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };
  if (toleratedBy(s.pod.pod.spec?.tolerations ?? [], taint)) return undefined;
  return reject('NodeUnschedulable', REASON_UNSCHEDULABLE);
}

/** A pod naming a node in spec.nodeName fits only there. */
export function nodeName(s: CycleState, node: NodeInfo): Rejection | undefined {
  const wanted = s.pod.pod.spec?.nodeName;
  if (!wanted || wanted === node.name) return undefined;
  return reject('NodeName', REASON_NODE_NAME);
}

/** Every NoSchedule/NoExecute taint (readiness taints included) must be tolerated. */
export function taintToleration(s: CycleState, node: NodeInfo): Rejection | undefined {
  const taint = untoleratedTaint(node.taints, s.pod.pod.spec?.tolerations ?? []);
  if (!taint) return undefined;
  return reject(
    'TaintToleration',
    `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
  );
}

/** spec.nodeSelector and required node affinity. */
export function nodeAffinity(s: CycleState, node: NodeInfo): Rejection | undefined {
  if (matchesRequired(s.required, node.labels, node.name)) return undefined;
  return reject('NodeAffinity', REASON_NODE_AFFINITY);
}

/** The pod's host ports must be free on the node (same protocol and port, overlapping IP). */
export function nodePorts(s: CycleState, node: NodeInfo): Rejection | undefined {
  if (s.pod.hostPorts.length === 0 || !node.portsConflict(s.pod.hostPorts)) return undefined;
  return reject('NodePorts', REASON_NODE_PORTS, true);
}

/**
 * Requests against allocatable minus what bound pods request
 * (NodeResourcesFit): one reason per short resource, "Too many pods" when
 * the pod count is at allocatable pods.
 */
export function resourcesFit(s: CycleState, node: NodeInfo): Rejection | undefined {
  const req = s.pod.requests;
  const free = node.allocatable;
  const used = node.requested;
  // The common case, checked for every evaluated node without allocating.
  if (
    node.pods.size + 1 <= free.pods &&
    !(req.milliCpu > 0 && req.milliCpu > free.milliCpu - used.milliCpu) &&
    !(req.memory > 0 && req.memory > free.memory - used.memory) &&
    !(
      req.ephemeralStorage > 0 &&
      req.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage
    ) &&
    req.scalars === undefined
  ) {
    return undefined;
  }
  const reasons: string[] = [];
  if (node.pods.size + 1 > free.pods) reasons.push(REASON_TOO_MANY_PODS);
  if (req.milliCpu > 0 && req.milliCpu > free.milliCpu - used.milliCpu) {
    reasons.push('Insufficient cpu');
  }
  if (req.memory > 0 && req.memory > free.memory - used.memory) {
    reasons.push('Insufficient memory');
  }
  if (
    req.ephemeralStorage > 0 &&
    req.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage
  ) {
    reasons.push('Insufficient ephemeral-storage');
  }
  if (req.scalars) {
    for (const [name, amount] of req.scalars) {
      const left = (free.scalars?.get(name) ?? 0) - (used.scalars?.get(name) ?? 0);
      if (amount > 0 && amount > left) reasons.push(`Insufficient ${name}`);
    }
  }
  return reasons.length === 0
    ? undefined
    : { plugin: 'NodeResourcesFit', reasons, resolvable: true };
}

/** Required pod anti-affinity, the pod's own and that of pods already bound. */
export function interPodAntiAffinity(s: CycleState, node: NodeInfo): Rejection | undefined {
  const state = s.antiAffinity;
  if (!state) return undefined;
  if (!satisfiesPodAntiAffinity(state, s.pod, node)) {
    return reject('InterPodAffinity', REASON_ANTI_AFFINITY, true);
  }
  if (!satisfiesExistingAntiAffinity(state, node)) {
    return reject('InterPodAffinity', REASON_EXISTING_ANTI_AFFINITY, true);
  }
  return undefined;
}

/** The filters in the default profile's order. */
export const FILTERS: readonly ((s: CycleState, node: NodeInfo) => Rejection | undefined)[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  resourcesFit,
  interPodAntiAffinity,
];

/** The first rejection of `node` for the pod, or undefined when the pod fits. */
export function runFilters(s: CycleState, node: NodeInfo): Rejection | undefined {
  // FILTERS in order, called directly: this runs for hundreds of nodes per pod, and
  // direct calls can be inlined where a loop over the array cannot.
  return (
    nodeUnschedulable(s, node) ??
    nodeName(s, node) ??
    taintToleration(s, node) ??
    nodeAffinity(s, node) ??
    nodePorts(s, node) ??
    resourcesFit(s, node) ??
    interPodAntiAffinity(s, node)
  );
}
