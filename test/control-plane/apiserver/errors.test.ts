/**
 * Every failure is a metav1.Status with the right code (413, 415, 400, 404,
 * 405, 406), plus /metrics in Prometheus text, the health endpoints and the
 * structured access log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import { at } from './support/json.ts';
import { configMap, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
const logLines: string[] = [];
before(async () => {
  s = await startTestServer({
    logger: createLogger({}, { level: 'debug', sink: (l) => logLines.push(l) }),
  });
});
after(() => s.close());

const CMS = '/api/v1/namespaces/default/configmaps';

function isStatus(body: unknown, code: number, reason: string): void {
  assert.equal(at(body, 'kind'), 'Status');
  assert.equal(at(body, 'apiVersion'), 'v1');
  assert.equal(at(body, 'status'), 'Failure');
  assert.equal(at(body, 'code'), code);
  assert.equal(at(body, 'reason'), reason);
  assert.equal(typeof at(body, 'message'), 'string');
}

describe('error answers', () => {
  const cases: {
    name: string;
    method: string;
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
    code: number;
    reason: string;
    message?: RegExp;
  }[] = [
    {
      name: 'unknown path',
      method: 'GET',
      path: '/nothing/here',
      code: 404,
      reason: 'NotFound',
      message: /^the server could not find the requested resource$/,
    },
    {
      name: 'unknown resource',
      method: 'GET',
      path: '/api/v1/widgets',
      code: 404,
      reason: 'NotFound',
    },
    {
      name: 'unknown group',
      method: 'GET',
      path: '/apis/example.com/v1/things',
      code: 404,
      reason: 'NotFound',
    },
    {
      name: 'too many path segments',
      method: 'GET',
      path: '/api/v1/namespaces/default/pods/a/status/extra',
      code: 404,
      reason: 'NotFound',
    },
    {
      name: 'missing object',
      method: 'GET',
      path: `${CMS}/absent`,
      code: 404,
      reason: 'NotFound',
      message: /^configmaps "absent" not found$/,
    },
    {
      name: 'malformed JSON',
      method: 'POST',
      path: CMS,
      body: '{"metadata": ',
      headers: { 'content-type': 'application/json' },
      code: 400,
      reason: 'BadRequest',
    },
    {
      name: 'malformed YAML',
      method: 'POST',
      path: CMS,
      body: 'a: [b',
      headers: { 'content-type': 'application/yaml' },
      code: 400,
      reason: 'BadRequest',
    },
    {
      name: 'a JSON array body',
      method: 'POST',
      path: CMS,
      body: '[]',
      headers: { 'content-type': 'application/json' },
      code: 400,
      reason: 'BadRequest',
    },
    {
      name: 'protobuf body',
      method: 'POST',
      path: CMS,
      body: 'k8s\u0000',
      headers: { 'content-type': 'application/x-protobuf' },
      code: 415,
      reason: 'UnsupportedMediaType',
    },
    {
      name: 'form body',
      method: 'POST',
      path: CMS,
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      code: 415,
      reason: 'UnsupportedMediaType',
    },
    {
      name: 'PATCH with a plain JSON type',
      method: 'PATCH',
      path: `${CMS}/x`,
      body: '{}',
      headers: { 'content-type': 'application/json' },
      code: 415,
      reason: 'UnsupportedMediaType',
    },
    {
      name: 'POST to a named object',
      method: 'POST',
      path: `${CMS}/x`,
      body: '{}',
      headers: { 'content-type': 'application/json' },
      code: 405,
      reason: 'MethodNotAllowed',
    },
    {
      name: 'PUT to a collection',
      method: 'PUT',
      path: CMS,
      body: '{}',
      headers: { 'content-type': 'application/json' },
      code: 405,
      reason: 'MethodNotAllowed',
    },
    {
      name: 'protobuf-only Accept',
      method: 'GET',
      path: CMS,
      headers: { accept: 'application/vnd.kubernetes.protobuf' },
      code: 406,
      reason: 'NotAcceptable',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code} ${c.reason}`, async () => {
      const r = await s.request(c.method, c.path, c.body, c.headers);
      assert.equal(r.status, c.code, r.text);
      assert.equal(r.headers.get('content-type'), 'application/json');
      isStatus(r.body, c.code, c.reason);
      if (c.message) assert.match(String(at(r.body, 'message')), c.message);
    });
  }

  it('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
    const big = JSON.stringify(configMap('big', { k: 'x'.repeat(3 * 1024 * 1024) }));
    const r = await s.request('POST', CMS, big);
    assert.equal(r.status, 413);
    isStatus(r.body, 413, 'RequestEntityTooLarge');
    assert.equal(at(r.body, 'message'), 'Request entity too large: limit is 3145728');
  });

  it('an object over the store limit (1.5 MiB) but under 3 MiB is 413, not a 500', async () => {
    const env = [{ name: 'BIG', value: 'x'.repeat(2 * 1024 * 1024) }];
    const r = await s.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'large' },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36', env }] },
    });
    assert.equal(r.status, 413);
    isStatus(r.body, 413, 'RequestEntityTooLarge');
  });
});

describe('metrics, health and access log', () => {
  it('/metrics is Prometheus text with request counts, latencies, open watches and store latency', async () => {
    await s.get(`${CMS}/absent`);
    const r = await s.get('/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(r.text, /^# TYPE apiserver_request_total counter$/m);
    assert.match(
      r.text,
      /^apiserver_request_total\{verb="GET",resource="configmaps",code="404"\} [1-9]\d*$/m,
    );
    assert.match(
      r.text,
      /^apiserver_request_duration_seconds_bucket\{verb="GET",resource="configmaps",le="\+Inf"\} \d+$/m,
    );
    assert.match(r.text, /^# TYPE apiserver_open_watches gauge$/m);
    assert.match(r.text, /^skiff_store_request_duration_seconds_count\{operation="get"\} \d+$/m);
  });

  it('/healthz, /livez, /readyz answer ok; ?verbose lists the checks', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/readyz/ping']) {
      const r = await s.get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.text, 'ok');
    }
    const v = await s.get('/readyz?verbose');
    assert.match(v.text, /^\[\+\]ping ok$/m);
    assert.match(v.text, /^\[\+\]store ok$/m);
    assert.match(v.text, /readyz check passed/);
    assert.equal((await s.get('/readyz/nope')).status, 404);
  });

  it('writes one structured access log line per request', async () => {
    await s.get('/api/v1/namespaces/default/configmaps?limit=1');
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const hit = lines.find(
      (l) => l.msg === 'Request' && l.path === '/api/v1/namespaces/default/configmaps?limit=1',
    );
    assert.ok(hit, 'an access log line for the request');
    assert.equal(hit.level, 'debug');
    assert.equal(hit.code, 200);
    assert.equal(hit.verb, 'LIST');
    assert.equal(hit.resource, 'configmaps');
    assert.equal(typeof hit.ms, 'number');
  });
});
