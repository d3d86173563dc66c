/** Name grammars, label keys and values, and quantities, checked against Kubernetes' own examples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ianaSvcNameErrors,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
} from '../../../../control-plane/api/validation/names.ts';
import {
  validateLabelKey,
  validateLabelValue,
} from '../../../../control-plane/api/validation/labels.ts';
import { isQuantity, parseQuantity } from '../../../../control-plane/api/validation/quantity.ts';

const names: { s: string; label: boolean; subdomain: boolean; dns1035: boolean }[] = [
  { s: 'a', label: true, subdomain: true, dns1035: true },
  { s: 'my-name', label: true, subdomain: true, dns1035: true },
  { s: '123-abc', label: true, subdomain: true, dns1035: false },
  { s: 'example.com', label: false, subdomain: true, dns1035: false },
  { s: 'a'.repeat(63), label: true, subdomain: true, dns1035: true },
  { s: 'a'.repeat(64), label: false, subdomain: true, dns1035: false },
  {
    s: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`,
    label: false,
    subdomain: true,
    dns1035: false,
  },
  { s: 'a'.repeat(254), label: false, subdomain: false, dns1035: false },
  { s: '', label: false, subdomain: false, dns1035: false },
  { s: 'My-Name', label: false, subdomain: false, dns1035: false },
  { s: '-abc', label: false, subdomain: false, dns1035: false },
  { s: 'abc-', label: false, subdomain: false, dns1035: false },
  { s: 'a_b', label: false, subdomain: false, dns1035: false },
  { s: 'a..b', label: false, subdomain: false, dns1035: false },
];
for (const tc of names) {
  test(`names: ${JSON.stringify(tc.s.length > 20 ? `${tc.s.slice(0, 12)}…(${tc.s.length})` : tc.s)}`, () => {
    assert.equal(isDns1123Label(tc.s), tc.label, 'DNS-1123 label');
    assert.equal(isDns1123Subdomain(tc.s), tc.subdomain, 'DNS-1123 subdomain');
    assert.equal(isDns1035Label(tc.s), tc.dns1035, 'DNS-1035 label');
  });
}

const labelKeys: [string, boolean][] = [
  ['app', true],
  ['app.kubernetes.io/name', true],
  ['MyName', true],
  ['my.name', true],
  ['123-abc', true],
  ['a/b/c', false],
  ['/name', false],
  ['example.com/', false],
  ['Example.com/name', false],
  ['-name', false],
  ['name_', false],
  ['a'.repeat(64), false],
  ['x'.repeat(63), true],
];
for (const [k, ok] of labelKeys) {
  test(`label key ${JSON.stringify(k.slice(0, 24))} is ${ok ? 'valid' : 'invalid'}`, () => {
    assert.equal(validateLabelKey(k).length === 0, ok);
  });
}

const labelValues: [string, boolean][] = [
  ['', true],
  ['MyValue', true],
  ['my_value', true],
  ['12345', true],
  ['v1.2-rc_3', true],
  ['a b', false],
  ['-a', false],
  ['a.', false],
  ['x'.repeat(64), false],
];
for (const [v, ok] of labelValues) {
  test(`label value ${JSON.stringify(v.slice(0, 24))} is ${ok ? 'valid' : 'invalid'}`, () => {
    assert.equal(validateLabelValue(v).length === 0, ok);
  });
}

test('label key messages name the part that is wrong', () => {
  assert.deepEqual(validateLabelKey('example.com/'), ['name part must be non-empty']);
  assert.deepEqual(validateLabelKey('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(validateLabelKey(`${'a'.repeat(64)}`), [
    'name part must be no more than 63 characters',
  ]);
});

test('port names (IANA_SVC_NAME)', () => {
  assert.deepEqual(ianaSvcNameErrors('http'), []);
  assert.deepEqual(ianaSvcNameErrors('h2c-8080'), []);
  assert.deepEqual(ianaSvcNameErrors('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(ianaSvcNameErrors('a--b'), ['must not contain consecutive hyphens (-)']);
  assert.deepEqual(ianaSvcNameErrors('-web'), ['must not begin or end with a hyphen (-)']);
  assert.deepEqual(ianaSvcNameErrors('abcdefghijklmnop'), ['must be no more than 15 characters']);
});

const quantities: [string | number, number | undefined][] = [
  ['1', 1],
  ['100m', 0.1],
  ['1.5', 1.5],
  ['1Ki', 1024],
  ['1Mi', 1024 ** 2],
  ['2Gi', 2 * 1024 ** 3],
  ['1k', 1000],
  ['1M', 1e6],
  ['1G', 1e9],
  ['1e3', 1000],
  ['1E3', 1000],
  ['1E', 1e18],
  ['.5', 0.5],
  ['5.', 5],
  ['-1', -1],
  ['+2', 2],
  [3, 3],
  ['1Gb', undefined],
  ['1 Gi', undefined],
  ['Gi', undefined],
  ['', undefined],
  ['1.2.3', undefined],
  ['0x10', undefined],
];
for (const [q, value] of quantities) {
  test(`quantity ${JSON.stringify(q)}`, () => {
    assert.equal(isQuantity(q), value !== undefined);
    if (value !== undefined)
      assert.ok(Math.abs((parseQuantity(q) ?? NaN) - value) < 1e-9 * Math.max(1, Math.abs(value)));
  });
}
