/**
 * renderRules: the complete ruleset of skiff's own chains in the filter
 * and nat tables for a set of service ports, kube-proxy's iptables mode in
 * shape (K8S pkg/proxy/iptables/proxier.go syncProxyRules). Pure and
 * deterministic: the same input gives byte-identical output, so it is
 * golden-tested and diffed by the sync planner.
 *
 * The builtin chains are never written here: they jump to ours through
 * BUILTIN_JUMPS (builtin-jumps.ts), which are ensured one by one.
 */
import {
  CANARY_CHAIN,
  EXTERNAL_SERVICES_CHAIN,
  FORWARD_CHAIN,
  MARK_MASQ_CHAIN,
  NODEPORTS_CHAIN,
  POSTROUTING_CHAIN,
  SERVICES_CHAIN,
} from './chain-names.ts';
import {
  LARGE_CLUSTER_ENDPOINTS,
  REJECT,
  REJECT_TCP,
  renderServicePort,
} from './render-service.ts';
import { RuleBuilder, comment } from './rule-builder.ts';
import type { Ruleset } from './ruleset.ts';
import type { ServicePortInfo } from './service-ports.ts';

/** The node's network settings the rules depend on. */
export interface RenderOptions {
  /** The pod network (e.g. 10.244.0.0/16): ClusterIP traffic from outside it is masqueraded. */
  clusterCIDR: string;
  /** The service range (e.g. 10.96.0.0/16): its addresses no service serves are rejected. */
  serviceCIDR: string;
  /** The masquerade mark, default 0x4000 (bit 14, as kube-proxy). */
  masqueradeMark?: string;
  /** Add --random-fully to MASQUERADE (iptables ≥ 1.6.2 and a kernel that has it). */
  randomFully?: boolean;
  /** DROP conntrack-INVALID forwarded packets (kube-proxy's default; off when nf_conntrack_tcp_be_liberal=1). */
  dropInvalid?: boolean;
}

/**
 * The desired state of every skiff chain for `ports` (as buildServicePorts
 * returns them, sorted). Top-level chains come first and always exist,
 * even empty; per-service chains follow in service order. Every jump
 * target is a chain of the same table or a builtin target.
 */
export function renderRules(ports: readonly ServicePortInfo[], opts: RenderOptions): Ruleset {
  const mark = opts.masqueradeMark ?? '0x4000';
  const b = new RuleBuilder();
  for (const chain of [SERVICES_CHAIN, EXTERNAL_SERVICES_CHAIN, FORWARD_CHAIN, CANARY_CHAIN]) {
    b.chain('filter', chain);
  }
  for (const chain of [
    SERVICES_CHAIN,
    NODEPORTS_CHAIN,
    MARK_MASQ_CHAIN,
    POSTROUTING_CHAIN,
    CANARY_CHAIN,
  ]) {
    b.chain('nat', chain);
  }
  renderMasquerade(b, mark, opts.randomFully === true);
  renderForward(b, mark, opts.dropInvalid ?? true);
  let endpoints = 0;
  for (const sp of ports) endpoints += sp.endpoints.length;
  const largeCluster = endpoints > LARGE_CLUSTER_ENDPOINTS;
  for (const sp of ports) renderServicePort(b, sp, opts.clusterCIDR, largeCluster);
  // Kept last: a NodePort must never shadow a ClusterIP rule (kube-proxy: "this must be the last rule").
  const nodePorts = comment(
    'skiff service nodeports; NOTE: this must be the last rule in this chain',
  );
  const local = ['-m', 'addrtype', '--dst-type', 'LOCAL', '!', '-d', '127.0.0.0/8'];
  b.add('nat', SERVICES_CHAIN, nodePorts, local, '-j', NODEPORTS_CHAIN);
  // After the owned services: nothing else of the service range leaves the node.
  const unowned = comment('skiff service range without a service');
  b.add('filter', SERVICES_CHAIN, unowned, '-d', opts.serviceCIDR, '-p', 'tcp', REJECT_TCP);
  b.add('filter', SERVICES_CHAIN, unowned, '-d', opts.serviceCIDR, REJECT);
  return b.build();
}

function renderMasquerade(b: RuleBuilder, mark: string, randomFully: boolean): void {
  b.add('nat', MARK_MASQ_CHAIN, '-j', 'MARK', '--or-mark', mark);
  b.add('nat', POSTROUTING_CHAIN, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  // Clear the mark so a packet that traverses again (e.g. through a tunnel) is not masqueraded twice.
  b.add('nat', POSTROUTING_CHAIN, '-j', 'MARK', '--xor-mark', mark);
  const why = comment('skiff service traffic requiring SNAT');
  b.add('nat', POSTROUTING_CHAIN, why, '-j', 'MASQUERADE', randomFully ? ['--random-fully'] : []);
}

function renderForward(b: RuleBuilder, mark: string, dropInvalid: boolean): void {
  // Spurious resets from INVALID packets (kubernetes#74839).
  if (dropInvalid)
    b.add('filter', FORWARD_CHAIN, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  // Docker sets the FORWARD policy to DROP: accept service traffic explicitly.
  const rules = comment('skiff forwarding rules');
  b.add('filter', FORWARD_CHAIN, rules, '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT');
  const ct = comment('skiff forwarding conntrack rule');
  const established = ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED'];
  b.add('filter', FORWARD_CHAIN, ct, established, '-j', 'ACCEPT');
}
