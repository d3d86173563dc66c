/**
 * The API server's metrics, named as kube-apiserver names them where one
 * exists (apiserver_request_total, apiserver_request_duration_seconds).
 * Hot paths (every request, every watch event, every store call) use the
 * cached series handles (`requestSeries`, `watchEventSeries`,
 * `storeSeries`), which skip the registry's label lookup; every label set
 * is bounded (verbs, resources, HTTP codes, event types, store operations).
 */
import {
  MetricsRegistry,
  type BoundCounter,
  type BoundHistogram,
  type Counter,
  type Gauge,
  type Histogram,
} from '../api/metrics.ts';

/** One request series: its counter and (watches aside) its latency histogram. */
export interface RequestSeries {
  count: BoundCounter;
  duration: BoundHistogram;
}

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
  /** The `requests` and `duration` series of one request kind (created on first use). */
  requestSeries(verb: string, resource: string, code: number): RequestSeries;
  /** The `watchEvents` series of one resource and event type. */
  watchEventSeries(resource: string, type: string): BoundCounter;
  /** The `storeLatency` series of one store operation. */
  storeSeries(operation: string): BoundHistogram;
}

export function createApiMetrics(registry = new MetricsRegistry()): ApiMetrics {
  const requests = registry.counter(
    'apiserver_request_total',
    'Counter of apiserver requests broken out for each verb, resource and HTTP response code.',
    ['verb', 'resource', 'code'],
  );
  const duration = registry.histogram(
    'apiserver_request_duration_seconds',
    'Response latency distribution in seconds for each verb and resource.',
    ['verb', 'resource'],
  );
  const watchEvents = registry.counter(
    'apiserver_watch_events_total',
    'Number of events sent in watch clients per resource and event type.',
    ['resource', 'type'],
  );
  const storeLatency = registry.histogram(
    'skiff_store_request_duration_seconds',
    'Store request latency in seconds for each operation.',
    ['operation'],
  );
  const byRequest = new Map<string, Map<string, Map<number, RequestSeries>>>();
  const byEvent = new Map<string, Map<string, BoundCounter>>();
  const byOperation = new Map<string, BoundHistogram>();
  return {
    registry,
    requests,
    duration,
    openWatches: registry.gauge(
      'apiserver_open_watches',
      'Number of currently open watch streams per resource.',
      ['resource'],
    ),
    watchEvents,
    storeLatency,
    requestSeries: (verb, resource, code) => {
      const codes = nested(nested(byRequest, verb), resource);
      let s = codes.get(code);
      if (!s) {
        s = {
          count: requests.with({ verb, resource, code: String(code) }),
          // A watch's duration is not observed; its series is made only if asked for.
          duration: lazyHistogram(() => duration.with({ verb, resource })),
        };
        codes.set(code, s);
      }
      return s;
    },
    watchEventSeries: (resource, type) => {
      const types = nested(byEvent, resource);
      let c = types.get(type);
      if (!c) types.set(type, (c = watchEvents.with({ resource, type })));
      return c;
    },
    storeSeries: (operation) => {
      let h = byOperation.get(operation);
      if (!h) byOperation.set(operation, (h = storeLatency.with({ operation })));
      return h;
    },
  };
}

function nested<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

// `with` creates the series at once (it renders from then on, at 0); this waits for a value.
function lazyHistogram(make: () => BoundHistogram): BoundHistogram {
  let h: BoundHistogram | undefined;
  return { observe: (v) => (h ??= make()).observe(v) };
}
