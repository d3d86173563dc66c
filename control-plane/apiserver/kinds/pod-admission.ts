/**
 * What Kubernetes' default admission plugins add to a new pod, before
 * validation: the `default` service account (ServiceAccount), priority 0
 * (Priority) and the 300 s tolerations of the not-ready and unreachable
 * NoExecute taints (DefaultTolerationSeconds), so that a pod outlives a short
 * node outage before the node lifecycle controller evicts it.
 */

/** How long a pod tolerates a not-ready or unreachable node by default. */
export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

interface Toleration {
  key?: unknown;
  operator?: unknown;
  effect?: unknown;
}

/** Applies the admission defaults to a pod being created (mutates `pod`). */
export function admitNewPod(pod: Record<string, unknown>): void {
  const spec = pod.spec;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return;
  const s = spec as Record<string, unknown>;
  if (s.serviceAccountName === undefined || s.serviceAccountName === '') {
    s.serviceAccountName = 'default';
  }
  if (s.priority === undefined) s.priority = 0;
  const tolerations = Array.isArray(s.tolerations) ? (s.tolerations as unknown[]) : [];
  const notReady = !tolerations.some((t) => toleratesNoExecute(t, NOT_READY));
  const unreachable = !tolerations.some((t) => toleratesNoExecute(t, UNREACHABLE));
  if (!notReady && !unreachable) return;
  const next = [...tolerations];
  if (notReady) next.push(defaultToleration(NOT_READY));
  if (unreachable) next.push(defaultToleration(UNREACHABLE));
  s.tolerations = next;
}

function defaultToleration(key: string): Record<string, unknown> {
  return {
    key,
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
  };
}

// A toleration with an empty key and operator Exists tolerates every taint;
// an empty effect matches every effect (as the plugin checks).
function toleratesNoExecute(t: unknown, key: string): boolean {
  if (t === null || typeof t !== 'object') return false;
  const { key: k, operator, effect } = t as Toleration;
  const keyMatches = k === key || ((k === undefined || k === '') && operator === 'Exists');
  const effectMatches = effect === undefined || effect === '' || effect === 'NoExecute';
  return keyMatches && effectMatches;
}
