/**
 * PodInfo: what the scheduler needs of a pod, computed once per pod object
 * (framework.PodInfo): its requests, host ports, controlling owner and
 * compiled required anti-affinity terms. Bound pods keep theirs inside the
 * NodeInfo they count against; the pod being scheduled gets one too.
 */
import {
  labelSelectorFromSpec,
  matchesLabels,
  type LabelSelectorRequirement,
} from '../api/selectors.ts';
import type { LabelSelector, Pod, PodAffinityTerm } from '../api/types.ts';
import { podNonZeroRequests, podRequests, type Resources } from './resources.ts';

/** A host port a pod claims: hostIP ("" = all, stored as 0.0.0.0), protocol, port. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term ready to match pods (framework.AffinityTerm). */
export interface AffinityTerm {
  selector: LabelSelectorRequirement[];
  /** Namespaces listed (or the pod's own when neither list nor selector is given). */
  namespaces: ReadonlySet<string>;
  /** namespaceSelector; undefined when absent (matches no namespace by labels). */
  namespaceSelector: LabelSelectorRequirement[] | undefined;
  topologyKey: string;
}

export interface PodInfo {
  pod: Pod;
  /** "namespace/name". */
  key: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  priority: number;
  /** metadata.creationTimestamp in ms (0 when absent). */
  createdMs: number;
  /** spec.nodeName, or "" when unbound. */
  nodeName: string;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
  requests: Resources;
  nonZero: { milliCpu: number; memory: number };
  hostPorts: HostPort[];
  /** uid of the controlling owner (ownerReferences controller: true), if any. */
  ownerUid: string | undefined;
  requiredAntiAffinity: AffinityTerm[];
}

/** The all-addresses host IP that an empty hostIP means. */
export const ALL_IPS = '0.0.0.0';

const cache = new WeakMap<Pod, PodInfo>();

/** The PodInfo of `pod`, computed once per pod object. */
export function podInfoOf(pod: Pod): PodInfo {
  let info = cache.get(pod);
  if (!info) {
    info = computePodInfo(pod);
    cache.set(pod, info);
  }
  return info;
}

/**
 * The PodInfo of a copy of `pod` with spec.nodeName set to `nodeName` (what
 * the scheduler assumes while the binding is in flight), derived from the
 * pod's own PodInfo instead of computed again; `info.pod` is that copy.
 */
export function assumedPodInfo(pod: Pod, nodeName: string): PodInfo {
  const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName } as Pod['spec'] };
  const info: PodInfo = { ...podInfoOf(pod), pod: assumed, nodeName };
  cache.set(assumed, info);
  return info;
}

/** "namespace/name" of a pod. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function computePodInfo(pod: Pod): PodInfo {
  const meta = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const namespace = meta.namespace ?? '';
  const created = meta.creationTimestamp ? Date.parse(meta.creationTimestamp) : 0;
  return {
    pod,
    key: podKey(pod),
    namespace,
    labels: meta.labels ?? {},
    priority: spec.priority ?? 0,
    createdMs: Number.isNaN(created) ? 0 : created,
    nodeName: spec.nodeName ?? '',
    terminating: meta.deletionTimestamp != null,
    requests: podRequests(spec),
    nonZero: podNonZeroRequests(spec),
    hostPorts: hostPortsOf(pod),
    ownerUid: meta.ownerReferences?.find((r) => r.controller === true)?.uid,
    requiredAntiAffinity: compileTerms(
      spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      namespace,
    ),
  };
}

// App containers' host ports (NodePorts' getContainerPorts); port 0 claims nothing.
function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || ALL_IPS, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** Compiles affinity terms; a term whose selector cannot be parsed matches nothing. */
export function compileTerms(
  terms: readonly PodAffinityTerm[] | undefined,
  ownNamespace: string,
): AffinityTerm[] {
  if (!terms || terms.length === 0) return [];
  return terms.map((t) => {
    const listed = t.namespaces ?? [];
    const noNamespaces = listed.length === 0 && t.namespaceSelector == null;
    return {
      selector: safeSelector(t.labelSelector),
      namespaces: new Set(noNamespaces ? [ownNamespace] : listed),
      namespaceSelector:
        t.namespaceSelector == null ? undefined : safeSelector(t.namespaceSelector),
      topologyKey: t.topologyKey,
    };
  });
}

/**
 * True when `term` selects `pod` (AffinityTerm.Matches): the pod's namespace
 * is listed or its labels (from `namespaceLabels`) match the namespace
 * selector, and the pod's labels match the label selector.
 */
export function termMatches(
  term: AffinityTerm,
  pod: PodInfo,
  namespaceLabels: (ns: string) => Readonly<Record<string, string>> | undefined,
): boolean {
  const inNamespace =
    term.namespaces.has(pod.namespace) ||
    (term.namespaceSelector !== undefined &&
      matchesLabels(term.namespaceSelector, namespaceLabels(pod.namespace) ?? {}));
  return inNamespace && matchesLabels(term.selector, pod.labels);
}

// A null selector matches nothing, as does one the API should have rejected.
function safeSelector(sel: LabelSelector | undefined | null): LabelSelectorRequirement[] {
  try {
    return labelSelectorFromSpec(sel);
  } catch {
    return labelSelectorFromSpec(null);
  }
}
