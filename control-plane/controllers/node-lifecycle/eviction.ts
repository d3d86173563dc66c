/**
 * Taint-based eviction (Kubernetes' taint eviction controller), pure: when
 * a pod must leave a node because of the node's NoExecute taints, and the
 * Ready=False status a pod on a lost node gets.
 *
 * - a NoExecute taint the pod does not tolerate: evicted at once;
 * - all tolerated: evicted after the smallest tolerationSeconds among the
 *   tolerations used (GetMatchingTolerations + getMinTolerationTime),
 *   counted from when the taints were added; tolerations without
 *   tolerationSeconds tolerate forever.
 */
import type { Pod, PodCondition, PodStatus, Taint, Toleration } from '../../api/types.ts';
import { toleratesTaint } from '../../scheduler/taints.ts';

/** When the pod is to be evicted: at `atMs` (possibly in the past), or never. */
export type EvictionTime = { atMs: number } | 'never';

/**
 * The eviction time of `pod` on a node with `taints`. `seenAtMs` stands in
 * for the start of a taint without timeAdded (when the controller first
 * saw it).
 */
export function evictionTime(pod: Pod, taints: readonly Taint[], seenAtMs: number): EvictionTime {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return 'never';
  const tolerations = pod.spec?.tolerations ?? [];
  const used: Toleration[] = [];
  for (const taint of noExecute) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return { atMs: startOf(noExecute, seenAtMs) };
    used.push(t);
  }
  let minSeconds: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    const s = Math.max(0, t.tolerationSeconds);
    minSeconds = minSeconds === undefined ? s : Math.min(minSeconds, s);
  }
  if (minSeconds === undefined) return 'never';
  return { atMs: startOf(noExecute, seenAtMs) + minSeconds * 1000 };
}

// The latest timeAdded: the time the node's current NoExecute taint set became complete.
function startOf(taints: readonly Taint[], seenAtMs: number): number {
  let start = 0;
  for (const t of taints) {
    const ms = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
    start = Math.max(start, Number.isNaN(ms) ? seenAtMs : ms);
  }
  return start;
}

/**
 * The pod's status with its Ready condition False (MarkPodsNotReady), or
 * undefined when it has no Ready condition or it is not True.
 */
export function podNotReadyStatus(pod: Pod, now: number): PodStatus | undefined {
  const conditions = pod.status?.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === 'Ready');
  const ready = conditions[i];
  if (!ready || ready.status !== 'True') return undefined;
  const next: PodCondition = {
    ...ready,
    status: 'False',
    lastTransitionTime: new Date(now).toISOString(),
  };
  const updated = [...conditions];
  updated[i] = next;
  return { ...pod.status, conditions: updated };
}
