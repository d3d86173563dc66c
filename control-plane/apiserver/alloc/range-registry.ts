/**
 * A bitmap of allocated offsets kept in the store under one key and
 * changed only by compare-and-swap, as Kubernetes keeps its RangeAllocation
 * objects (/registry/ranges/serviceips, /registry/ranges/servicenodeports):
 * two API servers on one store never hand out the same offset. Within one
 * process, changes are also serialized so concurrent creates do not spin on
 * conflicts.
 */
import type { Store } from '../../store/store.ts';
import { isStoreError } from '../../store/errors.ts';
import { Bitmap } from './bitmap.ts';

/** Why an allocation failed; the service hook turns it into a 422 cause. */
export class AllocationError extends Error {
  readonly kind: 'taken' | 'full';
  constructor(kind: 'taken' | 'full', message: string) {
    super(message);
    this.name = 'AllocationError';
    this.kind = kind;
  }
}

interface Stored {
  kind: 'RangeAllocation';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  range: string;
  data: string;
}

const MAX_ATTEMPTS = 100;

export class RangeRegistry {
  readonly key: string;
  readonly range: string;
  readonly count: number;
  /** Offsets [0, staticBand) are handed out dynamically only when the rest is full. */
  readonly staticBand: number;
  private readonly store: Store;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(store: Store, key: string, range: string, count: number, staticBand: number) {
    this.store = store;
    this.key = key;
    this.range = range;
    this.count = count;
    this.staticBand = staticBand;
  }

  /** Takes `offset` (AllocationError 'taken' when in use), or a free one when undefined. */
  allocate(offset?: number): Promise<number> {
    return this.change((bm) => {
      const o = offset ?? bm.pickFree(this.staticBand);
      if (o === undefined) throw new AllocationError('full', `range ${this.range} is full`);
      if (bm.has(o)) throw new AllocationError('taken', 'provided value is already allocated');
      bm.set(o);
      return o;
    });
  }

  /** Frees offsets; freeing a free offset is a no-op. */
  release(offsets: readonly number[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return this.change((bm) => {
      for (const o of offsets) if (o >= 0 && o < this.count) bm.clear(o);
    });
  }

  /** Replaces the whole bitmap (the repair at start: exactly what the stored objects use). */
  replaceAll(offsets: Iterable<number>): Promise<void> {
    return this.change((bm) => {
      for (let o = 0; o < this.count; o++) bm.clear(o);
      for (const o of offsets) if (o >= 0 && o < this.count) bm.set(o);
    });
  }

  /** The offsets in use now, read from the store. */
  async snapshot(): Promise<Bitmap> {
    const kv = await this.store.get(this.key);
    return this.decode(kv?.value);
  }

  private change<T>(fn: (bm: Bitmap) => T): Promise<T> {
    const run = this.queue.then(() => this.casLoop(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async casLoop<T>(fn: (bm: Bitmap) => T): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.store.get(this.key);
      const bm = this.decode(kv?.value);
      const result = fn(bm);
      const value = JSON.stringify({
        kind: 'RangeAllocation',
        apiVersion: 'v1',
        metadata: {},
        range: this.range,
        data: bm.toBase64(),
      } satisfies Stored);
      try {
        if (kv) await this.store.update(this.key, value, kv.modRevision);
        else await this.store.create(this.key, value);
        return result;
      } catch (err) {
        // Another API server changed the bitmap in between: read it again.
        if (isStoreError(err, 'Conflict') || isStoreError(err, 'AlreadyExists')) continue;
        throw err;
      }
    }
    throw new Error(
      `could not update ${this.key} after ${MAX_ATTEMPTS} attempts (constant conflicts)`,
    );
  }

  private decode(value: string | undefined): Bitmap {
    if (value === undefined) return new Bitmap(this.count);
    const stored = JSON.parse(value) as Partial<Stored>;
    // A different range (the flag changed): start empty; the repair at start refills it.
    if (stored.range !== this.range || typeof stored.data !== 'string')
      return new Bitmap(this.count);
    return Bitmap.fromBase64(this.count, stored.data);
  }
}
