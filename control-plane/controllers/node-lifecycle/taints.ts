/**
 * The taints the node lifecycle controller keeps on a node, pure:
 *
 * - NoExecute (taint-based eviction): node.kubernetes.io/not-ready when
 *   Ready is False, node.kubernetes.io/unreachable when it is Unknown;
 * - NoSchedule (TaintNodesByCondition): the same two, plus memory-, disk-
 *   and pid-pressure and network-unavailable while those conditions are
 *   True, and node.kubernetes.io/unschedulable while spec.unschedulable.
 *
 * Taints are matched by key and effect (as MatchTaint); the controller adds
 * and removes only the taints of these keys and effects, never others.
 */
import type { Node, Taint } from '../../api/types.ts';

/** The well-known taint keys (k8s.io/api core/v1 well_known_taints.go). */
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

// nodeConditionToTaintKeyStatusMap: condition type → status → taint key.
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
};

const NO_SCHEDULE_KEYS = new Set([...conditionKeys(), TAINT_UNSCHEDULABLE]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

/** True for a taint this controller owns (adds and removes). */
export function isManagedTaint(t: Taint): boolean {
  if (t.effect === 'NoSchedule') return NO_SCHEDULE_KEYS.has(t.key);
  if (t.effect === 'NoExecute') return NO_EXECUTE_KEYS.has(t.key);
  return false;
}

/** The managed taints `node` should carry (key and effect only). */
export function wantedTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  if (ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return out;
}

/**
 * The node's taints with the managed ones brought in line with `wanted`:
 * missing ones added with timeAdded `now`, surplus ones removed, every
 * other taint kept as it is. undefined when nothing changes.
 */
export function syncTaints(
  current: readonly Taint[],
  wanted: readonly Taint[],
  now: number,
): Taint[] | undefined {
  const has = (list: readonly Taint[], t: Taint) =>
    list.some((x) => x.key === t.key && x.effect === t.effect);
  const kept = current.filter((t) => !isManagedTaint(t) || has(wanted, t));
  const added = wanted
    .filter((t) => !has(current, t))
    .map((t) => ({ ...t, timeAdded: new Date(now).toISOString() }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

function conditionKeys(): string[] {
  return Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m));
}
