import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ObjectCache, objectKey } from '../../../../control-plane/api/client/informer-cache.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';

const obj = (name: string, rv: number, uid = `uid-${name}`, namespace = 'ns'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, uid, resourceVersion: String(rv) },
});

// A compact view of deltas: "add ns/a@3", "update ns/a@3->5", "delete ns/a@3".
const show = (ds: ReturnType<ObjectCache<KubeObject>['replace']>) =>
  ds.map((d) =>
    d.type === 'update'
      ? `update ${objectKey(d.object)}@${d.old.metadata.resourceVersion}->${d.object.metadata.resourceVersion}`
      : `${d.type} ${objectKey(d.object)}@${d.object.metadata.resourceVersion}`,
  );

describe('informer cache', () => {
  test('keys are namespace/name, or name when cluster-scoped', () => {
    assert.equal(objectKey(obj('a', 1)), 'ns/a');
    assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
  });

  const relists: { name: string; before: KubeObject[]; after: KubeObject[]; want: string[] }[] = [
    {
      name: 'first list adds everything in key order',
      before: [],
      after: [obj('b', 2), obj('a', 1)],
      want: ['add ns/a@1', 'add ns/b@2'],
    },
    {
      name: 'nothing changed emits nothing',
      before: [obj('a', 1), obj('b', 2)],
      after: [obj('b', 2), obj('a', 1)],
      want: [],
    },
    {
      name: 'changed, deleted and new objects',
      before: [obj('a', 1), obj('b', 2), obj('c', 3)],
      after: [obj('a', 7), obj('c', 3), obj('d', 8)],
      want: ['delete ns/b@2', 'update ns/a@1->7', 'add ns/d@8'],
    },
    {
      name: 'an object deleted and recreated (new uid) is a delete then an add',
      before: [obj('a', 1, 'uid-1')],
      after: [obj('a', 9, 'uid-2')],
      want: ['delete ns/a@1', 'add ns/a@9'],
    },
    {
      name: 'everything gone',
      before: [obj('a', 1), obj('b', 2)],
      after: [],
      want: ['delete ns/a@1', 'delete ns/b@2'],
    },
  ];
  for (const tc of relists) {
    test(`relist: ${tc.name}`, () => {
      const c = new ObjectCache<KubeObject>();
      c.replace(tc.before);
      assert.deepEqual(show(c.replace(tc.after)), tc.want);
      assert.deepEqual(
        c.list().map((o) => `${objectKey(o)}@${o.metadata.resourceVersion}`),
        tc.after.map((o) => `${objectKey(o)}@${o.metadata.resourceVersion}`).sort(),
      );
    });
  }

  test('watch events: add, update, delete, and bookmarks change nothing', () => {
    const c = new ObjectCache<KubeObject>();
    const seen = [
      c.apply({ type: 'ADDED', object: obj('a', 1) }),
      c.apply({ type: 'MODIFIED', object: obj('a', 2) }),
      c.apply({
        type: 'BOOKMARK',
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '3' } },
      }),
      c.apply({ type: 'DELETED', object: obj('a', 4) }),
      c.apply({ type: 'DELETED', object: obj('zz', 5) }),
    ];
    assert.deepEqual(show(seen.filter((d) => d !== undefined)), [
      'add ns/a@1',
      'update ns/a@1->2',
      'delete ns/a@4',
    ]);
    assert.equal(seen[2], undefined);
    assert.equal(seen[4], undefined);
    assert.equal(c.size, 0);
  });

  test('a replayed or older event never moves the cache backwards', () => {
    const c = new ObjectCache<KubeObject>();
    c.apply({ type: 'ADDED', object: obj('a', 5) });
    assert.equal(c.apply({ type: 'MODIFIED', object: obj('a', 5) }), undefined);
    assert.equal(c.apply({ type: 'MODIFIED', object: obj('a', 3) }), undefined);
    assert.equal(c.apply({ type: 'ADDED', object: obj('a', 4) }), undefined);
    assert.equal(c.apply({ type: 'DELETED', object: obj('a', 2) }), undefined);
    assert.equal(c.get('ns/a')?.metadata.resourceVersion, '5');
  });
});
