/**
 * A Store wrapper that times every call into the store latency histogram
 * and reports each successful write's key and revision to `onWrite` (the
 * namespace view uses it for read-your-writes). Watches are timed until
 * they are established, not for their lifetime.
 */
import type { Histogram } from '../api/metrics.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch } from '../store/store.ts';

export function instrumentStore(
  store: Store,
  latency: Histogram,
  onWrite: (key: string, revision: number) => void = () => undefined,
): Store {
  // One promise per call on top of the store's (no async wrappers): every write passes here.
  const timed = <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const labels = { operation };
    const start = performance.now();
    const observe = () => latency.observe(labels, (performance.now() - start) / 1000);
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
        return v;
      },
      (err: unknown) => {
        observe();
        throw err;
      },
    );
  };
  const written = (key: string, revision: number): number => {
    onWrite(key, revision);
    return revision;
  };
  return {
    backend: store.backend,
    get: (key: string): Promise<KeyValue | undefined> => timed('get', () => store.get(key)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> =>
      timed('list', () => store.list(prefix, opts)),
    create: (key: string, value: string) =>
      timed('create', () => store.create(key, value)).then((rev) => written(key, rev)),
    update: (key: string, value: string, rev: number) =>
      timed('update', () => store.update(key, value, rev)).then((next) => written(key, next)),
    delete: async (key: string, rev?: number) => {
      const result = await timed('delete', () => store.delete(key, rev));
      onWrite(key, result.revision);
      return result;
    },
    watch: (prefix: string, from: number): Promise<Watch> =>
      timed('watch', () => store.watch(prefix, from)),
    currentRevision: () => timed('currentRevision', () => store.currentRevision()),
    compactedRevision: () => timed('compactedRevision', () => store.compactedRevision()),
    compact: (rev: number) => timed('compact', () => store.compact(rev)),
    close: () => store.close(),
  };
}
