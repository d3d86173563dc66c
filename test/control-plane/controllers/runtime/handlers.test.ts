/**
 * Event handlers map objects to keys only: the object's own key, or its
 * controlling owner's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject, OwnerReference } from '../../../../control-plane/api/types.ts';
import {
  enqueueObject,
  enqueueOwner,
} from '../../../../control-plane/controllers/runtime/handlers.ts';

const obj = (name: string, namespace?: string, owners: OwnerReference[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(namespace ? { namespace } : {}), ownerReferences: owners },
});

const owner = (kind: string, name: string, apiVersion = 'apps/v1', controller = true) => ({
  apiVersion,
  kind,
  name,
  uid: `uid-${name}`,
  ...(controller ? { controller: true } : {}),
});

function sink() {
  const keys: string[] = [];
  return { keys, add: (k: string) => keys.push(k) };
}

describe('event handlers', () => {
  test('enqueueObject queues namespace/name, or name when cluster-scoped', () => {
    const s = sink();
    const h = enqueueObject(s);
    h.add(obj('web', 'default'));
    h.update(obj('web', 'default'), obj('web', 'default'));
    h.delete(obj('node-1'));
    assert.deepEqual(s.keys, ['default/web', 'default/web', 'node-1']);
  });

  const cases: { name: string; owners: OwnerReference[]; want: string[] }[] = [
    {
      name: 'the controlling owner of the kind',
      owners: [owner('ReplicaSet', 'rs-1')],
      want: ['ns/rs-1'],
    },
    {
      name: 'an owner that is not the controller',
      owners: [owner('ReplicaSet', 'rs-1', 'apps/v1', false)],
      want: [],
    },
    { name: 'a controller of another kind', owners: [owner('Job', 'job-1', 'batch/v1')], want: [] },
    {
      name: 'the right kind in another group',
      owners: [owner('ReplicaSet', 'rs-1', 'example.com/v1')],
      want: [],
    },
    {
      name: 'only the controller among several owners',
      owners: [owner('ReplicaSet', 'other', 'apps/v1', false), owner('ReplicaSet', 'rs-2')],
      want: ['ns/rs-2'],
    },
  ];
  for (const tc of cases) {
    test(`enqueueOwner: ${tc.name}`, () => {
      const s = sink();
      enqueueOwner(s, 'ReplicaSet', 'apps').add(obj('pod-1', 'ns', tc.owners));
      assert.deepEqual(s.keys, tc.want);
    });
  }

  test('enqueueOwner on update queues the old and the new owner', () => {
    const s = sink();
    const h = enqueueOwner(s, 'ReplicaSet');
    h.update(
      obj('p', 'ns', [owner('ReplicaSet', 'old')]),
      obj('p', 'ns', [owner('ReplicaSet', 'new')]),
    );
    assert.deepEqual(s.keys, ['ns/old', 'ns/new']);
  });
});
