/**
 * Node-local cluster DNS through the service proxy: the proxy sees the
 * `kube-dns` service's endpoints as this node's own DNS server whenever
 * the API holds no ready endpoints for it, so the kube-dns ClusterIP
 * (10.96.0.10) leads every pod to the DNS server of its own node. If a
 * user runs DNS pods behind kube-dns (ready endpoints), theirs win.
 *
 * Done as a decorator of the proxy's list/watch source, so the proxier's
 * rendering and sync stay as they are: the kube-dns Endpoints object is
 * replaced (or supplied, when the API has none) in lists and watch events
 * alike, and a DELETED event for it becomes a MODIFIED to the local one.
 * Nothing else passes through changed. Pure apart from delegating to the
 * wrapped source.
 */
import type { ListWatcher } from '../../control-plane/api/client/informer.ts';
import type { ListOptions, WatchOptions } from '../../control-plane/api/client/options.ts';
import type { ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Endpoints, KubeObject, List, WatchEvent } from '../../control-plane/api/types.ts';

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
 * (carrying `api`'s resourceVersion, if any, so caches take it as newer).
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

/** The list with the target's Endpoints replaced by (or added as) localDnsEndpoints. */
export function withLocalDnsList<T extends KubeObject>(list: List<T>, t: LocalDnsTarget): List<T> {
  const i = list.items.findIndex((o) => isTarget(o, t));
  const items = [...list.items];
  const local = localDnsEndpoints(i >= 0 ? (items[i] as Endpoints) : undefined, t) as KubeObject;
  if (i >= 0) items[i] = local as T;
  else items.push(local as T);
  return { ...list, items };
}

/** One watch event as the proxy should see it (see the file comment). */
export function withLocalDnsEvent<T extends KubeObject>(
  ev: WatchEvent<T>,
  t: LocalDnsTarget,
): WatchEvent<T> {
  if (!isTarget(ev.object, t)) return ev;
  if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
    return {
      type: ev.type,
      object: localDnsEndpoints(ev.object as Endpoints, t) as KubeObject as T,
    };
  }
  if (ev.type === 'DELETED') {
    const gone = ev.object as Endpoints;
    // Without the API's object the node's server stands in again.
    const empty: Endpoints = { ...gone, subsets: [] };
    return { type: 'MODIFIED', object: localDnsEndpoints(empty, t) as KubeObject as T };
  }
  return ev;
}

/**
 * `client` with the target's Endpoints seen through localDnsEndpoints, for
 * the Endpoints resource only (and only when the selection can include the
 * target's namespace); every other call is passed through untouched.
 * @example
 * startProxy({ client: withLocalDns(client, { ...KUBE_DNS, ip: nodeIp, port: 53 }), ... })
 */
export function withLocalDns(client: ListWatcher, t: LocalDnsTarget): ListWatcher {
  // A selection by label or field might not include the target: leave it alone then.
  const applies = (r: ResourceInfo, o?: ListOptions | WatchOptions) =>
    r.group === '' &&
    r.plural === 'endpoints' &&
    (o?.namespace === undefined || o.namespace === t.namespace) &&
    o?.labelSelector === undefined &&
    o?.fieldSelector === undefined;
  return {
    async listAll<T extends KubeObject>(r: ResourceInfo, opts?: ListOptions): Promise<List<T>> {
      const list = await client.listAll<T>(r, opts);
      return applies(r, opts) ? withLocalDnsList(list, t) : list;
    },
    watch<T extends KubeObject>(
      r: ResourceInfo,
      opts?: WatchOptions,
    ): AsyncIterable<WatchEvent<T>> {
      const events = client.watch<T>(r, opts);
      if (!applies(r, opts)) return events;
      return (async function* () {
        for await (const ev of events) yield withLocalDnsEvent(ev, t);
      })();
    },
  };
}

function isTarget(o: KubeObject, t: LocalDnsTarget): boolean {
  return o.metadata?.name === t.name && o.metadata?.namespace === t.namespace;
}
