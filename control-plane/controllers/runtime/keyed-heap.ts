/**
 * A binary min-heap of values addressed by a string key: push, update or
 * remove any key in O(log n), peek and pop the least in O(1) / O(log n).
 * The work queue keeps delayed keys in one (ordered by ready time) and the
 * scheduler's pod queue its active and backoff pods.
 */
export class KeyedHeap<T> {
  private readonly items: { key: string; value: T }[] = [];
  private readonly index = new Map<string, number>();
  private readonly less: (a: T, b: T) => boolean;

  /** `less(a, b)` is true when `a` must come out before `b`. */
  constructor(less: (a: T, b: T) => boolean) {
    this.less = less;
  }

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i]?.value;
  }

  /** Adds `key`, or replaces its value and restores the order. */
  set(key: string, value: T): void {
    const i = this.index.get(key);
    if (i === undefined) {
      this.items.push({ key, value });
      this.index.set(key, this.items.length - 1);
      this.up(this.items.length - 1);
      return;
    }
    (this.items[i] as { value: T }).value = value;
    this.fix(i);
  }

  /** The least entry without removing it. */
  peek(): { key: string; value: T } | undefined {
    return this.items[0];
  }

  /** Removes and returns the least entry. */
  pop(): { key: string; value: T } | undefined {
    const top = this.items[0];
    if (top) this.removeAt(0);
    return top;
  }

  /** Removes `key`; returns its value, or undefined when absent. */
  delete(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const value = (this.items[i] as { value: T }).value;
    this.removeAt(i);
    return value;
  }

  /** Every entry, in no particular order. */
  entries(): readonly { key: string; value: T }[] {
    return this.items;
  }

  private removeAt(i: number): void {
    const last = this.items.pop() as { key: string; value: T };
    this.index.delete(this.items[i]?.key ?? last.key);
    if (i < this.items.length) {
      this.items[i] = last;
      this.index.set(last.key, i);
      this.fix(i);
    }
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lessAt(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
    return i !== start;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.lessAt(r, l) ? r : l;
      if (!this.lessAt(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }

  private lessAt(i: number, j: number): boolean {
    return this.less((this.items[i] as { value: T }).value, (this.items[j] as { value: T }).value);
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as { key: string; value: T };
    const b = this.items[j] as { key: string; value: T };
    this.items[i] = b;
    this.items[j] = a;
    this.index.set(b.key, i);
    this.index.set(a.key, j);
  }
}
