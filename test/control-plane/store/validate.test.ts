/**
 * Input checks shared by the store backends (control-plane/store/validate.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError } from '../../../control-plane/store/errors.ts';
import {
  decodeContinue,
  encodeContinue,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  validateKey,
  validatePrefix,
  validateRevision,
  validateValue,
} from '../../../control-plane/store/validate.ts';

/** Asserts `fn` throws StoreError 'Invalid' whose message matches `message`. */
function assertInvalid(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStoreError(err, 'Invalid'), `expected StoreError 'Invalid', got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

describe('validateKey', () => {
  for (const key of [
    '/',
    '/registry/pods/default/web-1',
    '/a b/ü/日本',
    '/' + 'k'.repeat(MAX_KEY_BYTES - 1),
  ]) {
    it(`accepts ${JSON.stringify(key.slice(0, 40))}`, () => assert.equal(validateKey(key), key));
  }
  const bad: { name: string; key: unknown; message: RegExp }[] = [
    { name: 'a number', key: 7, message: /key must be a string, got number/ },
    { name: 'null', key: null, message: /got null/ },
    { name: 'undefined', key: undefined, message: /got undefined/ },
    { name: 'an array', key: ['/a'], message: /got array/ },
    { name: 'empty', key: '', message: /must not be empty/ },
    { name: 'no leading slash', key: 'registry/pods', message: /must start with "\/"/ },
    { name: 'a newline', key: '/a\nb', message: /control character/ },
    { name: 'a NUL', key: '/a\u0000b', message: /control character/ },
    { name: 'DEL', key: '/a\u007f', message: /control character/ },
    { name: 'too long', key: '/' + 'k'.repeat(MAX_KEY_BYTES), message: /longer than 4096 bytes/ },
    // 2,049 two-byte characters: 4,099 bytes although only 2,050 UTF-16 units.
    { name: 'too long in bytes', key: '/' + 'é'.repeat(2049), message: /longer than 4096 bytes/ },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.name}`, () => assertInvalid(() => validateKey(tc.key), tc.message));
  }
});

describe('validatePrefix', () => {
  it('accepts "/" (every key) and names the prefix in errors', () => {
    assert.equal(validatePrefix('/'), '/');
    assertInvalid(() => validatePrefix('pods/'), /^prefix "pods\/" must start with "\/"/);
    assertInvalid(() => validatePrefix(3), /^prefix must be a string/);
  });
});

describe('validateValue', () => {
  it('accepts text up to 1.5 MiB, counted in UTF-8 bytes', () => {
    assert.equal(validateValue('', '/k'), '');
    const max = 'x'.repeat(MAX_VALUE_BYTES);
    assert.equal(validateValue(max, '/k'), max);
  });
  const bad: { name: string; value: unknown; message: RegExp }[] = [
    {
      name: 'one byte over',
      value: 'x'.repeat(MAX_VALUE_BYTES + 1),
      message: /is 1572865 bytes, over the limit/,
    },
    {
      name: 'over in bytes',
      value: 'é'.repeat(MAX_VALUE_BYTES / 2 + 1),
      message: /over the limit of 1572864 bytes \(1\.5 MiB\)/,
    },
    { name: 'a number', value: 1, message: /value of \/k must be a string, got number/ },
    { name: 'an object', value: { a: 1 }, message: /got object/ },
    { name: 'a Buffer', value: Buffer.from('x'), message: /got object/ },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.name}`, () => assertInvalid(() => validateValue(tc.value, '/k'), tc.message));
  }
});

describe('validateRevision', () => {
  for (const rev of [0, 1, 2 ** 53 - 1]) {
    it(`accepts ${rev}`, () => assert.equal(validateRevision(rev, 'revision'), rev));
  }
  for (const rev of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '3', null]) {
    it(`rejects ${String(rev)}`, () =>
      assertInvalid(() => validateRevision(rev, 'limit'), /^limit must be a whole number >= 0/));
  }
});

describe('continue tokens', () => {
  it('round-trip the revision and the last key', () => {
    for (const token of [
      { revision: 1, startAfter: '/a' },
      { revision: 123456, startAfter: '/registry/pods/ns/ü "quoted"' },
    ]) {
      assert.deepEqual(decodeContinue(encodeContinue(token)), token);
    }
  });
  const b64 = (s: string): string => Buffer.from(s).toString('base64url');
  const malformed: [string, string][] = [
    ['not base64 JSON', 'garbage!!'],
    ['JSON of the wrong shape', b64('[1,2]')],
    ['a missing key', b64('{"r":5}')],
    ['revision 0', b64('{"r":0,"k":"/a"}')],
    ['a negative revision', b64('{"r":-3,"k":"/a"}')],
    ['a fractional revision', b64('{"r":1.5,"k":"/a"}')],
    ['a non-string key', b64('{"r":5,"k":5}')],
    ['null', b64('null')],
  ];
  for (const [name, token] of malformed) {
    it(`reject ${name} with a hint to start again`, () =>
      assertInvalid(
        () => decodeContinue(token),
        /continue token is malformed; start the list again/,
      ));
  }
});
