/**
 * Reading resource requests from method and path, as Kubernetes'
 * RequestInfoFactory does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isApiError } from '../../../control-plane/api/errors.ts';
import { parseRequestInfo } from '../../../control-plane/apiserver/request-info.ts';

type Want = {
  plural: string;
  verb: string;
  namespace?: string;
  name?: string;
  subresource?: string;
};

const ok: [string, string, boolean, Want][] = [
  ['GET', '/api/v1/pods', false, { plural: 'pods', verb: 'list' }],
  ['GET', '/api/v1/pods', true, { plural: 'pods', verb: 'watch' }],
  ['GET', '/api/v1/namespaces/ns1/pods', false, { plural: 'pods', verb: 'list', namespace: 'ns1' }],
  [
    'POST',
    '/api/v1/namespaces/ns1/pods',
    false,
    { plural: 'pods', verb: 'create', namespace: 'ns1' },
  ],
  [
    'GET',
    '/api/v1/namespaces/ns1/pods/p',
    false,
    { plural: 'pods', verb: 'get', namespace: 'ns1', name: 'p' },
  ],
  [
    'GET',
    '/api/v1/namespaces/ns1/pods/p',
    true,
    { plural: 'pods', verb: 'watch', namespace: 'ns1', name: 'p' },
  ],
  [
    'PUT',
    '/api/v1/namespaces/ns1/pods/p/status',
    false,
    { plural: 'pods', verb: 'update', namespace: 'ns1', name: 'p', subresource: 'status' },
  ],
  [
    'POST',
    '/api/v1/namespaces/ns1/pods/p/binding',
    false,
    { plural: 'pods', verb: 'create', namespace: 'ns1', name: 'p', subresource: 'binding' },
  ],
  [
    'DELETE',
    '/api/v1/namespaces/ns1/configmaps',
    false,
    { plural: 'configmaps', verb: 'deletecollection', namespace: 'ns1' },
  ],
  ['GET', '/api/v1/namespaces', false, { plural: 'namespaces', verb: 'list' }],
  ['GET', '/api/v1/namespaces/ns1', false, { plural: 'namespaces', verb: 'get', name: 'ns1' }],
  [
    'PUT',
    '/api/v1/namespaces/ns1/finalize',
    false,
    { plural: 'namespaces', verb: 'update', name: 'ns1', subresource: 'finalize' },
  ],
  [
    'PATCH',
    '/api/v1/namespaces/ns1/status',
    false,
    { plural: 'namespaces', verb: 'patch', name: 'ns1', subresource: 'status' },
  ],
  ['GET', '/api/v1/nodes/n1', false, { plural: 'nodes', verb: 'get', name: 'n1' }],
  [
    'GET',
    '/api/v1/watch/namespaces/ns1/pods',
    false,
    { plural: 'pods', verb: 'watch', namespace: 'ns1' },
  ],
  ['GET', '/api/v1/watch/pods', false, { plural: 'pods', verb: 'watch' }],
  [
    'GET',
    '/apis/apps/v1/namespaces/ns1/deployments/d/scale',
    false,
    { plural: 'deployments', verb: 'get', namespace: 'ns1', name: 'd', subresource: 'scale' },
  ],
  [
    'PATCH',
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
    false,
    { plural: 'leases', verb: 'patch', namespace: 'kube-node-lease', name: 'n1' },
  ],
];

const notFound: [string, string][] = [
  ['GET', '/api/v1/widgets'],
  ['GET', '/apis/apps/v2/deployments'],
  ['GET', '/api/v1/pods/p'],
  ['GET', '/api/v1/namespaces/ns1/pods/p/proxy'],
  ['GET', '/api/v1/namespaces/ns1/configmaps/c/status'],
  ['GET', '/api/v1/namespaces/ns1/pods/p/status/more'],
];

const notAllowed: [string, string][] = [
  ['PUT', '/api/v1/namespaces/ns1/pods'],
  ['PATCH', '/api/v1/namespaces/ns1/pods'],
  ['OPTIONS', '/api/v1/pods'],
  ['POST', '/api/v1/watch/pods'],
  ['DELETE', '/api/v1/namespaces'],
];

describe('parseRequestInfo', () => {
  for (const [method, path, watch, want] of ok) {
    it(`${method} ${path}${watch ? '?watch' : ''} → ${want.verb} ${want.plural}`, () => {
      const info = parseRequestInfo(method, path, watch);
      assert.ok(info);
      assert.deepEqual(
        {
          plural: info.resource.plural,
          verb: info.verb,
          namespace: info.namespace,
          name: info.name,
          subresource: info.subresource,
        },
        { namespace: undefined, name: undefined, subresource: undefined, ...want },
      );
    });
  }
  it('leaves discovery paths to other routes', () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version']) {
      assert.equal(parseRequestInfo('GET', p, false), undefined, p);
    }
  });
  for (const [method, path] of notFound) {
    it(`${method} ${path} → 404`, () =>
      assert.throws(
        () => parseRequestInfo(method, path, false),
        (e) => isApiError(e, 'NotFound'),
      ));
  }
  for (const [method, path] of notAllowed) {
    it(`${method} ${path} → 405`, () =>
      assert.throws(
        () => parseRequestInfo(method, path, false),
        (e) => isApiError(e, 'MethodNotAllowed'),
      ));
  }
});
