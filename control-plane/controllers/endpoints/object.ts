/**
 * The Endpoints object beside the subsets, as pure functions: the labels
 * it carries (the service's, plus service.kubernetes.io/headless for a
 * headless service) and whether the stored object already says what the
 * controller would write, so it writes only differences.
 */
import type { EndpointSubset, Endpoints, Pod, Service } from '../../api/types.ts';
import { isPodReady } from './subsets.ts';

/** The label Kubernetes puts on the Endpoints of a headless service. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** The labels the Endpoints of `svc` carry. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}

/** True when `current` lacks the labels or subsets given (it needs a write). */
export function endpointsDiffer(
  current: Endpoints,
  labels: Record<string, string>,
  subsets: readonly EndpointSubset[],
): boolean {
  return (
    canonical(current.metadata.labels ?? {}) !== canonical(labels) ||
    canonical(current.subsets ?? []) !== canonical(subsets)
  );
}

/**
 * True when a pod update can change some service's endpoints: its labels,
 * IP, readiness, phase, deletion, node, hostname or ports changed. Status
 * noise (container restarts, probes' timestamps) does not count.
 */
export function podChangeMatters(old: Pod, pod: Pod): boolean {
  return canonical(relevant(old)) !== canonical(relevant(pod));
}

function relevant(pod: Pod): unknown {
  return [
    pod.metadata.labels ?? {},
    pod.status?.podIP ?? '',
    pod.status?.phase ?? '',
    isPodReady(pod),
    pod.metadata.deletionTimestamp ?? '',
    pod.spec?.nodeName ?? '',
    pod.spec?.hostname ?? '',
    pod.spec?.subdomain ?? '',
    (pod.spec?.containers ?? []).map((c) => c.ports ?? []),
    (pod.spec?.initContainers ?? []).map((c) => c.ports ?? []),
  ];
}

/** JSON with object keys sorted and empty arrays/objects dropped, for comparing. */
export function canonical(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = normalize((value as Record<string, unknown>)[k]);
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}
