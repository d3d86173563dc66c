/**
 * The status the status manager writes (pure), as the kubelet's
 * mergePodStatus (pkg/kubelet/status/status_manager.go): the kubelet's
 * status, except that conditions the kubelet does not own (DisruptionTarget,
 * readiness-gate conditions, anything another writer added) are taken as the
 * API server has them now, and a terminal phase on the server is never left.
 */
import type { PodCondition, PodStatus } from '../../control-plane/api/types.ts';
import { KUBELET_CONDITIONS } from './pod-conditions.ts';
import { isTerminalPhase } from './pod-phase.ts';

/**
 * `kubelet` merged over `api` (the server's current status): conditions of
 * types outside KUBELET_CONDITIONS from `api` in their order, then the
 * kubelet's own (PodScheduled kept from `api` when the kubelet has none);
 * the phase stays terminal once `api` is Succeeded or Failed; the
 * scheduler's nominatedNodeName is kept.
 */
export function mergePodStatus(api: PodStatus | undefined, kubelet: PodStatus): PodStatus {
  const old = api ?? {};
  const others = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const owned = (kubelet.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type));
  const scheduled = (old.conditions ?? []).find((c) => c.type === 'PodScheduled');
  const conditions: PodCondition[] = [...others, ...owned];
  if (scheduled && !owned.some((c) => c.type === 'PodScheduled')) conditions.push(scheduled);
  const merged: PodStatus = { ...kubelet };
  if (conditions.length > 0 || kubelet.conditions) merged.conditions = conditions;
  if (isTerminalPhase(old.phase) && kubelet.phase !== old.phase) merged.phase = old.phase;
  if (old.nominatedNodeName && merged.nominatedNodeName === undefined) {
    merged.nominatedNodeName = old.nominatedNodeName;
  }
  return merged;
}
