/**
 * Size of the static band of a ClusterIP range, as Kubernetes computes it
 * (ipallocator calculateRangeOffset): min(max(16, count/16), 256).
 */
export function ipStaticBand(count: number): number {
  return Math.min(Math.max(16, Math.floor(count / 16)), 256, count);
}

/**
 * Size of the static band of a NodePort range, as Kubernetes computes it
 * (portallocator calculateRangeOffset): min(max(16, count/32), 128);
 * 30000-30085 for the default range.
 */
export function portStaticBand(count: number): number {
  return Math.min(Math.max(16, Math.floor(count / 32)), 128, count);
}

/**
 * A fixed-size bitmap of allocated offsets with the allocation policy of
 * Kubernetes' service allocators: a requested offset is taken if free;
 * a dynamic one is picked at random from the upper band first, so that the
 * low addresses stay free for operators who request them (the DNS service
 * at .10, for example), then from the lower (static) band.
 */
export class Bitmap {
  readonly count: number;
  private readonly bits: Uint8Array;

  constructor(count: number, data?: Uint8Array) {
    this.count = count;
    this.bits = new Uint8Array(Math.ceil(count / 8));
    if (data) this.bits.set(data.subarray(0, this.bits.length));
  }

  static fromBase64(count: number, b64: string): Bitmap {
    return new Bitmap(count, new Uint8Array(Buffer.from(b64, 'base64')));
  }

  toBase64(): string {
    return Buffer.from(this.bits).toString('base64');
  }

  has(offset: number): boolean {
    return ((this.bits[offset >> 3] ?? 0) & (1 << (offset & 7))) !== 0;
  }

  set(offset: number): void {
    const i = offset >> 3;
    this.bits[i] = (this.bits[i] ?? 0) | (1 << (offset & 7));
  }

  clear(offset: number): void {
    const i = offset >> 3;
    this.bits[i] = (this.bits[i] ?? 0) & ~(1 << (offset & 7));
  }

  /** Number of offsets in use. */
  used(): number {
    let n = 0;
    for (let o = 0; o < this.count; o++) if (this.has(o)) n++;
    return n;
  }

  /**
   * A free offset chosen as described above, or undefined when full;
   * `band` is the size of the static band at the bottom.
   * `random` returns a number in [0, 1) (injectable for tests).
   */
  pickFree(band: number, random: () => number = Math.random): number | undefined {
    const upper = this.scan(band, this.count, random);
    return upper ?? this.scan(0, band, random);
  }

  private scan(from: number, to: number, random: () => number): number | undefined {
    const size = to - from;
    if (size <= 0) return undefined;
    const start = Math.floor(random() * size);
    for (let i = 0; i < size; i++) {
      const o = from + ((start + i) % size);
      if (!this.has(o)) return o;
    }
    return undefined;
  }
}
