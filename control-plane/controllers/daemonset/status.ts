/**
 * A DaemonSet's status from its nodes and pods (Kubernetes'
 * updateDaemonSetStatus), pure. Per node that should run a daemon pod:
 * desired; with a pod: current, and by its oldest pod ready, available
 * (ready for minReadySeconds) and updated (current template). A node that
 * should not run one but has one counts as misscheduled.
 */
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../../api/types.ts';
import { isPodAvailable, isPodReady } from '../replicaset-pods.ts';
import { placement } from './placement.ts';
import { isPodUpdated } from './pods.ts';

/** The status `ds` should have; fields other than the counts are kept. */
export function daemonSetStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  pods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
  nowMs: number,
): DaemonSetStatus {
  const minReady = ds.spec.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const onNode = pods.get(node.metadata.name ?? '') ?? [];
    if (!placement(ds, node).shouldRun) {
      if (onNode.length > 0) misscheduled++;
      continue;
    }
    desired++;
    const [oldest] = onNode;
    if (!oldest) continue;
    current++;
    if (isPodReady(oldest)) ready++;
    if (isPodAvailable(oldest, minReady, nowMs)) available++;
    if (isPodUpdated(oldest, hash)) updated++;
  }
  return {
    ...ds.status,
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    numberUnavailable: desired - available,
    updatedNumberScheduled: updated,
    observedGeneration: ds.metadata.generation ?? 0,
  };
}

/**
 * How long until a ready pod of the DaemonSet becomes available
 * (minReadySeconds passed), or undefined when none is waiting for that.
 */
export function nextAvailableInMs(
  ds: DaemonSet,
  pods: ReadonlyMap<string, readonly Pod[]>,
  nowMs: number,
): number | undefined {
  const minReady = ds.spec.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let next: number | undefined;
  for (const list of pods.values()) {
    for (const pod of list) {
      const since = Date.parse(
        pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')
          ?.lastTransitionTime ?? '',
      );
      if (Number.isNaN(since)) continue;
      const wait = since + minReady * 1000 - nowMs;
      if (wait > 0) next = next === undefined ? wait : Math.min(next, wait);
    }
  }
  return next;
}
