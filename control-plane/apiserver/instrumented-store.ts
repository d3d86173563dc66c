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
  const timed = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      latency.observe({ operation }, (performance.now() - start) / 1000);
    }
  };
  return {
    backend: store.backend,
    get: (key: string): Promise<KeyValue | undefined> => timed('get', () => store.get(key)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> =>
      timed('list', () => store.list(prefix, opts)),
    create: async (key: string, value: string) => {
      const revision = await timed('create', () => store.create(key, value));
      onWrite(key, revision);
      return revision;
    },
    update: async (key: string, value: string, rev: number) => {
      const revision = await timed('update', () => store.update(key, value, rev));
      onWrite(key, revision);
      return revision;
    },
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
