/**
 * The downward API (pure): a pod's own fields and its containers' resources
 * as strings, for env (fieldRef, resourceFieldRef) and later for
 * downwardAPI volumes. Field paths and rounding follow the kubelet
 * (podFieldSelectorRuntimeValue, fieldpath.ExtractFieldPathAsString,
 * resource.ExtractContainerResourceValue).
 */
import type { Container, Pod } from '../../control-plane/api/types.ts';
import { parseQuantity } from '../../control-plane/api/validation/quantity.ts';

/** Addresses known only to the node: the pod's (from its sandbox) and the node's. */
export interface PodAddresses {
  podIPs: string[];
  hostIPs: string[];
}

/** The value of `fieldPath` of `pod`; throws Error("unsupported fieldPath: ...") otherwise. */
export function podFieldValue(pod: Pod, fieldPath: string, addrs: PodAddresses): string {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
      return addrs.podIPs[0] ?? '';
    case 'status.podIPs':
      return addrs.podIPs.join(',');
    case 'status.hostIP':
      return addrs.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return addrs.hostIPs.join(',');
  }
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

// fieldpath.FormatMap: sorted key="value" lines.
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map?.[k] ?? '')}`)
    .join('\n');
}

/** Node capacity that stands in for unset limits, as the kubelet defaults them. */
export interface NodeAllocatable {
  cpu?: string | number;
  memory?: string | number;
  'ephemeral-storage'?: string | number;
}

/**
 * The value of `resource` ("limits.cpu", "requests.memory", ...) of
 * `container` divided by `divisor` and rounded up; an unset limit is the
 * node's allocatable amount, an unset request 0.
 */
export function containerResourceValue(
  container: Container,
  resource: string,
  divisor: string | number | undefined,
  allocatable: NodeAllocatable = {},
): string {
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(resource);
  if (!m) throw new Error(`unsupported container resource: ${resource}`);
  const kind = m[1] as 'limits' | 'requests';
  const name = m[2] as 'cpu' | 'memory' | 'ephemeral-storage';
  const set = container.resources?.[kind]?.[name];
  const fallback = kind === 'limits' ? allocatable[name] : undefined;
  const value = parseQuantity(set ?? fallback ?? 0) ?? 0;
  let div = divisor === undefined ? 1 : (parseQuantity(divisor) ?? 1);
  if (div === 0) div = 1;
  // cpu rounds in millicores (ConvertResourceCPUToString), the rest in units.
  if (name === 'cpu') return String(Math.ceil(Math.round(value * 1000) / Math.round(div * 1000)));
  return String(Math.ceil(value / div));
}
