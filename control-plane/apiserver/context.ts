/**
 * What every handler and registry operation works with: the (instrumented)
 * store, logger, metrics, the service allocator, the shared watch feeds,
 * the namespace view and the cache of encoded objects.
 * Built once by startApiServer.
 */
import type { Logger } from '../api/log.ts';
import type { Store } from '../store/store.ts';
import type { ServiceAllocator } from './alloc/service-allocator.ts';
import type { ApiMetrics } from './api-metrics.ts';
import type { EncodedCache } from './registry/encoded-cache.ts';
import type { NamespaceCache } from './registry/namespace-cache.ts';
import type { FeedRegistry } from './watch/feed-registry.ts';

export interface ApiContext {
  store: Store;
  log: Logger;
  metrics: ApiMetrics;
  allocator: ServiceAllocator;
  feeds: FeedRegistry;
  /** Which namespaces accept new content, from the namespaces feed (create admission). */
  namespaces: NamespaceCache;
  /** Stored objects' JSON bytes by (key, modRevision), for lists. */
  encoded: EncodedCache;
  /** The kubelet API port of nodes (pods/log forwarding comes with the kubelet). */
  kubeletPort: number | undefined;
  /** The wall clock (injectable for tests). */
  now(): Date;
}

// The last second `timestamp` formatted, and its text.
let lastSecond = NaN;
let lastStamp = '';

/** Kubernetes' timestamp format: RFC 3339 in UTC with whole seconds. */
export function timestamp(d: Date): string {
  // Every write stamps one: format each second once.
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    // toISOString is always YYYY-MM-DDTHH:MM:SS.sssZ for years 0-9999.
    const iso = d.toISOString();
    lastStamp = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastStamp;
}
