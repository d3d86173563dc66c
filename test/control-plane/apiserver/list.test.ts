/**
 * Lists: limit/continue pages read at one revision, selectors applied while
 * paging, resourceVersion / resourceVersionMatch semantics, 410 for
 * compacted revisions and expired continue tokens, and the Table and
 * PartialObjectMetadata forms.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, arr, names } from './support/json.ts';
import { configMap, pod, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
  for (const ns of ['pages', 'sel', 'exact', 'tables', 'fields']) {
    assert.equal((await s.post('/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  }
});
after(() => s.close());

/** Reads every page of `path` with `limit`, returning names per page and each page's resourceVersion. */
async function readPages(
  path: string,
  limit: number,
): Promise<{ pages: string[][]; rvs: string[] }> {
  const pages: string[][] = [];
  const rvs: string[] = [];
  let cont: string | undefined;
  const sep = path.includes('?') ? '&' : '?';
  for (let i = 0; i < 100; i++) {
    const r = await s.get(
      `${path}${sep}limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
    );
    assert.equal(r.status, 200, r.text);
    pages.push(names(r.body));
    rvs.push(String(at(r.body, 'metadata.resourceVersion')));
    cont = at(r.body, 'metadata.continue') as string | undefined;
    if (!cont) return { pages, rvs };
  }
  throw new Error('more than 100 pages');
}

describe('list', () => {
  it('pages with limit/continue at one revision: changes after the first page do not show', async () => {
    const base = '/api/v1/namespaces/pages/configmaps';
    for (let i = 0; i < 25; i++) await s.post(base, configMap(`cm-${String(i).padStart(2, '0')}`));
    const first = await s.get(`${base}?limit=10`);
    assert.equal(names(first.body).length, 10);
    const cont = String(at(first.body, 'metadata.continue'));
    const rv = at(first.body, 'metadata.resourceVersion');
    await s.post(base, configMap('cm-99-late'));
    await s.del(`${base}/cm-24`);
    const seen = [...names(first.body)];
    let next: string | undefined = cont;
    while (next) {
      const page = await s.get(`${base}?limit=10&continue=${encodeURIComponent(next)}`);
      assert.equal(page.status, 200, page.text);
      assert.equal(
        at(page.body, 'metadata.resourceVersion'),
        rv,
        'every page is read at the first page revision',
      );
      seen.push(...names(page.body));
      next = at(page.body, 'metadata.continue') as string | undefined;
    }
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    assert.ok(seen.includes('cm-24'), 'deleted after the first page, still in the snapshot');
    assert.ok(!seen.includes('cm-99-late'), 'created after the first page, not in the snapshot');
  });

  it('applies label selectors while paging: full pages, no duplicates, nothing missed', async () => {
    const base = '/api/v1/namespaces/sel/configmaps';
    for (let i = 0; i < 30; i++) {
      await s.post(
        base,
        configMap(`c${String(i).padStart(2, '0')}`, {}, { parity: i % 2 === 0 ? 'even' : 'odd' }),
      );
    }
    const { pages, rvs } = await readPages(`${base}?labelSelector=parity%3Deven`, 4);
    const all = pages.flat();
    assert.equal(all.length, 15);
    assert.equal(new Set(all).size, 15);
    assert.ok(all.every((n) => Number(n.slice(1)) % 2 === 0));
    assert.ok(
      pages.slice(0, -1).every((p) => p.length === 4),
      JSON.stringify(pages),
    );
    assert.equal(new Set(rvs).size, 1);
    const single = await readPages(`${base}?labelSelector=parity%20in%20(odd)`, 100);
    assert.equal(single.pages.flat().length, 15);
  });

  it('lists across namespaces at /api/v1/<resource>', async () => {
    const r = await s.get('/api/v1/configmaps?labelSelector=parity%3Dodd');
    assert.equal(r.status, 200);
    assert.equal(names(r.body).length, 15);
  });

  it('resourceVersionMatch=Exact reads the past; compacted → 410; future → 504', async () => {
    const base = '/api/v1/namespaces/exact/configmaps';
    const a = await s.post(base, configMap('a', { v: '1' }));
    const rv = String(at(a.body, 'metadata.resourceVersion'));
    await s.patch(`${base}/a`, { data: { v: '2' } });
    await s.post(base, configMap('b'));
    const past = await s.get(`${base}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    assert.equal(past.status, 200, past.text);
    assert.deepEqual(names(past.body), ['a']);
    assert.equal(at(past.body, 'items[0].data.v'), '1');
    assert.equal(at(past.body, 'metadata.resourceVersion'), rv);
    const notOlder = await s.get(`${base}?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
    assert.deepEqual(names(notOlder.body), ['a', 'b']);
    const page = await s.get(`${base}?limit=1`);
    await s.patch(`${base}/b`, { data: { after: 'page' } });
    await s.store.compact(await s.store.currentRevision());
    const gone = await s.get(`${base}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    assert.equal(gone.status, 410);
    assert.equal(at(gone.body, 'reason'), 'Expired');
    assert.equal(at(gone.body, 'message'), 'The resourceVersion for the provided list is too old.');
    const expired = await s.get(
      `${base}?limit=1&continue=${encodeURIComponent(String(at(page.body, 'metadata.continue')))}`,
    );
    assert.equal(expired.status, 410);
    assert.match(String(at(expired.body, 'message')), /continue parameter is too old/);
    const future = await s.get(
      `${base}?resourceVersion=99999999&resourceVersionMatch=NotOlderThan`,
    );
    assert.equal(future.status, 504);
  });

  it('rejects bad list options with 400/422 as Kubernetes does', async () => {
    const base = '/api/v1/namespaces/exact/configmaps';
    const cases: [string, number][] = [
      ['?continue=bm90LWEtdG9rZW4', 400],
      ['?resourceVersionMatch=Exact', 422],
      ['?resourceVersion=0&resourceVersionMatch=Exact', 422],
      ['?limit=-1', 422],
      ['?labelSelector=a%20in%20(', 400],
      ['?fieldSelector=spec.foo%3Dx', 400],
      ['?resourceVersion=abc', 400],
    ];
    for (const [q, code] of cases) {
      const r = await s.get(base + q);
      assert.equal(r.status, code, `${q}: ${r.text}`);
      assert.equal(at(r.body, 'kind'), 'Status');
    }
    const r = await s.get('/api/v1/namespaces/fields/pods?fieldSelector=spec.foo%3Dx');
    assert.equal(at(r.body, 'message'), 'field label not supported: spec.foo');
  });

  it('field selectors use the labels each kind supports (pods: spec.nodeName, status.phase)', async () => {
    const base = '/api/v1/namespaces/fields/pods';
    await s.post(base, pod('on-n1', { nodeName: 'n1' }));
    await s.post(base, pod('unbound'));
    const bound = await s.get(`${base}?fieldSelector=spec.nodeName%3Dn1`);
    assert.deepEqual(names(bound.body), ['on-n1']);
    const pending = await s.get(`${base}?fieldSelector=status.phase%3DPending,spec.nodeName%3D`);
    assert.deepEqual(names(pending.body), ['unbound']);
    const notBound = await s.get(`${base}?fieldSelector=spec.nodeName!%3Dn1`);
    assert.deepEqual(names(notBound.body), ['unbound']);
  });

  it('answers Tables (v1 and v1beta1) and PartialObjectMetadataList when asked', async () => {
    const base = '/api/v1/namespaces/tables/configmaps';
    await s.post(base, configMap('t1', { a: '1', b: '2' }));
    await s.post(base, configMap('t2'));
    const table = await s.get(base, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    assert.equal(table.headers.get('content-type'), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    assert.equal(at(table.body, 'kind'), 'Table');
    assert.equal(at(table.body, 'apiVersion'), 'meta.k8s.io/v1');
    assert.match(String(at(table.body, 'metadata.resourceVersion')), /^\d+$/);
    assert.deepEqual(
      arr(table.body, 'columnDefinitions')
        .map((c) => at(c, 'name'))
        .slice(0, 3),
      ['Name', 'Data', 'Age'],
    );
    assert.deepEqual(
      arr(table.body, 'rows').map((r) => at(r, 'cells[0]')),
      ['t1', 't2'],
    );
    assert.equal(at(table.body, 'rows[0].object.kind'), 'PartialObjectMetadata');
    const beta = await s.get(`${base}?includeObject=Object`, {
      accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
    });
    assert.equal(at(beta.body, 'apiVersion'), 'meta.k8s.io/v1beta1');
    assert.equal(at(beta.body, 'rows[0].object.kind'), 'ConfigMap');
    const one = await s.get(`${base}/t1`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    assert.equal(arr(one.body, 'rows').length, 1);
    const meta = await s.get(base, {
      accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    });
    assert.equal(at(meta.body, 'kind'), 'PartialObjectMetadataList');
    assert.equal(at(meta.body, 'items[0].metadata.name'), 't1');
    assert.equal(at(meta.body, 'items[0].data'), undefined);
  });
});
