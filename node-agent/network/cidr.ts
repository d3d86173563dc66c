/** IPv4 CIDR parsing and containment for the pod network (pure). */
import { intToIp, ipToInt } from '../../control-plane/api/ipv4.ts';

/** An IPv4 network; `base` is the network address as an unsigned 32-bit number. */
export interface Cidr {
  base: number;
  bits: number;
}

/**
 * Parses `a.b.c.d/n` with the host bits cleared (`10.244.1.7/24` is
 * 10.244.1.0/24), or undefined when `text` is not an IPv4 CIDR.
 */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', len = '', ...rest] = text.split('/');
  const ip = ipToInt(addr);
  if (ip === undefined || rest.length > 0 || !/^\d{1,2}$/.test(len) || Number(len) > 32) {
    return undefined;
  }
  const bits = Number(len);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

/** The `a.b.c.d/n` form. */
export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.bits}`;
}

/** True when the two networks share an address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const size = 2 ** (32 - Math.min(a.bits, b.bits));
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/** True when the dotted address `ip` lies in `c`. */
export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= c.base && n < c.base + 2 ** (32 - c.bits);
}
