/**
 * Tables of services (TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide
 * SELECTOR) and endpoints (ENDPOINTS "10.0.0.1:80,10.0.0.2:80 + 1 more...").
 */
import type { Endpoints, Service } from '../../api/types.ts';
import { AGE_COLUMN, NAME_COLUMN, column, formatLabels, since, type Printer } from './format.ts';

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Type',
      'string',
      'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.',
    ),
    column(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly.',
    ),
    column(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    column(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector.',
      { priority: 1 },
    ),
  ],
  row(obj, now) {
    const svc = obj as Service;
    const spec = svc.spec ?? {};
    const ports = (spec.ports ?? [])
      .map((p) =>
        p.nodePort
          ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}`
          : `${p.port}/${p.protocol ?? ''}`,
      )
      .join(',');
    return {
      cells: [
        svc.metadata?.name ?? '',
        spec.type ?? '',
        spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
        externalIP(svc),
        ports || '<none>',
        since(svc.metadata?.creationTimestamp, now),
        formatLabels(spec.selector),
      ],
    };
  },
};

/** getServiceExternalIP (wide form, as the server prints it). */
function externalIP(svc: Service): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = new Set<string>();
      for (const i of svc.status?.loadBalancer?.ingress ?? []) {
        if (i.ip) ingress.add(i.ip);
        else if (i.hostname) ingress.add(i.hostname);
      }
      const all = [...ingress, ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const endpointsPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
    AGE_COLUMN,
  ],
  row(obj, now) {
    const ep = obj as Endpoints;
    return {
      cells: [
        ep.metadata?.name ?? '',
        formatEndpoints(ep),
        since(ep.metadata?.creationTimestamp, now),
      ],
    };
  },
};

const MAX_SHOWN = 3;

/** formatEndpoints: the first three "ip:port", then " + N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  const add = (s: string) => {
    if (list.length === MAX_SHOWN) more = true;
    else list.push(s);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // headless services may have no ports
      count += addresses.length;
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) add(joinHostPort(a.ip, p.port));
    }
  }
  const shown = list.join(',');
  return more ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

/** net.JoinHostPort: IPv6 addresses in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
