/**
 * The request-target split of the resource route: for every target it
 * returns exactly what `new URL(target, base)` gives as pathname and
 * searchParams, whether it takes the quick path (plain segments, printable
 * query) or hands the target to the URL parser (escapes, dot segments,
 * fragments, spaces, non-ASCII).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestUrl } from '../../../control-plane/apiserver/request-url.ts';

const targets = [
  '/api/v1/pods',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/pods/web-0?dryRun=All&fieldValidation=Strict',
  '/apis/apps/v1/namespaces/kube-system/deployments/coredns/scale',
  '/api/v1/pods/',
  '/api/v1/pods?',
  '/api/v1/pods?watch=1&resourceVersion=42&allowWatchBookmarks=true',
  '/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+(a,b)&limit=500',
  '/api/v1/pods?fieldSelector=spec.nodeName=n1,status.phase!=Running',
  '/api/v1/pods?labelSelector=a=b&labelSelector=c=d',
  '/api/v1/pods?q="quoted"&x=<tag>&y=\'s\'',
  '/api/v1/pods?a=1#fragment',
  '/api/v1/pods?a=b c',
  '/api/v1/pods?name=caf\u00e9',
  '/api/v1/namespaces/default/pods/../secrets',
  '/api/v1/namespaces/./default/pods',
  '/api/v1/namespaces/%2e%2e/pods',
  '/api/v1/namespaces/default/pods/a%2Fb',
  '/api/v1/namespaces/default/pods/%zz',
  '/api/v1//pods',
  '/api/v1/namespaces/default/pods/.hidden',
  '/api/v1/namespaces/default/pods/web.0',
  '/api/v1/namespaces/default/pods/web~0_1-2',
  '/api/v1/nodes/n1:10250',
  '/api/v1/namespaces/default/pods/a b',
  '/api/v1/namespaces/default/pods/caf\u00e9',
  '/api/v1\\namespaces\\default\\pods',
  '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node',
];

describe('parseRequestUrl', () => {
  for (const target of targets) {
    it(`splits ${JSON.stringify(target)} as the URL parser does`, () => {
      const want = new URL(target, 'http://apiserver');
      const got = parseRequestUrl(target);
      assert.equal(got.pathname, want.pathname);
      assert.deepEqual([...got.query], [...want.searchParams]);
    });
  }
});
