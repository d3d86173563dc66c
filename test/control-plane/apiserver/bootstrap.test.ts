/**
 * The objects the API server makes at bootstrap, beside the `kubernetes`
 * service (services.test.ts): kube-system/kube-dns on the tenth address
 * of the service CIDR, never overwritten, and not made when another
 * Service holds its address. Real API server, real SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arr, at, obj } from './support/json.ts';
import { startTestServer } from './support/server.ts';

const KUBE_DNS = '/api/v1/namespaces/kube-system/services/kube-dns';

test('kube-dns is made on the tenth service address with the dns ports and no selector', async () => {
  const s = await startTestServer();
  try {
    const r = await s.get(KUBE_DNS);
    assert.equal(r.status, 200, r.text);
    assert.equal(at(r.body, 'spec.clusterIP'), '10.96.0.10');
    assert.deepEqual(at(r.body, 'spec.clusterIPs'), ['10.96.0.10']);
    assert.equal(at(r.body, 'spec.type'), 'ClusterIP');
    assert.equal(at(r.body, 'metadata.labels.k8s-app'), 'kube-dns');
    assert.equal(at(r.body, 'spec.selector'), undefined);
    const ports = arr(r.body, 'spec.ports').map((p) => {
      const o = obj(p);
      return [o.name, o.port, o.protocol, o.targetPort];
    });
    assert.deepEqual(ports, [
      ['dns', 53, 'UDP', 53],
      ['dns-tcp', 53, 'TCP', 53],
    ]);
    // The address is allocated: nobody else gets it.
    const taken = await s.post('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'wants-dns-ip' },
      spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] },
    });
    assert.equal(taken.status, 422, taken.text);
  } finally {
    await s.close();
  }
});

test('the tenth address follows the service CIDR', async () => {
  const s = await startTestServer({ serviceCIDR: '10.100.8.0/22' });
  try {
    const r = await s.get(KUBE_DNS);
    assert.equal(at(r.body, 'spec.clusterIP'), '10.100.8.10');
  } finally {
    await s.close();
  }
});

test("a user's kube-dns is kept across restarts, and a deleted one comes back on the next start", async () => {
  const s = await startTestServer();
  try {
    const patched = await s.patch(KUBE_DNS, {
      metadata: { labels: { owner: 'me' } },
      spec: { selector: { app: 'coredns' } },
    });
    assert.equal(patched.status, 200, patched.text);
    await s.stop();
    const again = await startTestServer({ dir: s.dir });
    try {
      const kept = await again.get(KUBE_DNS);
      assert.equal(at(kept.body, 'metadata.labels.owner'), 'me');
      assert.deepEqual(at(kept.body, 'spec.selector'), { app: 'coredns' });
      assert.equal(
        at(kept.body, 'metadata.resourceVersion'),
        at(patched.body, 'metadata.resourceVersion'),
        'not rewritten',
      );
      assert.equal((await again.del(KUBE_DNS)).status, 200);
    } finally {
      await again.stop();
    }
    const third = await startTestServer({ dir: s.dir });
    try {
      const back = await third.get(KUBE_DNS);
      assert.equal(back.status, 200, back.text);
      assert.equal(at(back.body, 'spec.clusterIP'), '10.96.0.10');
      assert.equal(at(back.body, 'metadata.labels.owner'), undefined);
    } finally {
      await third.stop();
    }
  } finally {
    await s.close();
  }
});

test('no kube-dns is made while another Service holds its address', async () => {
  const s = await startTestServer();
  try {
    assert.equal((await s.del(KUBE_DNS)).status, 200);
    const other = await s.post('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'squatter' },
      spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] },
    });
    assert.equal(other.status, 201, other.text);
    await s.stop();
    const again = await startTestServer({ dir: s.dir });
    try {
      assert.equal((await again.get(KUBE_DNS)).status, 404);
      const squatter = await again.get('/api/v1/namespaces/default/services/squatter');
      assert.equal(at(squatter.body, 'spec.clusterIP'), '10.96.0.10');
    } finally {
      await again.stop();
    }
  } finally {
    await s.close();
  }
});
