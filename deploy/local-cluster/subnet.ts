/**
 * IPv4 CIDR arithmetic for choosing the local cluster's subnets. Pure
 * functions: the caller supplies what the host already uses.
 */

/** An IPv4 network: `base` is the network address as an unsigned 32-bit number. */
export interface Ipv4Cidr {
  base: number;
  prefix: number;
}

/** Parses `a.b.c.d` to an unsigned 32-bit number; throws on anything else. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: "${text}"`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`not an IPv4 address: "${text}"`);
    n = n * 256 + Number(p);
  }
  return n;
}

/** Formats an unsigned 32-bit number as `a.b.c.d`. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * Parses `a.b.c.d/p` (a bare address means /32). The host bits are cleared, so
 * `172.30.0.1/24` is the network 172.30.0.0/24.
 */
export function parseCidr(text: string): Ipv4Cidr {
  const [addr = '', len] = text.split('/');
  const prefix = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new Error(`not an IPv4 CIDR: "${text}"`);
  }
  return { base: (parseIpv4(addr) & maskOf(prefix)) >>> 0, prefix };
}

/** Formats a CIDR as `a.b.c.d/p`. */
export function formatCidr(c: Ipv4Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** True when the two networks share at least one address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return (a.base & maskOf(prefix)) >>> 0 === (b.base & maskOf(prefix)) >>> 0;
}

/**
 * The `index`th address of the network (0 is the network address). Throws
 * when it falls outside the network or on its broadcast address.
 */
export function addressAt(c: Ipv4Cidr, index: number): string {
  const size = 2 ** (32 - c.prefix);
  if (!Number.isInteger(index) || index < 1 || index >= size - 1) {
    throw new Error(`address index ${index} is outside the hosts of ${formatCidr(c)}`);
  }
  return formatIpv4(c.base + index);
}

/**
 * The first candidate that overlaps none of `used`, or undefined. `used`
 * holds what the host has (addresses and routes) and any reserved ranges.
 */
export function pickFreeSubnet(
  candidates: readonly string[],
  used: readonly string[],
): string | undefined {
  const taken = used.map(parseCidr);
  return candidates.find((c) => {
    const cidr = parseCidr(c);
    return !taken.some((t) => cidrsOverlap(cidr, t));
  });
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
