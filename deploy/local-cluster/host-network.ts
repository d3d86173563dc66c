/**
 * The host side of the local cluster: one Linux bridge that all node
 * namespaces attach to, fenced so nothing a node sends leaves the machine
 * (ENVIRONMENT.md, network rule 3):
 * - proxy ARP and IPv4 forwarding are off on the bridge, IPv6 is disabled on it;
 * - the chain `<PREFIX>-HOST-FWD`, jumped to first from the filter FORWARD
 *   chain, accepts bridge-to-bridge traffic (node to node, which crosses
 *   FORWARD because br_netfilter is on) and drops anything routed from the
 *   bridge to another interface or from another interface to the bridge.
 * Node to host traffic (the registry on the bridge address) is local
 * delivery, not forwarding, so it still works.
 */
import { runOk, type CommandRunner } from './command-runner.ts';
import { parseIpAddrsByLink, usedHostSubnets } from './host-subnets.ts';
import { bridgeName, checkPrefix, DEFAULT_PREFIX, forwardChainName } from './names.ts';
import { addressAt, cidrsOverlap, formatCidr, parseCidr, pickFreeSubnet } from './subnet.ts';

/** The created bridge and its addressing. */
export interface HostNetwork {
  bridge: string;
  /** The bridge subnet, e.g. "172.30.0.0/24". */
  subnet: string;
  prefixLength: number;
  /** The host's address on the bridge (first host address), where the registry listens. */
  gateway: string;
  chain: string;
}

export interface HostNetworkOptions {
  prefix: string;
  /** Use exactly this subnet (it must not overlap the host's); otherwise pick from `candidates`. */
  subnet?: string;
  /** Tried in order; the first free one wins. Default: `bridgeCandidates(prefix)`. */
  candidates?: readonly string[];
  /** Ranges to avoid besides the host's own (the service and pod CIDRs). */
  reserved?: readonly string[];
}

/**
 * The default candidates: 172.30.0.0/24 ... 172.30.31.0/24, then
 * 10.250.0.0/24 ... 10.250.31.0/24 for a host whose Docker took 172.30.0.0/16.
 */
export const DEFAULT_BRIDGE_CANDIDATES: readonly string[] = [
  ...Array.from({ length: 32 }, (_, i) => `172.30.${i}.0/24`),
  ...Array.from({ length: 32 }, (_, i) => `10.250.${i}.0/24`),
];

/**
 * Creates the bridge on a subnet the host does not use and installs the
 * forward fence. Throws if the bridge already exists (remove leftovers with
 * `removeHostNetwork` first) or no candidate subnet is free.
 */
