/**
 * The agent's cluster DNS: node-local. Every agent runs a DnsServer
 * (node-agent/dns/) on its own node's InternalIP, port 53 (UDP and TCP),
 * and its service proxy sends the kube-dns ClusterIP (10.96.0.10) to that
 * server: for kube-system/kube-dns the proxy sees this node's address as
 * the endpoint whenever the API holds no ready endpoints for the service
 * (proxy/local-dns-endpoints.ts). Pods keep the standard resolv.conf
 * (nameserver 10.96.0.10), so a user who deploys DNS pods behind kube-dns
 * takes over without touching a pod.
 *
 * Why this wiring:
 * - DNS keeps answering while the API server is down: each node's server
 *   serves the Services and Endpoints it last saw, and the proxy's rules
 *   stay in place (a DNS Deployment would, too, but needs the scheduler
 *   and a cross-node hop; this needs neither, as NodeLocal DNSCache).
 * - No cross-node hop and no conntrack entry on another node per lookup.
 * - Binding the node IP rather than the ClusterIP itself needs no dummy
 *   interface and no NOTRACK rules beside the proxy's (NodeLocal DNSCache
 *   needs both), and leaves the ClusterIP entirely to the proxy, whose
 *   rules stay the only path to it (no rule of skiff's bypasses them).
 * - The node IP is reachable from pods (bridge gateway routing) and from
 *   the node itself, and on Linux the DNAT to a local address is plain
 *   local delivery: no masquerade, replies come from 10.96.0.10.
 * Port 53 on the node IP must be free (a resolver on 0.0.0.0:53 holds it;
 * systemd-resolved's 127.0.0.53 does not): --dns-port moves the server,
 * and the proxy follows, since it DNATs to whatever port the server got.
 */
import type { Logger } from '../control-plane/api/log.ts';
import { DnsServer } from './dns/dns-server.ts';
import type { ServiceInformers } from './service-informers.ts';

export interface AgentDnsOptions {
  /** The agent's Services and Endpoints informers (shared with its proxy, run by the agent). */
  informers: ServiceInformers;
  /** The node's InternalIP: where the server listens. */
  nodeIp: string;
  /** UDP and TCP port; 0 picks a free one (tests). */
  port: number;
  clusterDomain: string;
  /** The cluster DNS addresses pods use (never forwarded to: that would loop). */
  clusterDns: readonly string[];
  /** The node's resolv.conf: its nameservers answer names outside the cluster; "" for none. */
  resolvConfPath: string;
  log: Logger;
  signal: AbortSignal;
}

/** A running node-local DNS server. */
export interface AgentDns {
  /** The port it listens on (UDP and TCP), for the proxy's endpoint. */
  port: number;
  /** Resolves once the server has closed (after `signal` aborted). */
  done: Promise<void>;
}

/** Starts the server; resolves once it listens. Rejects with an operator's message if it cannot bind. */
export async function startNodeDns(o: AgentDnsOptions): Promise<AgentDns> {
  const server = new DnsServer({
    informers: o.informers,
    host: o.nodeIp,
    port: o.port,
    // The node's nameservers, without the cluster DNS addresses (they lead back here).
    resolvConfPath: o.resolvConfPath,
    selfAddresses: o.clusterDns,
    clusterDomain: o.clusterDomain,
    logger: o.log,
  });
  const done = server.start(o.signal);
  done.catch(() => undefined); // the failure is reported through `listening` below
  try {
    await server.listening;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      `cannot serve cluster DNS on ${o.nodeIp}:${o.port} (${e.code ?? e.message}): ` +
        'free that port (a resolver listening on 0.0.0.0:53 holds it) or pass --dns-port',
      { cause: err },
    );
  }
  return { port: server.port, done: done.catch(() => undefined) };
}
