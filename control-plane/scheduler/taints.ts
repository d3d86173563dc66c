/**
 * Taints and tolerations (core/v1 helpers): which taint a pod does not
 * tolerate, and the taints a node effectively carries, including the
 * readiness taint Kubernetes' node lifecycle controller would put on a node
 * that is not Ready (TaintNodesByCondition), so a not-ready node is refused
 * in the same words even before any controller tainted it.
 */
import type { Node, Taint, Toleration } from '../api/types.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Toleration.ToleratesTaint: effect and key match (empty = any), then Equal/Exists on the value. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** True when some toleration tolerates `taint`. */
export function toleratedBy(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/**
 * The first taint with effect NoSchedule or NoExecute that `tolerations`
 * do not tolerate (FindMatchingUntoleratedTaint with
 * DoNotScheduleTaintsFilterFunc), or undefined.
 */
export function untoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!toleratedBy(tolerations, taint)) return taint;
  }
  return undefined;
}

/** PreferNoSchedule taints that no PreferNoSchedule (or effect-less) toleration tolerates. */
export function countIntolerablePreferNoSchedule(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): number {
  // Runs for every scored node: no allocation, and nothing to do for untainted nodes.
  let n = 0;
  for (const taint of taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    let tolerated = false;
    for (const t of tolerations) {
      if ((!t.effect || t.effect === 'PreferNoSchedule') && toleratesTaint(t, taint)) {
        tolerated = true;
        break;
      }
    }
    if (!tolerated) n++;
  }
  return n;
}

/**
 * spec.taints plus, for a node whose Ready condition is not True, the
 * NoSchedule taint the node lifecycle controller adds: not-ready (Ready
 * False or absent) or unreachable (Ready Unknown), unless already present.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = node.spec?.taints ?? [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return taints;
  const key = ready?.status === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
  if (taints.some((t) => t.key === key && t.effect === 'NoSchedule')) return taints;
  return [...taints, { key, effect: 'NoSchedule' }];
}
