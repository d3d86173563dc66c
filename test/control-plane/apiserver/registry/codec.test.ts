/**
 * The stored form of objects and the text fast path that stamps the
 * resourceVersion without parsing: it must produce the same JSON value as
 * decoding, for any stored value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import {
  decodeValue,
  encodeObject,
  jsonWithRevision,
} from '../../../../control-plane/apiserver/registry/codec.ts';

const objects: [string, KubeObject][] = [
  [
    'a pod with metadata last in the input',
    {
      spec: { containers: [] },
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' } },
      apiVersion: 'v1',
    },
  ],
  ['empty metadata', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { k: 'v' } }],
  [
    'quotes and escapes in values',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'q', annotations: { 'x"y': 'a\\"metadata":{b' } },
      data: { '"metadata":{': '}' },
    },
  ],
  [
    'a resourceVersion and managedFields in the input',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', resourceVersion: '5', managedFields: [] },
    },
  ],
];

describe('codec', () => {
  for (const [name, obj] of objects) {
    it(`jsonWithRevision equals decode + stringify: ${name}`, () => {
      const stored = encodeObject(obj);
      assert.doesNotMatch(stored, /resourceVersion|managedFields/);
      const fast = JSON.parse(jsonWithRevision('/k', stored, 42)) as unknown;
      assert.deepEqual(fast, decodeValue('/k', stored, 42));
      assert.equal((fast as KubeObject).metadata.resourceVersion, '42');
    });
  }

  it('falls back to decoding for values written in another key order', () => {
    const foreign = JSON.stringify({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'f' },
    });
    assert.deepEqual(JSON.parse(jsonWithRevision('/k', foreign, 7)), {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'f', resourceVersion: '7' },
    });
  });

  it('answers a 500 naming the key for a damaged value', () => {
    assert.throws(
      () => decodeValue('/registry/pods/a/b', '{not json', 1),
      /\/registry\/pods\/a\/b is not valid JSON/,
    );
  });
});
