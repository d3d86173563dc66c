/**
 * The proxy's view of Services and Endpoints: one ServicePortInfo per
 * (service, port) that iptables can serve, with its ready endpoints, as
 * kube-proxy's ServicePortMap and EndpointsMap. Pure; the output is sorted
 * (services by name and protocol, endpoints by address) so equal inputs
 * render byte-identical rules.
 */
import { ipToInt } from '../../control-plane/api/ipv4.ts';
import type {
  EndpointPort,
  Endpoints,
  Service,
  ServicePort,
} from '../../control-plane/api/types.ts';

/** The protocols the iptables proxy serves (SCTP ports are left out). */
export type Protocol = 'TCP' | 'UDP';

/** One ready backend of a service port. */
export interface EndpointInfo {
  ip: string;
  port: number;
}

/** One port of one service, everything the renderer needs. */
export interface ServicePortInfo {
  /** kube-proxy's ServicePortName: "namespace/name:port", or "namespace/name" for an unnamed port. */
  name: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** Set for NodePort and LoadBalancer services that were allocated one. */
  nodePort?: number;
  /** Set only for sessionAffinity ClientIP: the stickiness timeout (default 10800 s). */
  affinitySeconds?: number;
  /** Ready endpoints only, sorted by address then port, without duplicates. */
  endpoints: EndpointInfo[];
}

/** Kubernetes' default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

// Names end up inside iptables comments and recent-module names: accept only
// what the API allows (DNS labels and subdomains), never quotes or spaces.
const SAFE_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * The service ports iptables serves, from `services` and their same-named
 * `endpoints`. Left out: ExternalName and headless services, services
 * without a valid IPv4 ClusterIP, SCTP ports and malformed values. An
 * endpoint port belongs to a service port when name and protocol match:
 * the endpoints controller names each EndpointPort after its service port
 * and resolves a named targetPort to the pod's number (as kube-proxy reads
 * EndpointSlices). Only `addresses` (ready) count, never `notReadyAddresses`.
 */
export function buildServicePorts(
  services: readonly Service[],
  endpoints: readonly Endpoints[],
): ServicePortInfo[] {
  const byKey = new Map<string, Endpoints>();
  for (const ep of endpoints) byKey.set(`${ep.metadata.namespace}/${ep.metadata.name}`, ep);
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const clusterIP = svc.spec.clusterIP ?? '';
    if (svc.spec.type === 'ExternalName' || ipToInt(clusterIP) === undefined) continue;
    if (!SAFE_NAME.test(ns) || !SAFE_NAME.test(name)) continue;
    const ep = byKey.get(`${ns}/${name}`);
    for (const sp of svc.spec.ports ?? []) {
      const info = servicePort(svc, sp, `${ns}/${name}`, clusterIP, ep);
      if (info) out.push(info);
    }
  }
  return out.sort((a, b) => compare(a.name, b.name) || compare(a.protocol, b.protocol));
}

function servicePort(
  svc: Service,
  sp: ServicePort,
  svcName: string,
  clusterIP: string,
  ep: Endpoints | undefined,
): ServicePortInfo | undefined {
  const protocol = sp.protocol ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP') return undefined;
  if (!validPort(sp.port) || (sp.name && !SAFE_NAME.test(sp.name))) return undefined;
  const info: ServicePortInfo = {
    name: sp.name ? `${svcName}:${sp.name}` : svcName,
    protocol,
    clusterIP,
    port: sp.port,
    endpoints: readyEndpoints(ep, sp.name ?? '', protocol),
  };
  const type = svc.spec.type ?? 'ClusterIP';
  if ((type === 'NodePort' || type === 'LoadBalancer') && validPort(sp.nodePort)) {
    info.nodePort = sp.nodePort;
  }
  if (svc.spec.sessionAffinity === 'ClientIP') {
    const t = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    info.affinitySeconds = t !== undefined && t > 0 ? t : DEFAULT_AFFINITY_SECONDS;
  }
  return info;
}

function readyEndpoints(
  ep: Endpoints | undefined,
  portName: string,
  protocol: Protocol,
): EndpointInfo[] {
  const seen = new Map<string, EndpointInfo>();
  for (const subset of ep?.subsets ?? []) {
    const port = subset.ports?.find((p) => matches(p, portName, protocol))?.port;
    if (!validPort(port)) continue;
    for (const addr of subset.addresses ?? []) {
      if (ipToInt(addr.ip) === undefined) continue;
      seen.set(`${addr.ip}:${port}`, { ip: addr.ip, port });
    }
  }
  return [...seen.values()].sort(
    (a, b) => (ipToInt(a.ip) ?? 0) - (ipToInt(b.ip) ?? 0) || a.port - b.port,
  );
}

function matches(p: EndpointPort, portName: string, protocol: Protocol): boolean {
  return (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol;
}

function validPort(p: number | undefined): p is number {
  return p !== undefined && Number.isInteger(p) && p >= 1 && p <= 65535;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
