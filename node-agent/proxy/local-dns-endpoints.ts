/**
 * Node-local cluster DNS through the service proxy: the proxy sees the
 * `kube-dns` service's endpoints as this node's own DNS server whenever
 * the API holds no ready endpoints for it, so the kube-dns ClusterIP
 * (10.96.0.10) leads every pod to the DNS server of its own node. If a
 * user runs DNS pods behind kube-dns (ready endpoints), theirs win.
 *
 * Done as the proxy's view of the Endpoints it read (its `endpointsView`),
 * so the informers stay shared with the DNS server, which needs the API's
 * objects as they are, and the proxier's rendering and sync stay as they
 * are: the kube-dns Endpoints object is replaced, or supplied when the API
 * has none. Nothing else changes. Pure.
 */
import type { Endpoints } from '../../control-plane/api/types.ts';

/** Where the node's DNS server listens, and which service it stands in for. */
export interface LocalDnsTarget {
  /** The service, by default kube-system/kube-dns. */
  namespace: string;
  name: string;
  /** This node's DNS server address (its InternalIP) and port (53). */
  ip: string;
  port: number;
  /** Set as the address's nodeName. */
  nodeName?: string;
}

/** The service the agent's DNS server stands in for. */
export const KUBE_DNS = { namespace: 'kube-system', name: 'kube-dns' } as const;

/**
 * The port names of the kube-dns Service skiff's API server makes (and
 * CoreDNS's manifests use): an endpoint port counts for a service port of
 * the same name and protocol.
 */
export const KUBE_DNS_PORTS = [
  { name: 'dns', protocol: 'UDP' },
  { name: 'dns-tcp', protocol: 'TCP' },
] as const;

/** True when `ep` lists at least one ready address. */
export function hasReadyAddress(ep: Endpoints | undefined): boolean {
  return (ep?.subsets ?? []).some((s) => (s.addresses ?? []).length > 0);
}

/**
 * What the proxy should see for the target service: `api` itself when it
 * has a ready address, else an Endpoints object with the one local address
 * (carrying `api`'s resourceVersion and uid, if any: it stands for that object).
 */
export function localDnsEndpoints(api: Endpoints | undefined, t: LocalDnsTarget): Endpoints {
  if (api && hasReadyAddress(api)) return api;
  const rv = api?.metadata.resourceVersion;
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: t.name,
      namespace: t.namespace,
      ...(rv !== undefined ? { resourceVersion: rv } : {}),
      ...(api?.metadata.uid !== undefined ? { uid: api.metadata.uid } : {}),
    },
    subsets: [
      {
        addresses: [{ ip: t.ip, ...(t.nodeName ? { nodeName: t.nodeName } : {}) }],
        ports: KUBE_DNS_PORTS.map((p) => ({ name: p.name, port: t.port, protocol: p.protocol })),
      },
    ],
  };
}

/** The items with the target's Endpoints replaced by (or added as) localDnsEndpoints. */
export function withLocalDnsItems(items: readonly Endpoints[], t: LocalDnsTarget): Endpoints[] {
  const i = items.findIndex(
    (e) => e.metadata.name === t.name && e.metadata.namespace === t.namespace,
  );
  const out = [...items];
  const local = localDnsEndpoints(i >= 0 ? out[i] : undefined, t);
  if (i >= 0) out[i] = local;
  else out.push(local);
  return out;
}
