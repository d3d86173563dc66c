/**
 * A hollow node's pod IPs, taken from its pod CIDR. Hollow pod IPs are
 * only reported in pod status, never routed or reached.
 */

/**
 * Pod IPs from a node's pod CIDR (an IPv4 /8../30): the network and the
 * first address (the bridge) are skipped, addresses are reused after release.
 */
export class PodIpPool {
  private readonly base: number;
  private readonly size: number;
  private next = 2;
  private readonly used = new Map<string, number>();
  private readonly taken = new Set<number>();

  constructor(cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`pod CIDR "${cidr}" is not an IPv4 CIDR`);
    const bits = Number(m[5]);
    const ip = m.slice(1, 5).reduce((a, x) => a * 256 + Number(x), 0);
    this.size = 2 ** (32 - bits);
    this.base = ip - (ip % this.size);
  }

  /** The address of pod `key` (the same one again while it holds it). */
  acquire(key: string): string {
    const have = this.used.get(key);
    if (have !== undefined) return text(this.base + have);
    for (let i = 0; i < this.size; i++) {
      const off = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (this.taken.has(off)) continue;
      this.taken.add(off);
      this.used.set(key, off);
      return text(this.base + off);
    }
    throw new Error('pod CIDR exhausted');
  }

  /** Frees the address of pod `key`. */
  release(key: string): void {
    const off = this.used.get(key);
    if (off === undefined) return;
    this.used.delete(key);
    this.taken.delete(off);
  }
}

function text(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
