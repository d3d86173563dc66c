/**
 * Cluster DNS for the node agent: the server (UDP + TCP, cluster names from
 * informers, the rest forwarded upstream) and the pod resolv.conf the
 * kubelet writes. Imports only control-plane/api/.
 */
export { DnsServer, type DnsServerOptions } from './dns-server.ts';
export { ClusterIndex, type ClusterAnswer, type ClusterIndexOptions } from './cluster-index.ts';
export { DEFAULT_CLUSTER_DOMAIN, DEFAULT_TTL_SECONDS } from './cluster-records.ts';
export {
  DEFAULT_DNS_LIMITS,
  formatResolvConf,
  parseResolvConf,
  podDnsType,
  podResolvConf,
  type PodDnsSettings,
  type PodResolvConf,
  type ResolvConf,
} from './resolv-conf.ts';
