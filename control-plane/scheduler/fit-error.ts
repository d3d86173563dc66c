/**
 * The unschedulable message in kube-scheduler's words (framework.FitError,
 * Kubernetes 1.32): "0/N nodes are available: " then either the PreFilter
 * message or every node's reasons counted and sorted as strings
 * ("1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu"), a period,
 * then the preemption plugin's message when it has one:
 *
 *   0/3 nodes are available: 1 node(s) had untolerated taint
 *   {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.
 *   preemption: 0/3 nodes are available: 1 Preemption is not helpful for
 *   scheduling, 2 No preemption victims found for incoming pod.
 */

/** Reasons of the nodes that were evaluated, and of those skipped as a group. */
export interface NodeStatuses {
  /** One entry per evaluated node: its reasons. */
  explicit: Iterable<readonly string[]>;
  /** Reasons given to every node not in `explicit` (numAllNodes minus explicit). */
  absent?: readonly string[];
}

/** The FitError text: "0/N nodes are available: ...". */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: NodeStatuses,
  opts: { preFilterMsg?: string; postFilterMsg?: string } = {},
): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (opts.preFilterMsg) {
    msg += ` ${opts.preFilterMsg}.`;
  } else {
    const histogram = reasonHistogram(numAllNodes, statuses);
    if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  }
  if (opts.postFilterMsg) msg += ` ${opts.postFilterMsg}`;
  return msg;
}

/** "count reason" strings sorted as Go's sort.Strings sorts them. */
export function reasonHistogram(numAllNodes: number, statuses: NodeStatuses): string[] {
  const counts = new Map<string, number>();
  let explicitNodes = 0;
  for (const reasons of statuses.explicit) {
    explicitNodes++;
    for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const absentNodes = numAllNodes - explicitNodes;
  if (absentNodes > 0) {
    for (const r of statuses.absent ?? []) counts.set(r, (counts.get(r) ?? 0) + absentNodes);
  }
  return [...counts].map(([r, n]) => `${n} ${r}`).sort(byBytes);
}

// Byte-wise order; JavaScript's default compares UTF-16 units, which agrees for
// everything but astral characters, so compare UTF-8 explicitly.
const encoder = new TextEncoder();
function byBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(encoder.encode(a), encoder.encode(b));
}
