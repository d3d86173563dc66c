/**
 * Discovery (/version, /api, /apis, group-version resource lists, the
 * aggregated apidiscovery.k8s.io form) and OpenAPI v3 serving with its
 * hash and ETag caching.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, arr } from './support/json.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const AGGREGATED = (v: string) =>
  `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;

describe('discovery', () => {
  it('/version reports Kubernetes 1.32 with a skiff build', async () => {
    const r = await s.get('/version');
    assert.equal(at(r.body, 'major'), '1');
    assert.equal(at(r.body, 'minor'), '32');
    assert.match(String(at(r.body, 'gitVersion')), /^v1\.32\.\d+\+skiff/);
  });

  it('/api lists v1 and /apis the groups with their preferred versions', async () => {
    const api = await s.get('/api');
    assert.equal(api.headers.get('content-type'), 'application/json');
    assert.deepEqual(at(api.body, 'versions'), ['v1']);
    assert.equal(at(api.body, 'serverAddressByClientCIDRs[0].serverAddress'), new URL(s.url).host);
    const apis = await s.get('/apis');
    assert.equal(at(apis.body, 'kind'), 'APIGroupList');
    const groups = arr(apis.body, 'groups').map((g) => at(g, 'name'));
    assert.deepEqual(groups, ['apps', 'batch', 'coordination.k8s.io']);
    assert.equal(at(apis.body, 'groups[0].preferredVersion.groupVersion'), 'apps/v1');
    const apps = await s.get('/apis/apps');
    assert.equal(at(apps.body, 'kind'), 'APIGroup');
    assert.equal((await s.get('/apis/nope.example.com')).status, 404);
  });

  it('/api/v1 lists resources with verbs, short names, categories and subresources', async () => {
    const r = await s.get('/api/v1');
    assert.equal(at(r.body, 'kind'), 'APIResourceList');
    assert.equal(at(r.body, 'groupVersion'), 'v1');
    const res = arr(r.body, 'resources');
    const byName = new Map(res.map((x) => [String(at(x, 'name')), x]));
    const pods = byName.get('pods');
    assert.equal(at(pods, 'kind'), 'Pod');
    assert.equal(at(pods, 'namespaced'), true);
    assert.deepEqual(at(pods, 'shortNames'), ['po']);
    assert.deepEqual(at(pods, 'categories'), ['all']);
    assert.equal(typeof at(pods, 'storageVersionHash'), 'string');
    assert.deepEqual(at(byName.get('pods/status'), 'verbs'), ['get', 'patch', 'update']);
    assert.deepEqual(at(byName.get('pods/binding'), 'verbs'), ['create']);
    assert.equal(at(byName.get('pods/eviction'), 'group'), 'policy');
    assert.deepEqual(at(byName.get('pods/log'), 'verbs'), ['get']);
    assert.equal(at(byName.get('namespaces'), 'namespaced'), false);
    const apps = await s.get('/apis/apps/v1');
    const scale = arr(apps.body, 'resources').find((x) => at(x, 'name') === 'deployments/scale');
    assert.equal(at(scale, 'kind'), 'Scale');
    assert.equal(at(scale, 'group'), 'autoscaling');
  });

  for (const v of ['v2', 'v2beta1']) {
    it(`serves aggregated discovery (${v}) when asked, as kubectl does first`, async () => {
      // kubectl 1.32 sends v2, then v2beta1, then plain JSON; older ones only v2beta1.
      const accept =
        v === 'v2'
          ? `${AGGREGATED('v2')},${AGGREGATED('v2beta1')},application/json`
          : `${AGGREGATED('v2beta1')},application/json`;
      const api = await s.get('/api', { accept });
      assert.equal(api.headers.get('content-type'), AGGREGATED(v));
      assert.equal(at(api.body, 'kind'), 'APIGroupDiscoveryList');
      assert.equal(at(api.body, 'apiVersion'), `apidiscovery.k8s.io/${v}`);
      assert.equal(at(api.body, 'items[0].metadata.name'), '');
      const pods = arr(api.body, 'items[0].versions[0].resources').find(
        (x) => at(x, 'resource') === 'pods',
      );
      assert.equal(at(pods, 'scope'), 'Namespaced');
      assert.deepEqual(at(pods, 'responseKind'), { group: '', version: 'v1', kind: 'Pod' });
      const subs = arr(pods, 'subresources').map((x) => at(x, 'subresource'));
      assert.deepEqual(subs, ['status', 'binding', 'log', 'eviction']);
      const apis = await s.get('/apis', { accept });
      assert.deepEqual(
        arr(apis.body, 'items').map((g) => at(g, 'metadata.name')),
        ['apps', 'batch', 'coordination.k8s.io'],
      );
      assert.equal(at(apis.body, 'items[0].versions[0].freshness'), 'Current');
    });
  }
});

describe('openapi v3', () => {
  it('the root lists each group-version with a hash; the document is immutable at that hash', async () => {
    const root = await s.get('/openapi/v3');
    assert.equal(root.status, 200);
    const url = String(at(root.body, 'paths.api/v1.serverRelativeURL'));
    assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    assert.ok(
      String(at(root.body, 'paths.apis/apps/v1.serverRelativeURL')).startsWith(
        '/openapi/v3/apis/apps/v1?hash=',
      ),
    );
    const doc = await s.get(url);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get('cache-control'), 'public, immutable');
    assert.ok(at(doc.body, 'components.schemas'));
    const etag = doc.headers.get('etag') ?? '';
    const notModified = await s.get('/openapi/v3/api/v1', { 'if-none-match': etag });
    assert.equal(notModified.status, 304);
    const stale = await fetch(`${s.url}/openapi/v3/api/v1?hash=OLD`, { redirect: 'manual' });
    assert.equal(stale.status, 301);
    assert.equal(stale.headers.get('location'), url);
    await stale.body?.cancel();
  });

  it('the PATCH operation of a resource path declares fieldValidation (kubectl checks for it)', async () => {
    const doc = await s.get('/openapi/v3/api/v1');
    const params = arr(
      doc.body,
      'paths./api/v1/namespaces/{namespace}/pods/{name}.patch.parameters',
    );
    assert.ok(params.some((p) => at(p, 'name') === 'fieldValidation'));
  });

  it('/openapi/v2 and unknown documents are 404', async () => {
    assert.equal((await s.get('/openapi/v2')).status, 404);
    assert.equal((await s.get('/openapi/v3/apis/nope/v1')).status, 404);
  });
});
