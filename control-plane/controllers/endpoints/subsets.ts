/**
 * The Endpoints a Service should have, as pure functions (Kubernetes'
 * endpoints controller syncService, podutil.FindPort and
 * endpoints.RepackSubsets): one address per selected pod with an IP that
 * is neither finished nor (unless publishNotReadyAddresses) terminating;
 * ready pods under addresses, the others under notReadyAddresses; each
 * service port resolved per pod (a named targetPort looked up in the pod's
 * container ports; a pod without it is left out of that port); then
 * regrouped: each distinct set of addresses serving a port becomes one
 * subset with every port that exactly this set serves. Output is sorted,
 * so equal inputs give equal output.
 */
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Pod,
  Service,
  ServicePort,
} from '../../api/types.ts';

/** True when the pod's Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * ShouldPodBeInEndpoints: not Succeeded/Failed, has an IP, and not being
 * deleted unless `includeTerminating` (publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/**
 * The container port a service port reaches on `pod` (FindPort): a number
 * targetPort as is (absent: the service port), a name looked up among the
 * pod's container ports (sidecar init containers included) of the same
 * protocol; undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The address of a pod for `svc` (podToEndpointAddressForService). */
export function podAddress(svc: Service, pod: Pod): EndpointAddress {
  const addr: EndpointAddress = {
    ip: pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '',
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      uid: pod.metadata.uid ?? '',
    },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  const sameSubdomain =
    pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
  if (pod.spec?.hostname && sameSubdomain) addr.hostname = pod.spec.hostname;
  return addr;
}

interface Entry {
  addr: EndpointAddress;
  ready: boolean;
  ports: EndpointPort[];
}

/**
 * The subsets of `svc` given the pods its selector matches (same
 * namespace). A service without ports (headless) gets port-less subsets.
 */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const svcPorts = svc.spec?.ports ?? [];
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue; // this pod does not serve this port
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A pod serving none of the service's ports is no endpoint of it.
    if (ports.length === 0 && svcPorts.length > 0) continue;
    entries.push({ addr: podAddress(svc, pod), ready: publishNotReady || isPodReady(pod), ports });
  }
  return repack(entries);
}

/**
 * RepackSubsets: map each port to the addresses serving it, then give
 * each distinct set of addresses (with their readiness) one subset holding
 * every port that exactly this set serves.
 */
function repack(entries: readonly Entry[]): EndpointSubset[] {
  const byPort = new Map<string, { port: EndpointPort | undefined; entries: Entry[] }>();
  for (const e of entries) {
    // A port-less (headless) address goes under a sentinel, as Kubernetes' Port -1.
    for (const port of e.ports.length > 0 ? e.ports : [undefined]) {
      const key = port ? portKey(port) : '';
      const slot = byPort.get(key) ?? { port, entries: [] };
      slot.entries.push(e);
      byPort.set(key, slot);
    }
  }
  const groups = new Map<string, { ports: EndpointPort[]; entries: Entry[] }>();
  for (const { port, entries: served } of byPort.values()) {
    const sorted = [...served].sort((a, b) => compareAddresses(a.addr, b.addr));
    const key = sorted.map((e) => `${addressKey(e.addr)}=${e.ready}`).join(',');
    const g = groups.get(key) ?? { ports: [], entries: sorted };
    if (port) g.ports.push(port);
    groups.set(key, g);
  }
  const subsets = [...groups.values()].map(({ ports, entries: members }) => {
    const subset: EndpointSubset = {};
    const ready = members.filter((e) => e.ready).map((e) => e.addr);
    const notReady = members.filter((e) => !e.ready).map((e) => e.addr);
    if (ready.length > 0) subset.addresses = ready;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (ports.length > 0) subset.ports = ports.sort((a, b) => cmp(portKey(a), portKey(b)));
    return subset;
  });
  return subsets.sort((a, b) => cmp(subsetKey(a), subsetKey(b)));
}

function subsetKey(s: EndpointSubset): string {
  const first = s.addresses?.[0] ?? s.notReadyAddresses?.[0];
  return `${first ? addressKey(first) : ''}|${(s.ports ?? []).map(portKey).join(',')}`;
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}/${a.targetRef?.uid ?? ''}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${String(p.port).padStart(5, '0')}`;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}
