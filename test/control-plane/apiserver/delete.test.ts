/**
 * Deletion semantics: graceful pod deletion (bound pods wait for their
 * kubelet's grace-0 delete), finalizers, propagation policies,
 * preconditions, namespaces going Terminating and being finalized,
 * deletecollection and dry runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, names, obj } from './support/json.ts';
import { configMap, pod, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const PODS = '/api/v1/namespaces/default/pods';
const CMS = '/api/v1/namespaces/default/configmaps';

describe('delete', () => {
  it('an unbound pod goes at once and the answer is the pod', async () => {
    await s.post(PODS, pod('unbound-del'));
    const r = await s.del(`${PODS}/unbound-del`);
    assert.equal(r.status, 200);
    assert.equal(at(r.body, 'kind'), 'Pod');
    assert.equal((await s.get(`${PODS}/unbound-del`)).status, 404);
  });

  it('a bound pod gets deletionTimestamp + grace period and stays until a grace-0 delete', async () => {
    await s.post(PODS, pod('bound-del', { nodeName: 'node-1' }));
    const r = await s.del(`${PODS}/bound-del`);
    assert.equal(r.status, 200);
    assert.equal(at(r.body, 'metadata.deletionGracePeriodSeconds'), 30);
    const ts = Date.parse(String(at(r.body, 'metadata.deletionTimestamp')));
    assert.ok(ts > Date.now() + 20_000, 'deletionTimestamp is now + grace period');
    const still = await s.get(`${PODS}/bound-del`);
    assert.equal(still.status, 200);
    const again = await s.del(`${PODS}/bound-del`);
    assert.equal(
      at(again.body, 'metadata.resourceVersion'),
      at(still.body, 'metadata.resourceVersion'),
      'a pending delete is not changed',
    );
    const shorter = await s.del(`${PODS}/bound-del`, { gracePeriodSeconds: 10 });
    assert.equal(at(shorter.body, 'metadata.deletionGracePeriodSeconds'), 10);
    const kubelet = await s.del(`${PODS}/bound-del`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
    });
    assert.equal(kubelet.status, 200);
    assert.equal((await s.get(`${PODS}/bound-del`)).status, 404);
  });

  it('the grace period comes from spec.terminationGracePeriodSeconds, or the query', async () => {
    const p = pod('grace5', { nodeName: 'node-1' });
    await s.post(PODS, { ...p, spec: { ...p.spec, terminationGracePeriodSeconds: 5 } });
    const r = await s.del(`${PODS}/grace5`);
    assert.equal(at(r.body, 'metadata.deletionGracePeriodSeconds'), 5);
    await s.post(PODS, pod('graceq', { nodeName: 'node-1' }));
    const q = await s.del(`${PODS}/graceq?gracePeriodSeconds=0`);
    assert.equal(q.status, 200);
    assert.equal((await s.get(`${PODS}/graceq`)).status, 404);
  });

  it('an object with finalizers stays with deletionTimestamp until an update empties them', async () => {
    await s.post(CMS, {
      ...configMap('fin'),
      metadata: { name: 'fin', finalizers: ['example.com/hold'] },
    });
    const r = await s.del(`${CMS}/fin`);
    assert.equal(r.status, 200);
    assert.equal(at(r.body, 'kind'), 'ConfigMap');
    assert.ok(at(r.body, 'metadata.deletionTimestamp'));
    assert.equal(at(r.body, 'metadata.deletionGracePeriodSeconds'), 0);
    const held = await s.get(`${CMS}/fin`);
    assert.equal(held.status, 200);
    const added = await s.patch(`${CMS}/fin`, {
      metadata: { finalizers: ['example.com/hold', 'example.com/new'] },
    });
    assert.equal(added.status, 422, 'no new finalizers once deleting');
    const cleared = await s.patch(`${CMS}/fin`, { metadata: { finalizers: null } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal((await s.get(`${CMS}/fin`)).status, 404);
  });

  it('propagationPolicy Foreground / Orphan add the foregroundDeletion / orphan finalizer', async () => {
    const cases: [string, string | undefined, unknown, string[]][] = [
      ['fg-body', undefined, { propagationPolicy: 'Foreground' }, ['foregroundDeletion']],
      ['orphan-query', '?propagationPolicy=Orphan', undefined, ['orphan']],
      ['orphan-legacy', undefined, { orphanDependents: true }, ['orphan']],
    ];
    for (const [name, query, body, want] of cases) {
      await s.post(CMS, configMap(name));
      const r = await s.del(`${CMS}/${name}${query ?? ''}`, body);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(at(r.body, 'metadata.finalizers'), want, name);
      assert.ok(at(r.body, 'metadata.deletionTimestamp'), name);
    }
    await s.post(CMS, configMap('bg'));
    const bg = await s.del(`${CMS}/bg`, { propagationPolicy: 'Background' });
    assert.equal(at(bg.body, 'status'), 'Success');
    assert.equal(at(bg.body, 'details.name'), 'bg');
    assert.equal(at(bg.body, 'details.kind'), 'configmaps');
    const bad = await s.del(`${CMS}/fg-body`, { propagationPolicy: 'Sideways' });
    assert.equal(bad.status, 422);
  });

  it('preconditions on uid and resourceVersion are 409 when they do not hold', async () => {
    const c = await s.post(CMS, configMap('pre'));
    const uid = await s.del(`${CMS}/pre`, {
      preconditions: { uid: '00000000-0000-0000-0000-000000000000' },
    });
    assert.equal(uid.status, 409);
    assert.match(String(at(uid.body, 'message')), /Precondition failed: UID in precondition/);
    const rv = await s.del(`${CMS}/pre`, { preconditions: { resourceVersion: '1' } });
    assert.equal(rv.status, 409);
    const ok = await s.del(`${CMS}/pre`, {
      preconditions: {
        uid: at(c.body, 'metadata.uid'),
        resourceVersion: at(c.body, 'metadata.resourceVersion'),
      },
    });
    assert.equal(ok.status, 200);
  });

  it('a deleted namespace turns Terminating and goes once /finalize empties spec.finalizers', async () => {
    await s.post('/api/v1/namespaces', { metadata: { name: 'ending' } });
    const r = await s.del('/api/v1/namespaces/ending');
    assert.equal(r.status, 200);
    assert.equal(at(r.body, 'status.phase'), 'Terminating');
    assert.ok(at(r.body, 'metadata.deletionTimestamp'));
    const again = await s.del('/api/v1/namespaces/ending');
    assert.equal(at(again.body, 'status.phase'), 'Terminating');
    const got = await s.get('/api/v1/namespaces/ending');
    assert.equal(got.status, 200, 'it stays until finalized');
    const body = obj(got.body);
    const fin = await s.put('/api/v1/namespaces/ending/finalize', {
      ...body,
      spec: { finalizers: [] },
    });
    assert.equal(fin.status, 200, fin.text);
    assert.equal((await s.get('/api/v1/namespaces/ending')).status, 404);
  });

  it('default, kube-system and kube-public may not be deleted (403)', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await s.del(`/api/v1/namespaces/${ns}`);
      assert.equal(r.status, 403);
      assert.equal(
        at(r.body, 'message'),
        `namespaces "${ns}" is forbidden: this namespace may not be deleted`,
      );
    }
  });

  it('deletecollection deletes what the selector selects and answers the list', async () => {
    await s.post('/api/v1/namespaces', { metadata: { name: 'bulk' } });
    const base = '/api/v1/namespaces/bulk/configmaps';
    for (let i = 0; i < 6; i++)
      await s.post(base, configMap(`b${i}`, {}, { group: i < 4 ? 'a' : 'b' }));
    const r = await s.del(`${base}?labelSelector=group%3Da`);
    assert.equal(r.status, 200, r.text);
    assert.equal(at(r.body, 'kind'), 'ConfigMapList');
    assert.deepEqual(names(r.body), ['b0', 'b1', 'b2', 'b3']);
    assert.deepEqual(names((await s.get(base)).body), ['b4', 'b5']);
    assert.equal((await s.del('/api/v1/configmaps')).status, 405, 'not across namespaces');
  });

  it('dryRun deletes nothing; deleting a missing object is 404', async () => {
    await s.post(CMS, configMap('dry-del'));
    const r = await s.del(`${CMS}/dry-del?dryRun=All`);
    assert.equal(r.status, 200);
    assert.equal((await s.get(`${CMS}/dry-del`)).status, 200);
    const missing = await s.del(`${CMS}/never-was`);
    assert.equal(missing.status, 404);
    assert.equal(at(missing.body, 'message'), 'configmaps "never-was" not found');
  });
});
