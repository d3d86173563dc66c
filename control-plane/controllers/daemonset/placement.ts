/**
 * Where a DaemonSet's pods belong (Kubernetes' NodeShouldRunDaemonPod and
 * the daemonset util), pure. A daemon pod is the template plus the
 * tolerations Kubernetes gives every daemon pod, judged against a node by
 * the scheduler's own node-affinity and taint checks:
 *
 * - shouldRun: the node's name, labels (nodeSelector, required node
 *   affinity) and NoSchedule/NoExecute taints all admit the pod;
 * - shouldContinueRunning: a pod already there may stay: name and labels
 *   admit it and no NoExecute taint evicts it.
 *
 * The pods are pinned to their node by required node affinity on the
 * field metadata.name (matchFields), so the scheduler places them.
 */
import type { Affinity, DaemonSet, Node, Pod, PodSpec, Toleration } from '../../api/types.ts';
import { matchesRequired, requiredNodeAffinity } from '../../scheduler/node-affinity.ts';
import { toleratedBy, untoleratedTaint } from '../../scheduler/taints.ts';

/** The tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations). */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Added for daemon pods on the host network. */
export const NETWORK_UNAVAILABLE_TOLERATION: Toleration = {
  key: 'node.kubernetes.io/network-unavailable',
  operator: 'Exists',
  effect: 'NoSchedule',
};

/**
 * The pod spec's tolerations with the daemon tolerations added; one with
 * the same key, operator, value and effect is replaced
 * (AddOrUpdateTolerationInPodSpec).
 */
export function withDaemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  const extra = spec.hostNetwork
    ? [...DAEMON_TOLERATIONS, NETWORK_UNAVAILABLE_TOLERATION]
    : DAEMON_TOLERATIONS;
  for (const t of extra) {
    const i = out.findIndex(
      (x) =>
        (x.key ?? '') === t.key &&
        (x.operator ?? 'Equal') === t.operator &&
        (x.value ?? '') === '' &&
        (x.effect ?? '') === t.effect,
    );
    if (i >= 0) out[i] = { ...t };
    else out.push({ ...t });
  }
  return out;
}

/** Whether a daemon pod should start on the node, and whether one there may stay. */
export interface Placement {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod for `ds` and `node`. */
export function placement(ds: DaemonSet, node: Node): Placement {
  const name = node.metadata.name ?? '';
  const spec = ds.spec.template?.spec;
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec?.nodeName && spec.nodeName !== name) return no;
  const probe = { spec: { ...spec, nodeName: name } } as Pod;
  if (!matchesRequired(requiredNodeAffinity(probe), node.metadata.labels ?? {}, name)) return no;
  const tolerations = withDaemonTolerations(spec ?? { containers: [] });
  const taints = node.spec?.taints ?? [];
  if (!untoleratedTaint(taints, tolerations))
    return { shouldRun: true, shouldContinueRunning: true };
  // Pods already there stay unless a NoExecute taint evicts them.
  const evicting = taints.some((t) => t.effect === 'NoExecute' && !toleratedBy(tolerations, t));
  return { shouldRun: false, shouldContinueRunning: !evicting };
}

/**
 * The affinity pinning a pod to `nodeName` (ReplaceDaemonSetPodNodeNameNodeAffinity):
 * the required node selector terms become the one matchFields term on
 * metadata.name; the rest of the affinity is kept.
 */
export function pinnedAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = {
    matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }],
  };
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] },
    },
  };
}

/**
 * The node a daemon pod is for (GetTargetNodeName): spec.nodeName once
 * bound, else the single metadata.name of its pinning affinity; undefined
 * when it names none.
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) {
        return f.values[0];
      }
    }
  }
  return undefined;
}
