/**
 * IPv4 ranges and port ranges for the service allocators, as pure
 * functions. A range is addressed by offsets 0..count-1 so one bitmap type
 * serves both ClusterIPs and NodePorts.
 */

import { intToIp, ipToInt } from '../../api/ipv4.ts';

/** The allocatable addresses of a service CIDR: network and broadcast excluded. */
export interface IpRange {
  cidr: string;
  /** The network address as an unsigned 32-bit number. */
  network: number;
  /** Number of allocatable addresses; offset 0 is the first address (network + 1). */
  count: number;
}

export interface PortRange {
  text: string;
  base: number;
  /** Number of ports; offset 0 is `base`. */
  count: number;
}

/** Parses "10.96.0.0/16". Throws an Error an operator can act on. */
export function parseCidr(cidr: string): IpRange {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  const ip = m ? ipToInt(m[1] as string) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(bits >= 8 && bits <= 30)) {
    throw new Error(
      `service CIDR "${cidr}" is not an IPv4 CIDR with a prefix from /8 to /30, e.g. 10.96.0.0/16`,
    );
  }
  const size = 2 ** (32 - bits);
  const network = ip - (ip % size);
  if (network !== ip) {
    throw new Error(`service CIDR "${cidr}" has host bits set; use ${intToIp(network)}/${bits}`);
  }
  return { cidr: `${intToIp(network)}/${bits}`, network, count: size - 2 };
}

/** Parses "30000-32767" (both ends included). */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!(lo >= 1 && hi <= 65535 && lo <= hi)) {
    throw new Error(`node port range "${text}" must look like 30000-32767 (1-65535, low-high)`);
  }
  return { text: `${lo}-${hi}`, base: lo, count: hi - lo + 1 };
}

/** The address at `offset` of the range. */
export function ipAt(r: IpRange, offset: number): string {
  return intToIp(r.network + 1 + offset);
}

/** The offset of `ip` in the range, or undefined when outside the allocatable addresses. */
export function ipOffset(r: IpRange, ip: string): number | undefined {
  const n = ipToInt(ip);
  if (n === undefined) return undefined;
  const off = n - r.network - 1;
  return off >= 0 && off < r.count ? off : undefined;
}
