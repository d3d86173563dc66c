/**
 * Deployments, ReplicaSets, DaemonSets and Jobs: their controllers own the
 * status, so a create starts from the kind's empty status (Kubernetes'
 * PrepareForCreate resets it).
 */
import type { KindHooks } from '../registry/hooks.ts';

export function workloadHooks(emptyStatus: Record<string, unknown>): KindHooks {
  return { initialStatus: () => structuredClone(emptyStatus) };
}
