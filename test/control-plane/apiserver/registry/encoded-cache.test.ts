/**
 * The cache of encoded objects: its bytes are exactly the stamped JSON of
 * the stored value, an entry is reused only for the same modRevision, a
 * read of the past does not displace a newer entry, and the byte budget
 * holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonWithRevision } from '../../../../control-plane/apiserver/registry/codec.ts';
import { EncodedCache } from '../../../../control-plane/apiserver/registry/encoded-cache.ts';
import type { KeyValue } from '../../../../control-plane/store/store.ts';

const value = (name: string, data: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { d: data } });
const kv = (name: string, modRevision: number, data = 'x'): KeyValue => ({
  key: `/registry/configmaps/ns/${name}`,
  value: value(name, data),
  createRevision: 1,
  modRevision,
});
const text = (b: Buffer) => b.toString('utf8');

describe('encoded object cache', () => {
  it('gives the stamped JSON of the stored value, non-ASCII included', () => {
    const cache = new EncodedCache();
    for (const item of [kv('a', 7), kv('b', 9, 'grüße ✓ 日本')]) {
      assert.equal(
        text(cache.bytesOf(item)),
        jsonWithRevision(item.key, item.value, item.modRevision),
      );
      assert.equal(
        (JSON.parse(text(cache.bytesOf(item))) as { metadata: { resourceVersion: string } })
          .metadata.resourceVersion,
        String(item.modRevision),
      );
    }
  });

  it('reuses an entry only for the same modRevision', () => {
    const cache = new EncodedCache();
    const first = cache.bytesOf(kv('a', 7));
    assert.equal(cache.bytesOf(kv('a', 7)), first, 'same revision: the same bytes, not a copy');
    const newer = cache.bytesOf(kv('a', 8, 'changed'));
    assert.notEqual(newer, first);
    assert.match(text(newer), /"resourceVersion":"8"/);
    assert.match(text(newer), /changed/);
    assert.equal(cache.bytesOf(kv('a', 8, 'changed')), newer);
  });

  it('a read of an older revision does not displace the newer entry', () => {
    const cache = new EncodedCache();
    const newer = cache.bytesOf(kv('a', 8, 'new'));
    const older = cache.bytesOf(kv('a', 5, 'old'));
    assert.match(text(older), /"resourceVersion":"5".*old/);
    assert.equal(cache.bytesOf(kv('a', 8, 'new')), newer);
  });

  it('keeps its total size within the budget, dropping the oldest entries first', () => {
    const one = Buffer.byteLength(jsonWithRevision(kv('k0', 1).key, kv('k0', 1).value, 1));
    const cache = new EncodedCache(one * 3);
    const kept = Array.from({ length: 5 }, (_, i) => cache.bytesOf(kv(`k${i}`, 1)));
    assert.ok(cache.bytes <= one * 3, `${cache.bytes} bytes held, budget ${one * 3}`);
    assert.equal(cache.bytesOf(kv('k4', 1)), kept[4], 'the newest entry is kept');
    assert.notEqual(cache.bytesOf(kv('k0', 1)), kept[0], 'the oldest entry was dropped');
  });

  it('does not keep an object bigger than the whole budget', () => {
    const cache = new EncodedCache(10);
    cache.bytesOf(kv('big', 1));
    assert.equal(cache.bytes, 0);
  });
});
