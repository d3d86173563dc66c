/**
 * The agent's service proxy: the iptables backend detected as kube-proxy
 * does (nft or legacy, whichever holds rules), then the proxier of
 * node-agent/proxy/ on Services and Endpoints, writing skiff's chains with
 * iptables-restore --noflush. Rules stay in place when the agent stops, so
 * service IPs keep working while it restarts. With `localDns`, the proxy
 * sends the kube-dns service to this node's DNS server while the API holds
 * no ready endpoints for it (agent-dns.ts explains why).
 */
import type { Logger } from '../control-plane/api/log.ts';
import { ExecConntrack } from './proxy/conntrack.ts';
import { execCommand } from './proxy/exec-command.ts';
import { detectBackend } from './proxy/iptables-backend.ts';
import { ExecIptables } from './proxy/iptables.ts';
import { KUBE_DNS, withLocalDnsItems } from './proxy/local-dns-endpoints.ts';
import { startProxy, type Proxy } from './proxy/proxier.ts';
import type { ServiceInformers } from './service-informers.ts';

export interface AgentProxyOptions {
  /** The agent's Services and Endpoints informers (shared with its DNS server, run by the agent). */
  informers: ServiceInformers;
  nodeName: string;
  clusterCidr: string;
  serviceCidr: string;
  /** This node's DNS server, standing in for kube-system/kube-dns. */
  localDns?: { ip: string; port: number };
  log: Logger;
  signal: AbortSignal;
}

/** Detects the backend and starts the proxier; resolves once it runs (its first sync follows). */
export async function startServiceProxy(o: AgentProxyOptions): Promise<Proxy> {
  const detected = await detectBackend(execCommand());
  const log = o.log.child({ component: 'proxy' });
  log.info('Service proxy starting', { ...detected });
  const localDns = o.localDns && { ...KUBE_DNS, ...o.localDns, nodeName: o.nodeName };
  return startProxy({
    informers: o.informers,
    ...(localDns ? { endpointsView: (eps) => withLocalDnsItems(eps, localDns) } : {}),
    iptables: new ExecIptables({ backend: detected.backend }),
    conntrack: new ExecConntrack(),
    clusterCIDR: o.clusterCidr,
    serviceCIDR: o.serviceCidr,
    nodeName: o.nodeName,
    log,
    signal: o.signal,
  });
}
