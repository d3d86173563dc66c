/** pod-template-hash: FNV-1a 32, SafeEncodeString, stability, EqualIgnoreHash. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodTemplateSpec } from '../../../../control-plane/api/types.ts';
import {
  computeHash,
  equalIgnoreHash,
  fnv32a,
  safeEncode,
} from '../../../../control-plane/controllers/deployment/hash.ts';

describe('fnv32a matches the published FNV-1a test vectors', () => {
  const cases: [string, number][] = [
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ];
  for (const [text, want] of cases)
    test(JSON.stringify(text), () => assert.equal(fnv32a(0x811c9dc5, Buffer.from(text)), want));
});

test('safeEncode maps each character by its code onto consonants and 2,4-9', () => {
  // '0' is 48, 48 % 27 = 21: the 22nd of "bcdfghjklmnpqrstvwxz2456789" is '4'.
  assert.equal(safeEncode('0'), '4');
  assert.match(safeEncode('1234567890'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

const template = (image: string, extra: Record<string, unknown> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image }], ...extra },
});

describe('computeHash', () => {
  test('the same template hashes the same whatever the key order', () => {
    const a = template('v1', { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    const b = {
      spec: {
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        containers: [{ image: 'v1', name: 'app' }],
      },
      metadata: { labels: { app: 'web' } },
    } as PodTemplateSpec;
    assert.equal(computeHash(a), computeHash(b));
    assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
  test('another template or another collisionCount gives another hash', () => {
    assert.notEqual(computeHash(template('v1')), computeHash(template('v2')));
    assert.notEqual(computeHash(template('v1')), computeHash(template('v1'), 1));
    assert.notEqual(computeHash(template('v1'), 1), computeHash(template('v1'), 2));
  });
});

describe('equalIgnoreHash', () => {
  test('differs only by pod-template-hash: equal', () => {
    const withHash = template('v1');
    withHash.metadata = { labels: { app: 'web', 'pod-template-hash': 'abc' } };
    assert.equal(equalIgnoreHash(withHash, template('v1')), true);
  });
  test('kubectl rollout undo sends "creationTimestamp": null: still equal', () => {
    const fromKubectl = template('v1');
    fromKubectl.metadata = { labels: { app: 'web' }, creationTimestamp: null as unknown as string };
    assert.equal(equalIgnoreHash(fromKubectl, template('v1')), true);
  });
  test('another image: not equal', () => {
    assert.equal(equalIgnoreHash(template('v1'), template('v2')), false);
  });
});
