/**
 * The rules of one service port (kube-proxy's writeServiceToEndpointRules
 * and its per-endpoint chains), written into a RuleBuilder. Pure.
 */
import {
  EXTERNAL_SERVICES_CHAIN,
  MARK_MASQ_CHAIN,
  NODEPORTS_CHAIN,
  SERVICES_CHAIN,
  endpointChain,
  externalChain,
  serviceChain,
} from './chain-names.ts';
import type { RuleBuilder } from './rule-builder.ts';
import { comment } from './rule-builder.ts';
import type { EndpointInfo, ServicePortInfo } from './service-ports.ts';

/** ICMP port unreachable: a UDP sender (or any protocol) learns at once that nobody serves it. */
export const REJECT = ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];

/**
 * A TCP connect fails at once with ECONNREFUSED. A reset rather than ICMP:
 * the kernel rate-limits the ICMP errors it sends to a forwarded client
 * (net.ipv4.icmp_ratelimit, 6 at once, then 1/s per destination), so a pod
 * opening connections to a service without endpoints would see its 7th
 * SYN dropped and wait a SYN retransmission (1 s) for each refusal after
 * that. Resets are not rate-limited.
 */
export const REJECT_TCP = ['-j', 'REJECT', '--reject-with', 'tcp-reset'];

/** The REJECT for `protocol`: a reset for TCP, ICMP port unreachable otherwise. */
export function rejectFor(protocol: string): string[] {
  return protocol === 'TCP' ? REJECT_TCP : REJECT;
}

/**
 * Above this many endpoints in all, the per-endpoint rules carry no
 * comment (kube-proxy's largeClusterEndpointsThreshold and "large cluster
 * mode"): fewer matches for iptables-restore to parse and, on nf_tables,
 * for the kernel to re-validate on every commit, at the cost of a less
 * readable iptables-save.
 */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/**
 * Writes `sp`: with ready endpoints, the nat dispatch (ClusterIP and
 * NodePort), its SVC chain, an EXT chain for the NodePort and one SEP chain
 * per endpoint; without, filter REJECTs for the ClusterIP and NodePort.
 * `clusterCIDR` is the pod network: ClusterIP traffic from outside it is
 * marked for masquerade so replies come back through this node.
 * `largeCluster`: leave the comments off the per-endpoint rules (see
 * LARGE_CLUSTER_ENDPOINTS).
 */
export function renderServicePort(
  b: RuleBuilder,
  sp: ServicePortInfo,
  clusterCIDR: string,
  largeCluster = false,
): void {
  const note = (text: string): string[] => (largeCluster ? [] : comment(text));
  const proto = sp.protocol.toLowerCase();
  const match = ['-m', proto, '-p', proto];
  if (sp.endpoints.length === 0) {
    const why = comment(`${sp.name} has no endpoints`);
    b.add(
      'filter',
      SERVICES_CHAIN,
      why,
      match,
      '-d',
      sp.clusterIP,
      '--dport',
      `${sp.port}`,
      rejectFor(sp.protocol),
    );
    if (sp.nodePort !== undefined) {
      const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
      b.add(
        'filter',
        EXTERNAL_SERVICES_CHAIN,
        why,
        local,
        match,
        '--dport',
        `${sp.nodePort}`,
        rejectFor(sp.protocol),
      );
    }
    return;
  }
  const svc = serviceChain(sp.name, sp.protocol);
  const clusterIP = ['-d', sp.clusterIP, '--dport', `${sp.port}`];
  const portal = comment(`${sp.name} cluster IP`);
  b.add('nat', SERVICES_CHAIN, portal, match, clusterIP, '-j', svc);
  b.chain('nat', svc);
  if (sp.nodePort !== undefined) {
    const ext = externalChain(sp.name, sp.protocol);
    b.add('nat', NODEPORTS_CHAIN, comment(sp.name), match, '--dport', `${sp.nodePort}`, '-j', ext);
    // Traffic from outside via a NodePort is always masqueraded, so the reply returns here.
    const why = comment(`masquerade traffic for ${sp.name} external destinations`);
    b.add('nat', ext, why, '-j', MARK_MASQ_CHAIN);
    b.add('nat', ext, '-j', svc);
  }
  b.add('nat', svc, portal, match, clusterIP, '!', '-s', clusterCIDR, '-j', MARK_MASQ_CHAIN);
  const seps = sp.endpoints.map((ep) => endpointChain(sp.name, sp.protocol, `${ep.ip}:${ep.port}`));
  if (sp.affinitySeconds !== undefined) {
    // A client seen within the timeout goes back to the endpoint it had (xt_recent).
    sp.endpoints.forEach((ep, i) => {
      const sep = seps[i] ?? '';
      const recent = ['-m', 'recent', '--name', sep, '--rcheck'];
      const seconds = ['--seconds', `${sp.affinitySeconds}`, '--reap'];
      b.add('nat', svc, note(to(sp, ep)), recent, seconds, '-j', sep);
    });
  }
  // Endpoint i of n is picked with probability 1/(n-i), so each gets 1/n overall.
  const n = sp.endpoints.length;
  sp.endpoints.forEach((ep, i) => {
    const sep = seps[i] ?? '';
    const pick =
      i < n - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(n - i)] : [];
    b.add('nat', svc, note(to(sp, ep)), pick, '-j', sep);
  });
  sp.endpoints.forEach((ep, i) => renderEndpoint(b, sp, ep, seps[i] ?? '', match, note(sp.name)));
}

function renderEndpoint(
  b: RuleBuilder,
  sp: ServicePortInfo,
  ep: EndpointInfo,
  sep: string,
  match: string[],
  note: string[],
): void {
  b.chain('nat', sep);
  // Hairpin: a pod reaching itself through the service must see the node as the source.
  b.add('nat', sep, note, '-s', ep.ip, '-j', MARK_MASQ_CHAIN);
  const remember = sp.affinitySeconds !== undefined ? ['-m', 'recent', '--name', sep, '--set'] : [];
  const dnat = ['-j', 'DNAT', '--to-destination', `${ep.ip}:${ep.port}`];
  b.add('nat', sep, note, remember, match, dnat);
}

function to(sp: ServicePortInfo, ep: EndpointInfo): string {
  return `${sp.name} -> ${ep.ip}:${ep.port}`;
}

/** 1/n with 10 decimals, as kube-proxy's computeProbability ("%0.10f"). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}
