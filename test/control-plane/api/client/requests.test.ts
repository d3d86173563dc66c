import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bindingBody,
  deleteBody,
  evictionBody,
  listQuery,
  watchQuery,
  writeQuery,
} from '../../../../control-plane/api/client/requests.ts';

describe('requests', () => {
  test('list, watch and write options become Kubernetes query parameters', () => {
    assert.equal(
      listQuery({
        labelSelector: { app: 'web' },
        limit: 500,
        continue: 'abc',
        resourceVersion: '0',
      }),
      '?labelSelector=app%3Dweb&limit=500&continue=abc&resourceVersion=0',
    );
    assert.equal(listQuery({ limit: 0 }), '');
    assert.equal(
      watchQuery({
        resourceVersion: '42',
        fieldSelector: 'spec.nodeName=n1',
        allowWatchBookmarks: true,
        timeoutSeconds: 300,
      }),
      '?watch=true&resourceVersion=42&fieldSelector=spec.nodeName%3Dn1&allowWatchBookmarks=true&timeoutSeconds=300',
    );
    assert.equal(
      writeQuery(
        { dryRun: true, fieldManager: 'skiff', fieldValidation: 'Strict' },
        { force: true },
      ),
      '?dryRun=All&fieldManager=skiff&fieldValidation=Strict&force=true',
    );
  });

  test('DeleteOptions: no body without fields, else only the given ones', () => {
    assert.equal(deleteBody({}), undefined);
    assert.deepEqual(deleteBody({ gracePeriodSeconds: 0, propagationPolicy: 'Foreground' }), {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
    });
  });

  test('Binding and Eviction bodies', () => {
    assert.deepEqual(bindingBody({ name: 'web', uid: 'u1' }, 'default', 'node-1'), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web', namespace: 'default', uid: 'u1' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    });
    assert.deepEqual(evictionBody('web', 'default', {}), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web', namespace: 'default' },
    });
    assert.deepEqual(evictionBody('web', 'default', { gracePeriodSeconds: 5 }).deleteOptions, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 5,
    });
  });
});
