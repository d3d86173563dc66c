/**
 * IPv4 addresses as unsigned 32-bit numbers, for the arithmetic of the
 * service allocators, node IPAM and the node agent's pod network.
 */

/** The dotted address as an unsigned 32-bit number, or undefined if malformed. */
export function ipToInt(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) {
      return undefined;
    }
    n = n * 256 + Number(p);
  }
  return n;
}

/** The dotted form of an unsigned 32-bit address. */
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
