/**
 * The DNS records of one Service and its Endpoints (pure), after the
 * Kubernetes DNS spec and CoreDNS's kubernetes plugin:
 * - `<svc>.<ns>.svc.<domain>`: A of the ClusterIP; headless (clusterIP
 *   None): A of every ready endpoint address (not-ready ones too with
 *   publishNotReadyAddresses); ExternalName: CNAME to spec.externalName.
 * - headless: `<hostname>.<svc>.<ns>.svc.<domain>` A for each address,
 *   the hostname being the endpoint's hostname or its IP with dashes.
 * - `_<port>._<proto>.<svc>.<ns>.svc.<domain>` SRV for each named port:
 *   to `<svc>...` on the service port, or (headless) to each endpoint's
 *   name on the endpoint port; `<svc>...` itself answers SRV for all ports.
 * Names are lower-case, without the trailing dot. TTL 5 s, the kubernetes
 * plugin's default.
 */
import { ipToInt } from '../../control-plane/api/ipv4.ts';
import type { EndpointAddress, Endpoints, Service } from '../../control-plane/api/types.ts';
import type { RecordData, ResourceRecord } from './dns-message.ts';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_TTL_SECONDS = 5;

/** Every name one service owns, each with its records (an empty list: the name exists, no data). */
export type ServiceZone = Map<string, ResourceRecord[]>;

export interface ZoneOptions {
  clusterDomain: string;
  ttl: number;
}

/** The fully qualified service name, `<svc>.<ns>.svc.<domain>`, lower-case. */
export function serviceName(svc: Service, domain: string): string {
  return `${svc.metadata.name ?? ''}.${svc.metadata.namespace ?? 'default'}.svc.${domain}`.toLowerCase();
}

/** True for a headless service (clusterIP "None"). */
export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** True for an ExternalName service with a target. */
export function isExternalName(svc: Service): boolean {
  return svc.spec?.type === 'ExternalName' && !!svc.spec.externalName;
}

/**
 * The zone of a service: all names it owns and their records. `ep` is its
 * Endpoints object (same namespace and name), or undefined while there is
 * none. A ClusterIP service without an allocated address owns its name
 * with no records.
 */
export function serviceZone(svc: Service, ep: Endpoints | undefined, o: ZoneOptions): ServiceZone {
  const zone: ServiceZone = new Map();
  const base = serviceName(svc, o.clusterDomain);
  const rr = (name: string, data: RecordData): ResourceRecord => ({ name, ttl: o.ttl, data });
  const add = (name: string, ...records: ResourceRecord[]): void => {
    const list = zone.get(name) ?? [];
    list.push(...records);
    zone.set(name, list);
  };
  add(base);
  if (isExternalName(svc)) {
    add(base, rr(base, { type: 'CNAME', target: (svc.spec.externalName ?? '').toLowerCase() }));
    return zone;
  }
  const ports = svc.spec?.ports ?? [];
  if (!isHeadless(svc)) {
    const ip = svc.spec?.clusterIP;
    if (!ip || !isIPv4(ip)) return zone; // not allocated yet (or IPv6): the name exists, no A
    add(base, rr(base, { type: 'A', address: ip }));
    for (const p of ports) {
      const srv = rr(base, { type: 'SRV', priority: 0, weight: 0, port: p.port, target: base });
      add(base, srv);
      if (p.name) addPortName(add, base, p.name, p.protocol, { ...srv, name: '' });
    }
    return balanceSrvWeights(zone);
  }
  const hosts = endpointHosts(svc, ep);
  for (const h of hosts) {
    const target = `${h.host}.${base}`;
    add(target, rr(target, { type: 'A', address: h.ip }));
    add(base, rr(base, { type: 'A', address: h.ip }));
  }
  const srvs: { port: number; name?: string; protocol?: string; target: string }[] = [];
  for (const subset of ep?.subsets ?? []) {
    const ips = new Set(addressesOf(svc, subset.addresses, subset.notReadyAddresses));
    for (const p of subset.ports ?? []) {
      for (const h of hosts.filter((x) => ips.has(x.ip))) {
        srvs.push({
          port: p.port,
          name: p.name,
          protocol: p.protocol,
          target: `${h.host}.${base}`,
        });
      }
    }
  }
  for (const s of srvs) {
    const srv = rr(base, { type: 'SRV', priority: 0, weight: 0, port: s.port, target: s.target });
    add(base, srv);
    if (s.name) addPortName(add, base, s.name, s.protocol, { ...srv, name: '' });
  }
  return balanceSrvWeights(zone);
}

/**
 * Reverse entries of a zone: each A address → the most specific name
 * holding it (a headless endpoint's own name rather than the service's).
 */
export function reverseEntries(zone: ServiceZone): [ip: string, name: string][] {
  const best = new Map<string, string>();
  for (const [name, records] of zone) {
    for (const r of records) {
      if (r.data.type !== 'A') continue;
      const prev = best.get(r.data.address);
      if (prev === undefined || name.length > prev.length) best.set(r.data.address, name);
    }
  }
  return [...best];
}

// `_<port>._<proto>.<base>` holds the SRV; `_<port>.<base>` exists as an empty non-terminal.
function addPortName(
  add: (name: string, ...records: ResourceRecord[]) => void,
  base: string,
  port: string,
  protocol: string | undefined,
  srv: ResourceRecord,
): void {
  const proto = (protocol ?? 'TCP').toLowerCase();
  const name = `_${port.toLowerCase()}._${proto}.${base}`;
  add(name, { ...srv, name });
  add(`_${port.toLowerCase()}.${base}`);
}

interface EndpointHost {
  ip: string;
  host: string;
}

// The endpoint addresses DNS publishes, each once, with the label that names it.
function endpointHosts(svc: Service, ep: Endpoints | undefined): EndpointHost[] {
  const seen = new Map<string, EndpointHost>();
  for (const subset of ep?.subsets ?? []) {
    for (const a of addressObjects(svc, subset.addresses, subset.notReadyAddresses)) {
      if (!isIPv4(a.ip) || seen.has(a.ip)) continue;
      seen.set(a.ip, { ip: a.ip, host: (a.hostname || a.ip.replaceAll('.', '-')).toLowerCase() });
    }
  }
  return [...seen.values()];
}

function addressObjects(
  svc: Service,
  ready: EndpointAddress[] | undefined,
  notReady: EndpointAddress[] | undefined,
): EndpointAddress[] {
  return [...(ready ?? []), ...(svc.spec?.publishNotReadyAddresses ? (notReady ?? []) : [])];
}

function addressesOf(
  svc: Service,
  ready: EndpointAddress[] | undefined,
  notReady: EndpointAddress[] | undefined,
): string[] {
  return addressObjects(svc, ready, notReady).map((a) => a.ip);
}

// As CoreDNS, the SRV records of one name share a weight of 100 equally.
function balanceSrvWeights(zone: ServiceZone): ServiceZone {
  for (const [name, records] of zone) {
    const n = records.filter((r) => r.data.type === 'SRV').length;
    const weight = Math.max(1, Math.floor(100 / Math.max(1, n)));
    zone.set(
      name,
      records.map((r) => (r.data.type === 'SRV' ? { ...r, data: { ...r.data, weight } } : r)),
    );
  }
  return zone;
}

function isIPv4(ip: string): boolean {
  return ipToInt(ip) !== undefined;
}
