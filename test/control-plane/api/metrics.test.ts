/**
 * The metrics registry: counters, gauges and histograms with labels,
 * rendered in the Prometheus text format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../control-plane/api/metrics.ts';

describe('MetricsRegistry', () => {
  it('renders counters and gauges with HELP, TYPE and one line per label set', () => {
    const m = new MetricsRegistry();
    const c = m.counter('requests_total', 'Requests served.', ['verb', 'code']);
    const g = m.gauge('open_watches', 'Open watches.', ['resource']);
    c.inc({ verb: 'GET', code: '200' });
    c.inc({ verb: 'GET', code: '200' }, 2);
    c.inc({ verb: 'POST', code: '201' });
    g.inc({ resource: 'pods' }, 3);
    g.dec({ resource: 'pods' });
    g.set({ resource: 'nodes' }, 7);
    assert.equal(
      m.render(),
      [
        '# HELP requests_total Requests served.',
        '# TYPE requests_total counter',
        'requests_total{verb="GET",code="200"} 3',
        'requests_total{verb="POST",code="201"} 1',
        '# HELP open_watches Open watches.',
        '# TYPE open_watches gauge',
        'open_watches{resource="pods"} 2',
        'open_watches{resource="nodes"} 7',
        '',
      ].join('\n'),
    );
    assert.equal(c.get({ verb: 'GET', code: '200' }), 3);
    assert.equal(c.get({ verb: 'PUT', code: '200' }), 0);
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const m = new MetricsRegistry();
    const h = m.histogram('latency_seconds', 'Latency.', ['op'], [0.1, 1]);
    for (const v of [0.05, 0.5, 0.5, 3]) h.observe({ op: 'get' }, v);
    assert.equal(
      m.render(),
      [
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{op="get",le="0.1"} 1',
        'latency_seconds_bucket{op="get",le="1"} 3',
        'latency_seconds_bucket{op="get",le="+Inf"} 4',
        'latency_seconds_sum{op="get"} 4.05',
        'latency_seconds_count{op="get"} 4',
        '',
      ].join('\n'),
    );
    assert.deepEqual(h.get({ op: 'get' }), { count: 4, sum: 4.05 });
  });

  it('series handles (with) add to the same series as labelled calls', () => {
    const m = new MetricsRegistry();
    const c = m.counter('requests_total', 'Requests served.', ['verb', 'code']);
    const h = m.histogram('latency_seconds', 'Latency.', ['op'], [0.1, 1]);
    const gets = c.with({ code: '200', verb: 'GET' }); // label order does not matter
    gets.inc();
    gets.inc(2);
    c.inc({ verb: 'GET', code: '200' });
    const slow = h.with({ op: 'get' });
    slow.observe(0.5);
    h.observe({ op: 'get' }, 3);
    assert.equal(c.get({ verb: 'GET', code: '200' }), 4);
    assert.deepEqual(h.get({ op: 'get' }), { count: 2, sum: 3.5 });
    assert.equal(
      m.render(),
      [
        '# HELP requests_total Requests served.',
        '# TYPE requests_total counter',
        'requests_total{verb="GET",code="200"} 4',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{op="get",le="0.1"} 0',
        'latency_seconds_bucket{op="get",le="1"} 1',
        'latency_seconds_bucket{op="get",le="+Inf"} 2',
        'latency_seconds_sum{op="get"} 3.5',
        'latency_seconds_count{op="get"} 2',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and help text', () => {
    const m = new MetricsRegistry();
    m.counter('x_total', 'A "help"\\text\nwith a newline.', ['path']).inc({ path: 'a"b\\c\nd' });
    assert.equal(
      m.render(),
      '# HELP x_total A "help"\\\\text\\nwith a newline.\n# TYPE x_total counter\nx_total{path="a\\"b\\\\c\\nd"} 1\n',
    );
  });

  const misuse: [string, (m: MetricsRegistry) => void, RegExp][] = [
    ['a bad metric name', (m) => m.counter('bad-name', 'x'), /invalid metric name/],
    ['a bad label name', (m) => m.counter('ok_total', 'x', ['bad-label']), /invalid label/],
    ['the reserved le label', (m) => m.histogram('h', 'x', ['le']), /invalid label/],
    ['a duplicate name', (m) => (m.counter('dup', 'x'), m.gauge('dup', 'x')), /already registered/],
    [
      'an unknown label',
      (m) => m.counter('c_total', 'x', ['a']).inc({ b: '1' }),
      /has no label "b"/,
    ],
    ['a decreasing counter', (m) => m.counter('d_total', 'x').inc({}, -1), /cannot decrease/],
    [
      'a decreasing counter handle',
      (m) => m.counter('e_total', 'x', ['a']).with({ a: '1' }).inc(-1),
      /cannot decrease/,
    ],
    [
      'a handle with an unknown label',
      (m) => m.histogram('h_seconds', 'x', ['a']).with({ b: '1' }),
      /has no label "b"/,
    ],
  ];
  for (const [name, fn, message] of misuse) {
    it(`refuses ${name}`, () => assert.throws(() => fn(new MetricsRegistry()), message));
  }
});
