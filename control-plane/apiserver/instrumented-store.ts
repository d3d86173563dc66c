/**
 * A Store wrapper that times every call into the store latency histogram.
 * Watches are timed until they are established, not for their lifetime.
 */
import type { Histogram } from '../api/metrics.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch } from '../store/store.ts';

export function instrumentStore(store: Store, latency: Histogram): Store {
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
    create: (key: string, value: string) => timed('create', () => store.create(key, value)),
    update: (key: string, value: string, rev: number) =>
      timed('update', () => store.update(key, value, rev)),
    delete: (key: string, rev?: number) => timed('delete', () => store.delete(key, rev)),
    watch: (prefix: string, from: number): Promise<Watch> =>
      timed('watch', () => store.watch(prefix, from)),
    currentRevision: () => timed('currentRevision', () => store.currentRevision()),
    compactedRevision: () => timed('compactedRevision', () => store.compactedRevision()),
    compact: (rev: number) => timed('compact', () => store.compact(rev)),
    close: () => store.close(),
  };
}
