/**
 * A Store wrapper that times every call into the store latency histogram
 * and reports each successful write's key and revision to `onWrite` (the
 * namespace view uses it for read-your-writes). Watches are timed until
 * they are established, not for their lifetime.
 */
import type { BoundHistogram, Histogram } from '../api/metrics.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch } from '../store/store.ts';

export function instrumentStore(
  store: Store,
  latency: Histogram,
  onWrite: (key: string, revision: number) => void = () => undefined,
): Store {
  // One series handle per operation, made at its first call (so /metrics shows only used ones).
  const series = new Map<string, BoundHistogram>();
  const seriesOf = (operation: string): BoundHistogram => {
    let h = series.get(operation);
    if (!h) series.set(operation, (h = latency.with({ operation })));
    return h;
  };
  // One promise per call on top of the store's (no async wrappers): every write passes here.
  const timed = <T>(
    operation: string,
    fn: () => Promise<T>,
    after?: (v: T) => void,
  ): Promise<T> => {
    const start = performance.now();
    const observe = () => seriesOf(operation).observe((performance.now() - start) / 1000);
    let pending: Promise<T>;
    try {
      pending = fn();
    } catch (err) {
      observe();
      return Promise.reject(err as Error);
    }
    return pending.then(
      (v) => {
        observe();
        after?.(v);
        return v;
      },
      (err: unknown) => {
        observe();
        throw err;
      },
    );
  };
  return {
    backend: store.backend,
    get: (key: string): Promise<KeyValue | undefined> => timed('get', () => store.get(key)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> =>
      timed('list', () => store.list(prefix, opts)),
    create: (key: string, value: string) =>
      timed(
        'create',
        () => store.create(key, value),
        (next) => onWrite(key, next),
      ),
    update: (key: string, value: string, rev: number) =>
      timed(
        'update',
        () => store.update(key, value, rev),
        (next) => onWrite(key, next),
      ),
    delete: (key: string, rev?: number) =>
      timed(
        'delete',
        () => store.delete(key, rev),
        (result) => onWrite(key, result.revision),
      ),
    watch: (prefix: string, from: number): Promise<Watch> =>
      timed('watch', () => store.watch(prefix, from)),
    currentRevision: () => timed('currentRevision', () => store.currentRevision()),
    compactedRevision: () => timed('compactedRevision', () => store.compactedRevision()),
    compact: (rev: number) => timed('compact', () => store.compact(rev)),
    close: () => store.close(),
  };
}
