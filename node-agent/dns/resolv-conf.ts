/**
 * resolv.conf, pure: parse the node's, format one, and compute a pod's
 * from its dnsPolicy and dnsConfig as the kubelet does
 * (pkg/kubelet/network/dns/dns.go):
 * - ClusterFirst: the cluster DNS servers, search `<ns>.svc.<domain>
 *   svc.<domain> <domain>` then the node's searches, `options ndots:5`.
 *   A hostNetwork pod gets Default instead, unless its policy is
 *   ClusterFirstWithHostNet. Without cluster DNS servers: Default.
 * - Default: the node's resolv.conf. None: nothing but dnsConfig.
 * - dnsConfig is then merged: nameservers and searches appended (duplicates
 *   dropped), options overriding by name; finally at most 3 nameservers,
 *   32 searches and 2048 characters of search line (the limits of
 *   Kubernetes >= 1.28; 6 and 256 before).
 */
import type { Pod } from '../../control-plane/api/types.ts';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  /** "name" or "name:value", in order. */
  options: string[];
}

export interface PodDnsSettings {
  /** The kube-dns service address(es), e.g. ["10.96.0.10"]. */
  clusterDns: string[];
  clusterDomain: string;
  /** The node's resolv.conf, parsed. */
  node: ResolvConf;
  limits?: { nameservers: number; searches: number; searchChars: number };
}

export const DEFAULT_DNS_LIMITS = { nameservers: 3, searches: 32, searchChars: 2048 };

/** What the pod's resolv.conf holds, and the limits it hit (for a DNSConfigForming event). */
export interface PodResolvConf {
  conf: ResolvConf;
  warnings: string[];
}

/**
 * Parses resolv.conf text: `nameserver` lines accumulate, the last
 * `search` (or `domain`) line wins with "." dropped and trailing dots
 * removed, `options` accumulate (a later one overrides by name). Comments
 * start with # or ;. Unknown lines are ignored.
 */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const fields = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const [key, ...rest] = fields;
    if (key === 'nameserver' && rest[0]) conf.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') {
      conf.searches = rest.filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    } else if (key === 'options') conf.options = mergeOptions(conf.options, rest);
  }
  return conf;
}

/** resolv.conf text of `conf`; empty sections are left out. */
export function formatResolvConf(conf: ResolvConf): string {
  const lines = conf.nameservers.map((n) => `nameserver ${n}`);
  if (conf.searches.length) lines.push(`search ${conf.searches.join(' ')}`);
  if (conf.options.length) lines.push(`options ${conf.options.join(' ')}`);
  return lines.map((l) => l + '\n').join('');
}

/** The DNS type a pod gets. Throws for a dnsPolicy Kubernetes does not define. */
export function podDnsType(pod: Pod): 'cluster' | 'host' | 'none' {
  const policy = pod.spec?.dnsPolicy || 'ClusterFirst';
  switch (policy) {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'ClusterFirst':
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
    case 'Default':
      return 'host';
    default:
      throw new Error(
        `pod ${pod.metadata.namespace}/${pod.metadata.name} has dnsPolicy "${policy}"; ` +
          'use ClusterFirst, ClusterFirstWithHostNet, Default or None',
      );
  }
}

/** The resolv.conf of `pod` on this node. */
export function podResolvConf(pod: Pod, s: PodDnsSettings): PodResolvConf {
  const warnings: string[] = [];
  let type = podDnsType(pod);
  if (type === 'cluster' && s.clusterDns.length === 0) {
    warnings.push('no cluster DNS server is configured: the pod gets the node resolv.conf');
    type = 'host';
  }
  let conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  if (type === 'host') conf = structuredClone(s.node);
  if (type === 'cluster') {
    const ns = pod.metadata.namespace ?? 'default';
    const d = s.clusterDomain;
    conf = {
      nameservers: [...s.clusterDns],
      searches: unique([`${ns}.svc.${d}`, `svc.${d}`, d, ...s.node.searches]),
      options: ['ndots:5'],
    };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    conf.nameservers = unique([...conf.nameservers, ...(extra.nameservers ?? [])]);
    conf.searches = unique([...conf.searches, ...(extra.searches ?? [])]);
    const podOptions = (extra.options ?? []).map((o) =>
      o.value ? `${o.name ?? ''}:${o.value}` : (o.name ?? ''),
    );
    conf.options = mergeOptions(conf.options, podOptions.filter(Boolean));
  }
  return { conf: fitLimits(conf, s.limits ?? DEFAULT_DNS_LIMITS, warnings), warnings };
}

// kubelet formDNSConfigFitsLimits / formDNSSearchFitsLimits.
function fitLimits(
  conf: ResolvConf,
  limits: NonNullable<PodDnsSettings['limits']>,
  warnings: string[],
): ResolvConf {
  let { nameservers, searches } = conf;
  if (nameservers.length > limits.nameservers) {
    nameservers = nameservers.slice(0, limits.nameservers);
    warnings.push(`nameserver limit exceeded: kept ${nameservers.join(' ')}`);
  }
  const before = searches.length;
  // glibc aborts on a search path over 253 characters; the kubelet drops those.
  searches = searches.slice(0, limits.searches).filter((x) => x.length <= 253);
  while (searches.length > 0 && searches.join(' ').length > limits.searchChars) searches.pop();
  if (searches.length < before) {
    warnings.push(`search line limits exceeded: kept ${searches.join(' ')}`);
  }
  return { nameservers, searches, options: conf.options };
}

// Options keyed by the part before ":"; a later one replaces an earlier one in place.
function mergeOptions(existing: string[], added: string[]): string[] {
  const map = new Map<string, string>();
  for (const o of [...existing, ...added]) {
    const i = o.indexOf(':');
    map.set(i < 0 ? o : o.slice(0, i), o);
  }
  return [...map.values()];
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
