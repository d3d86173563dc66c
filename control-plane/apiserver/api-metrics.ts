/**
 * The API server's metrics, named as kube-apiserver names them where one
 * exists (apiserver_request_total, apiserver_request_duration_seconds).
 */
import { MetricsRegistry, type Counter, type Gauge, type Histogram } from '../api/metrics.ts';

export interface ApiMetrics {
  registry: MetricsRegistry;
  /** {verb, resource, code}: every answered request. */
  requests: Counter;
  /** {verb, resource}: seconds from request to response end (watches excluded). */
  duration: Histogram;
  /** {resource}: watch streams open now. */
  openWatches: Gauge;
  /** {resource, type}: watch events sent. */
  watchEvents: Counter;
  /** {operation}: seconds per store call (get, list, create, update, delete, ...). */
  storeLatency: Histogram;
}

export function createApiMetrics(registry = new MetricsRegistry()): ApiMetrics {
  return {
    registry,
    requests: registry.counter(
      'apiserver_request_total',
      'Counter of apiserver requests broken out for each verb, resource and HTTP response code.',
      ['verb', 'resource', 'code'],
    ),
    duration: registry.histogram(
      'apiserver_request_duration_seconds',
      'Response latency distribution in seconds for each verb and resource.',
      ['verb', 'resource'],
    ),
    openWatches: registry.gauge(
      'apiserver_open_watches',
      'Number of currently open watch streams per resource.',
      ['resource'],
    ),
    watchEvents: registry.counter(
      'apiserver_watch_events_total',
      'Number of events sent in watch clients per resource and event type.',
      ['resource', 'type'],
    ),
    storeLatency: registry.histogram(
      'skiff_store_request_duration_seconds',
      'Store request latency in seconds for each operation.',
      ['operation'],
    ),
  };
}
