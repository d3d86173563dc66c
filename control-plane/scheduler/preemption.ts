/**
 * What the DefaultPreemption plugin would conclude for a pod that fits
 * nowhere (its PostFilter), without evicting anything: on each node
 * rejected for a reason eviction could fix, remove every pod of lower
 * priority and filter again. Nodes where the pod then fits are candidates
 * (Kubernetes would preempt there and add no preemption message); otherwise
 * the message explains per node, as kube-scheduler 1.32 words it.
 */
import { withoutPods } from './anti-affinity.ts';
import { runFilters, type CycleState, type Rejection } from './filters.ts';
import { fitErrorMessage } from './fit-error.ts';
import type { NodeInfo } from './node-info.ts';
import type { ClusterSnapshot } from './snapshot.ts';

export const REASON_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';

export interface PreemptionOutcome {
  /** "preemption: ..." for the unschedulable message; undefined when candidates exist. */
  message: string | undefined;
  /** Nodes where evicting lower-priority pods would let the pod fit. */
  candidates: string[];
}

/**
 * The preemption verdict. `rejected` holds the filter result of every
 * evaluated node; nodes absent from it were excluded as a group (by
 * PreFilter) for reasons preemption cannot change.
 */
export function preemptionOutcome(
  s: CycleState,
  rejected: ReadonlyMap<NodeInfo, Rejection>,
  snapshot: ClusterSnapshot,
): PreemptionOutcome {
  if (s.pod.pod.spec?.preemptionPolicy === 'Never') {
    return { message: `preemption: ${NOT_ELIGIBLE_NEVER}`, candidates: [] };
  }
  const statuses: string[][] = [];
  const candidates: string[] = [];
  for (const [node, rejection] of rejected) {
    if (!rejection.resolvable) continue;
    const verdict = dryRun(s, node, snapshot);
    if (verdict === undefined) candidates.push(node.name);
    else statuses.push(verdict);
  }
  if (candidates.length > 0) return { message: undefined, candidates };
  const all = snapshot.nodeCount;
  const text = fitErrorMessage(all, { explicit: statuses, absent: [REASON_NOT_HELPFUL] });
  return { message: `preemption: ${text}`, candidates };
}

// SelectVictimsOnNode's first step: undefined when the pod fits without the
// lower-priority pods, else the reasons it still does not.
function dryRun(s: CycleState, node: NodeInfo, snapshot: ClusterSnapshot): string[] | undefined {
  const victims = [...node.pods.values()].filter((p) => p.priority < s.pod.priority);
  if (victims.length === 0) return [REASON_NO_VICTIMS];
  const trimmed = node.clone();
  for (const v of victims) trimmed.removePod(v.key);
  const antiAffinity =
    s.antiAffinity && withoutPods(s.antiAffinity, s.pod, victims, node, snapshot);
  const rejection = runFilters({ ...s, antiAffinity }, trimmed);
  return rejection?.reasons;
}
