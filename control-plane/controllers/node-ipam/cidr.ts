/**
 * The node IPAM's arithmetic, as pure functions: the cluster CIDR cut into
 * equal node subnets (Kubernetes' cidrset), subnets addressed by index
 * 0..count-1, and the lowest free one picked from a set of used indexes.
 * IPv4 only, as skiff's pod network is.
 */

import { intToIp, ipToInt } from '../../api/ipv4.ts';

/** The cluster CIDR split into node subnets of one mask size. */
export interface SubnetPlan {
  /** The cluster CIDR, normalized ("10.244.0.0/16"). */
  cluster: string;
  /** The cluster network address as an unsigned 32-bit number. */
  network: number;
  /** The prefix length of each node's subnet (24 for /24s). */
  nodeMaskSize: number;
  /** How many node subnets fit in the cluster CIDR. */
  count: number;
}

/** Kubernetes' cidrset refuses more than 16 bits between cluster and node masks. */
const MAX_SUBNET_BITS = 16;

/**
 * Plans the node subnets of `clusterCidr` with prefix `nodeMaskSize`.
 * Throws an Error naming the bad setting and a valid example.
 */
export function planSubnets(clusterCidr: string, nodeMaskSize: number): SubnetPlan {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(clusterCidr.trim());
  const ip = m ? ipToInt(m[1] as string) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(bits >= 1 && bits <= 30)) {
    throw new Error(
      `cluster CIDR "${clusterCidr}" is not an IPv4 CIDR with a prefix from /1 to /30, e.g. 10.244.0.0/16`,
    );
  }
  const size = 2 ** (32 - bits);
  const network = ip - (ip % size);
  if (network !== ip) {
    throw new Error(
      `cluster CIDR "${clusterCidr}" has host bits set; use ${intToIp(network)}/${bits}`,
    );
  }
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < bits || nodeMaskSize > 30) {
    throw new Error(
      `node CIDR mask size ${nodeMaskSize} must be an integer from the cluster prefix /${bits} to 30, e.g. 24`,
    );
  }
  if (nodeMaskSize - bits > MAX_SUBNET_BITS) {
    throw new Error(
      `node CIDR mask size ${nodeMaskSize} is more than ${MAX_SUBNET_BITS} bits longer than the cluster prefix /${bits}; use at most /${bits + MAX_SUBNET_BITS}`,
    );
  }
  return {
    cluster: `${intToIp(network)}/${bits}`,
    network,
    nodeMaskSize,
    count: 2 ** (nodeMaskSize - bits),
  };
}

/** The subnet with index `i` ("10.244.3.0/24" for i = 3 of 10.244.0.0/16 in /24s). */
export function subnetAt(plan: SubnetPlan, i: number): string {
  return `${intToIp(plan.network + i * 2 ** (32 - plan.nodeMaskSize))}/${plan.nodeMaskSize}`;
}

/**
 * The index of `cidr` when it is exactly one of the plan's subnets, else
 * undefined (a CIDR from elsewhere, another mask size, or malformed).
 */
export function subnetIndex(plan: SubnetPlan, cidr: string): number | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || Number(m[2]) !== plan.nodeMaskSize) return undefined;
  const ip = ipToInt(m[1] as string);
  if (ip === undefined) return undefined;
  const step = 2 ** (32 - plan.nodeMaskSize);
  const offset = ip - plan.network;
  if (offset < 0 || offset % step !== 0) return undefined;
  const i = offset / step;
  return i < plan.count ? i : undefined;
}

/** The lowest subnet index not in `used`, or undefined when every subnet is taken. */
export function lowestFree(plan: SubnetPlan, used: ReadonlySet<number>): number | undefined {
  for (let i = 0; i < plan.count; i++) if (!used.has(i)) return i;
  return undefined;
}
