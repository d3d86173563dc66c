/**
 * Quantities as the scheduler reads them (control-plane/api/quantity.ts,
 * Kubernetes' Value() and MilliValue(), rounded up), node allocatable, and
 * pod requests with init containers, sidecars and overhead.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quantityMilliValue, quantityValue } from '../../../control-plane/api/quantity.ts';
import type { PodSpec } from '../../../control-plane/api/types.ts';
import {
  nodeAllocatable,
  podNonZeroRequests,
  podRequests,
} from '../../../control-plane/scheduler/resources.ts';

describe('quantities', () => {
  const cases: { q: string | number; value: number | undefined; milli: number | undefined }[] = [
    { q: '100m', value: 1, milli: 100 },
    { q: '1', value: 1, milli: 1000 },
    { q: '1.5', value: 2, milli: 1500 },
    { q: '0.1', value: 1, milli: 100 },
    { q: '0.0001', value: 1, milli: 1 },
    { q: '.5', value: 1, milli: 500 },
    { q: '2.', value: 2, milli: 2000 },
    { q: '128Mi', value: 134217728, milli: 134217728000 },
    { q: '1.5Gi', value: 1610612736, milli: 1610612736000 },
    { q: '1Ki', value: 1024, milli: 1024000 },
    { q: '1G', value: 1000000000, milli: 1e12 },
    { q: '1k', value: 1000, milli: 1000000 },
    { q: '1E', value: 1e18, milli: 1e21 },
    { q: '1e3', value: 1000, milli: 1000000 },
    { q: '1E3', value: 1000, milli: 1000000 },
    { q: '5e-3', value: 1, milli: 5 },
    { q: '12e+2', value: 1200, milli: 1200000 },
    { q: '-100m', value: -1, milli: -100 },
    { q: '+2', value: 2, milli: 2000 },
    { q: '0', value: 0, milli: 0 },
    { q: 4, value: 4, milli: 4000 },
    { q: 0.25, value: 1, milli: 250 },
    { q: '', value: undefined, milli: undefined },
    { q: '1 Gi', value: undefined, milli: undefined },
    { q: '1gi', value: undefined, milli: undefined },
    { q: 'abc', value: undefined, milli: undefined },
    { q: '1.2.3', value: undefined, milli: undefined },
    { q: Number.NaN, value: undefined, milli: undefined },
  ];
  for (const tc of cases) {
    test(`${JSON.stringify(tc.q)} → value ${tc.value}, milli ${tc.milli}`, () => {
      assert.equal(quantityValue(tc.q), tc.value);
      assert.equal(quantityMilliValue(tc.q), tc.milli);
    });
  }

  test('exact where floating point is not: 0.1 + 0.2 of a core', () => {
    assert.equal((quantityMilliValue('0.1') ?? 0) + (quantityMilliValue('0.2') ?? 0), 300);
  });

  test('huge exponents do not hang and exceed any node', () => {
    assert.equal(quantityValue('1e999999'), Infinity);
    assert.equal(quantityValue('1e-999999'), 1);
  });
});

describe('node allocatable', () => {
  test('allocatable in scheduler units', () => {
    const a = nodeAllocatable({
      allocatable: { cpu: '3500m', memory: '8Gi', pods: '110', 'nvidia.com/gpu': '2' },
    });
    assert.equal(a.milliCpu, 3500);
    assert.equal(a.memory, 8 * 2 ** 30);
    assert.equal(a.pods, 110);
    assert.equal(a.scalars?.get('nvidia.com/gpu'), 2);
  });

  test('capacity stands in when allocatable is missing', () => {
    assert.equal(nodeAllocatable({ capacity: { cpu: '2' } }).milliCpu, 2000);
  });
});

describe('pod requests', () => {
  const c = (name: string, cpu?: string, memory?: string, restartPolicy?: string) => ({
    name,
    image: 'busybox',
    ...(restartPolicy ? { restartPolicy } : {}),
    resources: {
      requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) },
    },
  });

  test('app containers are summed', () => {
    const r = podRequests({ containers: [c('a', '100m', '64Mi'), c('b', '250m', '64Mi')] });
    assert.equal(r.milliCpu, 350);
    assert.equal(r.memory, 128 * 2 ** 20);
  });

  test('an init container bigger than the app counts instead', () => {
    const spec: PodSpec = { initContainers: [c('init', '2')], containers: [c('a', '500m')] };
    assert.equal(podRequests(spec).milliCpu, 2000);
  });

  test('sidecars run beside the app and beside later init containers', () => {
    const spec: PodSpec = {
      initContainers: [c('sidecar', '300m', undefined, 'Always'), c('migrate', '1')],
      containers: [c('a', '500m')],
    };
    // max(app 500m + sidecar 300m, migrate 1000m + sidecar 300m)
    assert.equal(podRequests(spec).milliCpu, 1300);
  });

  test('overhead is added', () => {
    const spec: PodSpec = { containers: [c('a', '100m')], overhead: { cpu: '50m' } };
    assert.equal(podRequests(spec).milliCpu, 150);
  });

  test('scoring assumes 100m and 200 MiB for containers without requests', () => {
    const r = podNonZeroRequests({ containers: [c('a'), c('b', '1', '1Gi')] });
    assert.equal(r.milliCpu, 1100);
    assert.equal(r.memory, 200 * 2 ** 20 + 2 ** 30);
  });
});
