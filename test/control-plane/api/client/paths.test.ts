import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  queryString,
  resourcePath,
  selectorText,
} from '../../../../control-plane/api/client/paths.ts';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';

const res = (g: string, p: string) => findResource(g, 'v1', p) as ResourceInfo;
const PODS = res('', 'pods');
const NODES = res('', 'nodes');
const DEPLOYMENTS = res('apps', 'deployments');

describe('paths', () => {
  const cases: { args: Parameters<typeof resourcePath>; want: string }[] = [
    { args: [PODS], want: '/api/v1/pods' },
    { args: [PODS, 'default'], want: '/api/v1/namespaces/default/pods' },
    { args: [PODS, 'default', 'web-1'], want: '/api/v1/namespaces/default/pods/web-1' },
    {
      args: [PODS, 'default', 'web-1', 'binding'],
      want: '/api/v1/namespaces/default/pods/web-1/binding',
    },
    { args: [NODES, 'ignored', 'n1', 'status'], want: '/api/v1/nodes/n1/status' },
    {
      args: [DEPLOYMENTS, 'prod', 'web', 'scale'],
      want: '/apis/apps/v1/namespaces/prod/deployments/web/scale',
    },
    { args: [PODS, 'default', 'a b/c'], want: '/api/v1/namespaces/default/pods/a%20b%2Fc' },
  ];
  for (const tc of cases) {
    test(`resourcePath -> ${tc.want}`, () => assert.equal(resourcePath(...tc.args), tc.want));
  }

  test('a namespaced object without a namespace, or an empty name, is refused', () => {
    assert.throws(
      () => resourcePath(PODS, undefined, 'web'),
      /pods "web": a namespace is required/,
    );
    assert.throws(() => resourcePath(PODS, 'default', ''), /empty object name/);
  });

  test('queryString drops undefined and empty values and encodes the rest', () => {
    assert.equal(queryString({}), '');
    assert.equal(queryString({ a: undefined, b: '' }), '');
    assert.equal(
      queryString({ watch: true, labelSelector: 'app in (a,b)', limit: 5 }),
      '?watch=true&labelSelector=app+in+%28a%2Cb%29&limit=5',
    );
  });

  test('selectorText joins a label map', () => {
    assert.equal(selectorText({ app: 'web', tier: 'fe' }), 'app=web,tier=fe');
    assert.equal(selectorText('app!=db'), 'app!=db');
  });
});
