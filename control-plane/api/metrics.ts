/**
 * A tiny metrics registry: counters, gauges and histograms with labels,
 * rendered in the Prometheus text exposition format (version 0.0.4). The API
 * server serves it on /metrics; the node agent reuses it for its own.
 *
 * @example
 *   const metrics = new MetricsRegistry();
 *   const requests = metrics.counter('apiserver_request_total', 'Requests served', ['verb', 'code']);
 *   requests.inc({ verb: 'GET', code: '200' });
 *   const gets = requests.with({ verb: 'GET', code: '200' }); // for a hot path: no label lookup
 *   gets.inc();
 *   res.type(PROMETHEUS_CONTENT_TYPE).send(metrics.render());
 */

/** The Content-Type of `MetricsRegistry.render()` output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) that suit request and storage latencies. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export type Labels = Record<string, string>;

export interface Counter {
  /** Adds `n` (default 1, must be >= 0) to the series of `labels`. */
  inc(labels?: Labels, n?: number): void;
  /** The current value of one series (0 when never touched). */
  get(labels?: Labels): number;
  /**
   * The series of `labels` as a handle (created now if new, so it renders
   * from now on): `inc` on it skips the label lookup. Label sets must be
   * bounded (verbs, resources, codes), as for every series.
   */
  with(labels: Labels): BoundCounter;
}

/** One series of a counter. */
export interface BoundCounter {
  /** Adds `n` (default 1, must be >= 0). */
  inc(n?: number): void;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels, n?: number): void;
  dec(labels?: Labels, n?: number): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  /** Records one observation (seconds for durations) in the series of `labels`. */
  observe(labels: Labels, value: number): void;
  /** Count and sum of one series, for tests and summaries. */
  get(labels?: Labels): { count: number; sum: number };
  /** The series of `labels` as a handle (created now if new), as Counter.with. */
  with(labels: Labels): BoundHistogram;
}

/** One series of a histogram. */
export interface BoundHistogram {
  /** Records one observation. */
  observe(value: number): void;
}

type Kind = 'counter' | 'gauge' | 'histogram';

interface HistogramSeries {
  buckets: number[];
  count: number;
  sum: number;
}

interface Series {
  labels: Labels;
  value: number;
  hist?: HistogramSeries;
}

interface Family {
  name: string;
  help: string;
  kind: Kind;
  labelNames: readonly string[];
  buckets: readonly number[];
  /** Series keyed by their rendered label set. */
  series: Map<string, Series>;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const f = this.register(name, help, 'counter', labelNames, []);
    const add = (s: Series, n: number) => {
      if (n < 0) throw new Error(`counter ${name} cannot decrease (inc by ${n})`);
      s.value += n;
    };
    return {
      inc: (labels = {}, n = 1) => add(this.seriesOf(f, labels), n),
      get: (labels = {}) => f.series.get(labelKey(f, labels))?.value ?? 0,
      with: (labels) => {
        const s = this.seriesOf(f, labels);
        return { inc: (n = 1) => add(s, n) };
      },
    };
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const f = this.register(name, help, 'gauge', labelNames, []);
    return {
      set: (labels, value) => void (this.seriesOf(f, labels).value = value),
      inc: (labels = {}, n = 1) => void (this.seriesOf(f, labels).value += n),
      dec: (labels = {}, n = 1) => void (this.seriesOf(f, labels).value -= n),
      get: (labels = {}) => f.series.get(labelKey(f, labels))?.value ?? 0,
    };
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): Histogram {
    const sorted = [...buckets].sort((a, b) => a - b);
    const f = this.register(name, help, 'histogram', labelNames, sorted);
    const record = (s: Series, value: number) => {
      const h = (s.hist ??= { buckets: sorted.map(() => 0), count: 0, sum: 0 });
      h.count++;
      h.sum += value;
      // Buckets are cumulative in the output; store per-bucket counts here.
      for (let i = 0; i < sorted.length; i++) {
        if (value <= (sorted[i] as number)) {
          h.buckets[i] = (h.buckets[i] ?? 0) + 1;
          return;
        }
      }
    };
    return {
      observe: (labels, value) => record(this.seriesOf(f, labels), value),
      get: (labels = {}) => {
        const h = f.series.get(labelKey(f, labels))?.hist;
        return { count: h?.count ?? 0, sum: h?.sum ?? 0 };
      },
      with: (labels) => {
        const s = this.seriesOf(f, labels);
        return { observe: (value) => record(s, value) };
      },
    };
  }

  /** Every family in registration order, as Prometheus text. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.kind}`);
      for (const s of f.series.values()) {
        if (f.kind !== 'histogram') {
          out.push(`${f.name}${renderLabels(s.labels)} ${formatValue(s.value)}`);
          continue;
        }
        const h = s.hist ?? { buckets: f.buckets.map(() => 0), count: 0, sum: 0 };
        let cumulative = 0;
        f.buckets.forEach((le, i) => {
          cumulative += h.buckets[i] ?? 0;
          const labels = renderLabels({ ...s.labels, le: formatValue(le) });
          out.push(`${f.name}_bucket${labels} ${cumulative}`);
        });
        out.push(`${f.name}_bucket${renderLabels({ ...s.labels, le: '+Inf' })} ${h.count}`);
        out.push(`${f.name}_sum${renderLabels(s.labels)} ${formatValue(h.sum)}`);
        out.push(`${f.name}_count${renderLabels(s.labels)} ${h.count}`);
      }
    }
    return out.join('\n') + '\n';
  }

  private register(
    name: string,
    help: string,
    kind: Kind,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Family {
    if (!NAME_RE.test(name)) throw new Error(`invalid metric name "${name}"`);
    for (const l of labelNames) {
      if (!LABEL_RE.test(l) || l === 'le') throw new Error(`invalid label "${l}" on ${name}`);
    }
    if (this.families.has(name)) throw new Error(`metric ${name} is already registered`);
    const f: Family = { name, help, kind, labelNames, buckets, series: new Map() };
    this.families.set(name, f);
    return f;
  }

  private seriesOf(f: Family, labels: Labels): Series {
    const key = labelKey(f, labels);
    let s = f.series.get(key);
    if (!s) {
      const ordered: Labels = {};
      for (const l of f.labelNames) ordered[l] = labels[l] ?? '';
      s = { labels: ordered, value: 0 };
      f.series.set(key, s);
    }
    return s;
  }
}

function labelKey(f: Family, labels: Labels): string {
  for (const k of Object.keys(labels)) {
    if (!f.labelNames.includes(k)) throw new Error(`metric ${f.name} has no label "${k}"`);
  }
  return f.labelNames.map((l) => labels[l] ?? '').join('\u0000');
}

function renderLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
