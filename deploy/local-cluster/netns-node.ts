/**
 * One "machine" of the local cluster: a network namespace `<prefix>-<name>`
 * (bound at /run/netns/<prefix>-<name>) joined to the host bridge by a veth
 * pair whose host end has the namespace's name and whose inner end is `eth0`.
 * The namespace gets loopback, an address on the bridge subnet, NO default
 * route, and an on-link route for the service range on eth0 so locally
 * generated traffic to a service IP passes the routing check before the nat
 * OUTPUT rules (ENVIRONMENT.md, network rule 3). Nothing can be routed out:
 * the only routes are on-link ones on the bridge.
 */
import {
  runOk,
  type CommandRunner,
  type CommandResult,
  type RunOptions,
} from './command-runner.ts';
import type { HostNetwork } from './host-network.ts';
import { nodeNetnsName } from './names.ts';
import { addressAt, parseCidr } from './subnet.ts';

/** The service range that gets an on-link route in every node (ARCHITECTURE.md default). */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
/** The interface name inside every node namespace. */
export const NODE_IFACE = 'eth0';

export interface NetnsNode {
  /** The node's short name, e.g. "n1". */
  name: string;
  /** The namespace name, e.g. "skiff-n1" (also the host veth end's name). */
  netns: string;
  /** The bind mount of the namespace, for `nsenter --net=`. */
  netnsPath: string;
  /** The node's address on the bridge. */
  ip: string;
}

export interface NetnsNodeOptions {
  prefix: string;
  name: string;
  network: HostNetwork;
  /** The host index of the node's address in the bridge subnet (the gateway is 1). */
  addressIndex: number;
  serviceCidr?: string;
}

/** Creates and configures the namespace and its veth link. Throws if it already exists. */
export async function createNetnsNode(
  opts: NetnsNodeOptions,
  runner: CommandRunner,
): Promise<NetnsNode> {
  const netns = nodeNetnsName(opts.prefix, opts.name);
  const ip = addressAt(parseCidr(opts.network.subnet), opts.addressIndex);
  const serviceCidr = opts.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const ipn = (...args: string[]) => runOk(runner, 'ip', ['-n', netns, ...args]);
  await runOk(runner, 'ip', ['netns', 'add', netns]);
  const node: NetnsNode = { name: opts.name, netns, netnsPath: `/run/netns/${netns}`, ip };
  await runOk(runner, 'ip', [
    ...['link', 'add', 'name', netns, 'type', 'veth'],
    ...['peer', 'name', NODE_IFACE, 'netns', netns],
  ]);
  await runOk(runner, 'sysctl', ['-q', '-w', `net.ipv6.conf.${netns}.disable_ipv6=1`]);
  await runOk(runner, 'ip', ['link', 'set', 'dev', netns, 'master', opts.network.bridge, 'up']);
  await runOk(runner, 'nsenter', [
    `--net=${node.netnsPath}`,
    ...['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    'net.bridge.bridge-nf-call-iptables=1',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ]);
  await ipn('link', 'set', 'dev', 'lo', 'up');
  await ipn('addr', 'add', `${ip}/${opts.network.prefixLength}`, 'dev', NODE_IFACE);
  await ipn('link', 'set', 'dev', NODE_IFACE, 'up');
  await ipn('route', 'add', serviceCidr, 'dev', NODE_IFACE, 'scope', 'link');
  return node;
}

/**
 * Removes the namespace `netns` and its host veth end if present
 * (idempotent). Processes still inside keep the kernel namespace alive, so
 * stop them first.
 */
export async function removeNetnsNode(netns: string, runner: CommandRunner): Promise<void> {
  if ((await runner.run('ip', ['link', 'show', 'dev', netns])).code === 0) {
    await runOk(runner, 'ip', ['link', 'del', 'dev', netns]);
  }
  if ((await listNetns(runner)).includes(netns)) await runOk(runner, 'ip', ['netns', 'del', netns]);
}

/** The names of the network namespaces in /run/netns. */
export async function listNetns(runner: CommandRunner): Promise<string[]> {
  const out = await runOk(runner, 'ip', ['netns', 'list']);
  // Lines look like "skiff-n1" or "skiff-n1 (id: 3)".
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Runs a program inside the node's network namespace only (host mounts, PIDs and files). */
export function runInNode(
  node: Pick<NetnsNode, 'netnsPath'>,
  runner: CommandRunner,
  cmd: string,
  args: readonly string[],
  opts?: RunOptions,
): Promise<CommandResult> {
  return runner.run('nsenter', [`--net=${node.netnsPath}`, '--', cmd, ...args], opts);
}