export async function createHostNetwork(
  opts: HostNetworkOptions,
  runner: CommandRunner,
): Promise<HostNetwork> {
  checkPrefix(opts.prefix);
  const bridge = bridgeName(opts.prefix);
  const chain = forwardChainName(opts.prefix);
  if ((await runner.run('ip', ['link', 'show', 'dev', bridge])).code === 0) {
    throw new Error(`bridge ${bridge} already exists: remove the old local cluster first`);
  }
  const used = [...(await usedHostSubnets(runner)), ...(opts.reserved ?? [])];
  const subnet = chooseSubnet(opts, used);
  const cidr = parseCidr(subnet);
  const gateway = addressAt(cidr, 1);
  await runOk(runner, 'ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  await setSysctls(runner, bridge);
  await runOk(runner, 'ip', ['addr', 'add', `${gateway}/${cidr.prefix}`, 'dev', bridge]);
  await runOk(runner, 'ip', ['link', 'set', 'dev', bridge, 'up']);
  await checkNotShared(runner, bridge, subnet);
  await installForwardFence(runner, chain, bridge);
  return { bridge, subnet, prefixLength: cidr.prefix, gateway, chain };
}

/**
 * Removes the prefix's FORWARD jump, chain and bridge if present. Idempotent;
 * touches nothing else.
 */
export async function removeHostNetwork(prefix: string, runner: CommandRunner): Promise<void> {
  checkPrefix(prefix);
  const chain = forwardChainName(prefix);
  // A crash between two installs could leave the jump twice; bounded loop.
  for (let i = 0; i < 10; i++) {
    const res = await runner.run('iptables', ['-w', '-D', 'FORWARD', '-j', chain]);
    if (res.code !== 0) break;
  }
  if ((await runner.run('iptables', ['-w', '-n', '-L', chain])).code === 0) {
    await runOk(runner, 'iptables', ['-w', '-F', chain]);
    await runOk(runner, 'iptables', ['-w', '-X', chain]);
  }
  const bridge = bridgeName(prefix);
  if ((await runner.run('ip', ['link', 'show', 'dev', bridge])).code === 0) {
    await runOk(runner, 'ip', ['link', 'del', 'dev', bridge]);
  }
}

/**
 * The candidate subnets for a prefix: `DEFAULT_BRIDGE_CANDIDATES`, starting
 * at 172.30.0.0/24 for the default prefix "skiff" and at a /24 derived from
 * the name for any other, so clusters of different prefixes created at the
 * same moment (parallel test runs) rarely try the same subnet (pure).
 */
export function bridgeCandidates(prefix: string): string[] {
  let h = 0;
  for (const ch of prefix) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const start = prefix === DEFAULT_PREFIX ? 0 : 1 + (h % 31);
  const first = DEFAULT_BRIDGE_CANDIDATES.slice(0, 32);
  return [...first.slice(start), ...first.slice(0, start), ...DEFAULT_BRIDGE_CANDIDATES.slice(32)];
}

/** The rules of the fence chain, as iptables argument lists (pure). */
export function forwardFenceRules(chain: string, bridge: string): string[][] {
  return [
    ['-A', chain, '-i', bridge, '-o', bridge, '-j', 'ACCEPT'],
    ['-A', chain, '-i', bridge, '-j', 'DROP'],
    ['-A', chain, '-o', bridge, '-j', 'DROP'],
  ];
}

function chooseSubnet(opts: HostNetworkOptions, used: string[]): string {
  if (opts.subnet !== undefined) {
    const wanted = formatCidr(parseCidr(opts.subnet));
    if (pickFreeSubnet([wanted], used) === undefined) {
      throw new Error(
        `subnet ${wanted} overlaps a subnet or route of this host (${used.join(', ')}): choose another`,
      );
    }
    return wanted;
  }
  const picked = pickFreeSubnet(opts.candidates ?? bridgeCandidates(opts.prefix), used);
  if (picked === undefined) {
    throw new Error(
      'no free subnet for the local cluster bridge: pass one that the host does not use',
    );
  }
  return picked;
}

// Two clusters created at the same instant could pick the same free subnet; the later one fails.
async function checkNotShared(
  runner: CommandRunner,
  bridge: string,
  subnet: string,
): Promise<void> {
  const out = await runOk(runner, 'ip', ['-j', '-4', 'addr', 'show']);
  const mine = parseCidr(subnet);
  for (const [ifname, cidr] of parseIpAddrsByLink(out)) {
    if (ifname !== bridge && cidrsOverlap(parseCidr(cidr), mine)) {
      throw new Error(`subnet ${subnet} of ${bridge} is also on ${ifname}: choose another subnet`);
    }
  }
}

async function setSysctls(runner: CommandRunner, bridge: string): Promise<void> {
  for (const setting of [
    `net.ipv4.conf.${bridge}.proxy_arp=0`,
    `net.ipv4.conf.${bridge}.forwarding=0`,
    `net.ipv6.conf.${bridge}.disable_ipv6=1`,
  ]) {
    await runOk(runner, 'sysctl', ['-q', '-w', setting]);
  }
}

async function installForwardFence(
  runner: CommandRunner,
  chain: string,
  bridge: string,
): Promise<void> {
  if ((await runner.run('iptables', ['-w', '-N', chain])).code !== 0) {
    await runOk(runner, 'iptables', ['-w', '-F', chain]);
  }
  for (const rule of forwardFenceRules(chain, bridge))
    await runOk(runner, 'iptables', ['-w', ...rule]);
  if ((await runner.run('iptables', ['-w', '-C', 'FORWARD', '-j', chain])).code !== 0) {
    await runOk(runner, 'iptables', ['-w', '-I', 'FORWARD', '1', '-j', chain]);
  }
}
