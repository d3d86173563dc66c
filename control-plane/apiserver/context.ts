/**
 * What every handler and registry operation works with: the (instrumented)
 * store, logger, metrics, the service allocator and the shared watch feeds.
 * Built once by startApiServer.
 */
import type { Logger } from '../api/log.ts';
import type { Store } from '../store/store.ts';
import type { ServiceAllocator } from './alloc/service-allocator.ts';
import type { ApiMetrics } from './api-metrics.ts';
import type { FeedRegistry } from './watch/feed-registry.ts';

export interface ApiContext {
  store: Store;
  log: Logger;
  metrics: ApiMetrics;
  allocator: ServiceAllocator;
  feeds: FeedRegistry;
  /** The kubelet API port of nodes (pods/log forwarding comes with the kubelet). */
  kubeletPort: number | undefined;
  /** The wall clock (injectable for tests). */
  now(): Date;
}

/** Kubernetes' timestamp format: RFC 3339 in UTC with whole seconds. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
