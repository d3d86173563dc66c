// Cell formats: Kubernetes' HumanDuration table and the small formatters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerCells,
  formatLabels,
  formatSelectorSpec,
  humanDuration,
  since,
} from '../../../../control-plane/apiserver/tables/format.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

// apimachinery/pkg/util/duration's own cases plus the boundaries
const durations: [number, string][] = [
  [-2 * S, '<invalid>'],
  [-1 * S, '0s'],
  [-500, '0s'],
  [0, '0s'],
  [S, '1s'],
  [70 * S, '70s'],
  [119 * S, '119s'],
  [120 * S, '2m'],
  [190 * S, '3m10s'],
  [9 * M + 59 * S, '9m59s'],
  [10 * M, '10m'],
  [70 * M, '70m'],
  [179 * M, '179m'],
  [3 * H, '3h'],
  [3 * H + 30 * M, '3h30m'],
  [7 * H + 59 * M, '7h59m'],
  [8 * H, '8h'],
  [47 * H, '47h'],
  [48 * H, '2d'],
  [49 * H, '2d1h'],
  [8 * D - H, '7d23h'],
  [8 * D + 2 * H, '8d'],
  [367 * D, '367d'],
  [365 * 2 * D + 25 * H, '2y1d'],
  [365 * 3 * D, '3y'],
  [365 * 8 * D + 2 * H, '8y'],
  [365 * 20 * D, '20y'],
];

for (const [ms, want] of durations) {
  test(`humanDuration(${ms} ms) = ${want}`, () => {
    assert.equal(humanDuration(ms), want);
  });
}

test('since: age of a timestamp, <unknown> when unset or unparsable', () => {
  const now = new Date('2025-01-10T12:00:00Z');
  assert.equal(since('2025-01-10T11:56:58Z', now), '3m2s');
  assert.equal(since('2025-01-08T09:00:00Z', now), '2d3h');
  assert.equal(since(undefined, now), '<unknown>');
  assert.equal(since('', now), '<unknown>');
  assert.equal(since('yesterday', now), '<unknown>');
  assert.equal(since('2025-01-10T12:00:05Z', now), '<invalid>');
});

test('formatLabels sorts keys and prints <none> for nothing', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('formatSelectorSpec: selector strings and the empty forms', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }],
  };
  assert.equal(formatSelectorSpec(sel, '<none>'), 'app=web,tier in (a,b)');
  assert.equal(formatSelectorSpec({}, '<none>'), '<none>');
  assert.equal(formatSelectorSpec(null, '<none>'), '<none>');
  assert.equal(formatSelectorSpec({}, ''), '');
  assert.equal(
    formatSelectorSpec({ matchExpressions: [{ key: 'a', operator: 'Near' }] }, '', '<invalid>'),
    '<invalid>',
  );
});

test('containerCells joins names and images', () => {
  assert.deepEqual(
    containerCells([
      { name: 'web', image: 'nginx:1' },
      { name: 'log', image: 'fluentd' },
    ]),
    ['web,log', 'nginx:1,fluentd'],
  );
  assert.deepEqual(containerCells(undefined), ['', '']);
});
