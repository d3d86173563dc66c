/**
 * How the scheduling loop reads informer events (kube-scheduler's
 * eventhandlers.go), pure: which pods this scheduler is responsible for,
 * which pod updates deserve another scheduling attempt, and which node
 * updates can make an unschedulable pod fit.
 */
import type { Node, Pod } from '../api/types.ts';

/** The scheduler name pods get when they name none. */
export const DEFAULT_SCHEDULER = 'default-scheduler';

/** True for a pod waiting for this scheduler: no node, not terminating, our schedulerName. */
export function isPendingFor(pod: Pod, schedulerName: string): boolean {
  const name = pod.spec?.schedulerName || DEFAULT_SCHEDULER;
  return (
    name === schedulerName &&
    !pod.spec?.nodeName &&
    !pod.metadata.deletionTimestamp &&
    pod.status?.phase !== 'Succeeded' &&
    pod.status?.phase !== 'Failed'
  );
}

/**
 * True when a pending pod changed in a way that can change where it fits
 * (isPodUpdated): anything but its status, resourceVersion, generation and
 * managedFields. The scheduler's own status writes (PodScheduled=False)
 * therefore never trigger another attempt.
 */
export function podSpecChanged(old: Pod, pod: Pod): boolean {
  return strip(old) !== strip(pod);
}

function strip(p: Pod): string {
  const { resourceVersion: _rv, generation: _g, managedFields: _m, ...meta } = p.metadata;
  return JSON.stringify({ meta, spec: p.spec });
}

/**
 * True when a node update can make pods fit (nodeSchedulingPropertiesChange):
 * allocatable, labels, taints, unschedulable or conditions changed. A
 * heartbeat that only moves timestamps is not.
 */
export function nodeSchedulingChanged(old: Node, node: Node): boolean {
  const view = (n: Node) =>
    JSON.stringify([
      n.metadata.labels ?? {},
      n.spec?.unschedulable ?? false,
      n.spec?.taints ?? [],
      n.status?.allocatable ?? {},
      (n.status?.conditions ?? []).map((c) => [c.type, c.status]),
    ]);
  return view(old) !== view(node);
}
