/**
 * Service ClusterIP and NodePort allocation: the `kubernetes` service on the
 * first address, requested values honoured or refused with 422, no double
 * allocation under concurrent creates, allocations surviving a restart,
 * released on delete and on type changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, arr, obj } from './support/json.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const SVCS = '/api/v1/namespaces/default/services';

function svc(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { ports: [{ port: 80 }], ...spec },
  };
}

function inServiceRange(ip: unknown): boolean {
  const m = /^10\.96\.(\d+)\.(\d+)$/.exec(String(ip));
  return m !== null && !(m[1] === '0' && m[2] === '0') && !(m[1] === '255' && m[2] === '255');
}

describe('service allocation', () => {
  it('the kubernetes service has the first address, port 443 → the API server, and endpoints', async () => {
    const k = await s.get(`${SVCS}/kubernetes`);
    assert.equal(at(k.body, 'spec.clusterIP'), '10.96.0.1');
    assert.equal(at(k.body, 'spec.ports[0].name'), 'https');
    assert.equal(at(k.body, 'spec.ports[0].port'), 443);
    const port = Number(new URL(s.url).port);
    assert.equal(at(k.body, 'spec.ports[0].targetPort'), port);
    const ep = await s.get('/api/v1/namespaces/default/endpoints/kubernetes');
    assert.equal(at(ep.body, 'subsets[0].addresses[0].ip'), '127.0.0.1');
    assert.equal(at(ep.body, 'subsets[0].ports[0].port'), port);
  });

  it('50 concurrent creates get 50 distinct ClusterIPs and NodePorts in range', async () => {
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.post(SVCS, svc(`conc-${i}`, { type: 'NodePort' }))),
    );
    for (const r of replies) assert.equal(r.status, 201, r.text);
    const ips = replies.map((r) => at(r.body, 'spec.clusterIP'));
    const ports = replies.map((r) => Number(at(r.body, 'spec.ports[0].nodePort')));
    assert.equal(new Set(ips).size, 50);
    assert.equal(new Set(ports).size, 50);
    assert.ok(ips.every(inServiceRange), JSON.stringify(ips));
    assert.ok(ports.every((p) => p >= 30000 && p <= 32767));
    // Dynamic values stay out of the static bands kept for requests
    // (10.96.0.0/24 and 30000-30085), as in Kubernetes.
    assert.ok(
      ips.every((ip) => !String(ip).startsWith('10.96.0.')),
      JSON.stringify(ips),
    );
    assert.ok(
      ports.every((p) => p >= 30086),
      JSON.stringify(ports),
    );
    assert.ok(
      replies.every((r) => at(r.body, 'spec.clusterIPs[0]') === at(r.body, 'spec.clusterIP')),
    );
  });

  it('a requested ClusterIP is honoured; taken or out of range is 422 naming spec.clusterIPs', async () => {
    const ok = await s.post(SVCS, svc('want-ip', { clusterIP: '10.96.0.11' }));
    assert.equal(ok.status, 201, ok.text);
    assert.equal(at(ok.body, 'spec.clusterIP'), '10.96.0.11');
    const taken = await s.post(SVCS, svc('want-ip-2', { clusterIP: '10.96.0.11' }));
    assert.equal(taken.status, 422);
    assert.equal(at(taken.body, 'details.causes[0].field'), 'spec.clusterIPs');
    assert.match(String(at(taken.body, 'message')), /provided IP is already allocated/);
    const outside = await s.post(SVCS, svc('want-ip-3', { clusterIP: '10.0.0.5' }));
    assert.equal(outside.status, 422);
    assert.equal(at(outside.body, 'details.causes[0].field'), 'spec.clusterIPs');
    assert.match(
      String(at(outside.body, 'message')),
      /not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/16/,
    );
  });

  it('headless services get None; ExternalName services get no address', async () => {
    const headless = await s.post(SVCS, svc('headless', { clusterIP: 'None' }));
    assert.equal(at(headless.body, 'spec.clusterIP'), 'None');
    const ext = await s.post(SVCS, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'example.org' },
    });
    assert.equal(ext.status, 201, ext.text);
    assert.equal(at(ext.body, 'spec.clusterIP'), undefined);
  });

  it('a requested NodePort is honoured; taken or out of range is 422 naming the port', async () => {
    const ok = await s.post(
      SVCS,
      svc('np-1', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    );
    assert.equal(ok.status, 201, ok.text);
    assert.equal(at(ok.body, 'spec.ports[0].nodePort'), 30080);
    const taken = await s.post(
      SVCS,
      svc('np-2', { type: 'NodePort', ports: [{ port: 81, nodePort: 30080 }] }),
    );
    assert.equal(taken.status, 422);
    assert.equal(at(taken.body, 'details.causes[0].field'), 'spec.ports[0].nodePort');
    const outside = await s.post(
      SVCS,
      svc('np-3', { type: 'NodePort', ports: [{ port: 81, nodePort: 40000 }] }),
    );
    assert.equal(outside.status, 422);
    assert.match(String(at(outside.body, 'message')), /The range of valid ports is 30000-32767/);
    assert.equal((await s.get(`${SVCS}/np-2`)).status, 404, 'nothing stored on failure');
  });

  it('a failed create releases what it took (no leak)', async () => {
    const r = await s.post(
      SVCS,
      svc('leak', {
        clusterIP: '10.96.0.20',
        type: 'NodePort',
        ports: [{ port: 80, nodePort: 30080 }],
      }),
    );
    assert.equal(r.status, 422);
    const again = await s.post(SVCS, svc('leak-ok', { clusterIP: '10.96.0.20' }));
    assert.equal(again.status, 201, again.text);
  });

  it('delete releases the ClusterIP and NodePorts', async () => {
    const first = await s.post(
      SVCS,
      svc('rel', {
        clusterIP: '10.96.0.30',
        type: 'NodePort',
        ports: [{ port: 80, nodePort: 30030 }],
      }),
    );
    assert.equal(first.status, 201, first.text);
    assert.equal((await s.del(`${SVCS}/rel`)).status, 200);
    const reuse = await s.post(
      SVCS,
      svc('rel2', {
        clusterIP: '10.96.0.30',
        type: 'NodePort',
        ports: [{ port: 80, nodePort: 30030 }],
      }),
    );
    assert.equal(reuse.status, 201, reuse.text);
  });

  it('updates keep the allocated values; type changes allocate and release NodePorts', async () => {
    const c = await s.post(SVCS, svc('change', { type: 'NodePort' }));
    const ip = at(c.body, 'spec.clusterIP');
    const port = Number(at(c.body, 'spec.ports[0].nodePort'));
    const body = obj(c.body);
    const spec = obj(body.spec);
    delete spec.clusterIP;
    delete spec.clusterIPs;
    spec.ports = [{ port: 80 }];
    const put = await s.put(`${SVCS}/change`, { ...body, spec });
    assert.equal(put.status, 200, put.text);
    assert.equal(at(put.body, 'spec.clusterIP'), ip);
    assert.equal(at(put.body, 'spec.ports[0].nodePort'), port);
    const toClusterIP = await s.patch(
      `${SVCS}/change`,
      {
        spec: {
          type: 'ClusterIP',
          externalTrafficPolicy: null,
          ports: [{ port: 80, nodePort: null }],
        },
      },
      'application/merge-patch+json',
    );
    assert.equal(toClusterIP.status, 200, toClusterIP.text);
    assert.equal(at(toClusterIP.body, 'spec.ports[0].nodePort'), undefined);
    const reuse = await s.post(
      SVCS,
      svc('take-port', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }),
    );
    assert.equal(reuse.status, 201, `the NodePort was released: ${reuse.text}`);
    const immutable = await s.patch(`${SVCS}/change`, {
      spec: { clusterIP: '10.96.0.40', clusterIPs: ['10.96.0.40'] },
    });
    assert.equal(immutable.status, 422);
  });

  it('allocations survive a restart, and the bitmaps are repaired from the services', async () => {
    const before = await s.get(SVCS);
    const held = new Set(arr(before.body, 'items').map((i) => at(i, 'spec.clusterIP')));
    await s.stop();
    // A crash may lose the bitmap write: the repair at start rebuilds it from the services.
    const restart = await startTestServer({ dir: s.dir });
    try {
      await restart.store.delete('/registry/ranges/serviceips').catch(() => undefined);
      await restart.stop();
      const again = await startTestServer({ dir: s.dir });
      try {
        const taken = await again.post(SVCS, svc('after-restart', { clusterIP: '10.96.0.11' }));
        assert.equal(taken.status, 422, 'an address held before the restart stays taken');
        const fresh = await Promise.all(
          Array.from({ length: 20 }, (_, i) => again.post(SVCS, svc(`post-${i}`))),
        );
        for (const r of fresh) {
          assert.equal(r.status, 201, r.text);
          assert.ok(!held.has(at(r.body, 'spec.clusterIP')), 'no address handed out twice');
        }
      } finally {
        await again.stop();
      }
    } finally {
      await restart.stop();
    }
  });
});

describe('service allocation in a small range', () => {
  it('answers 422 when the addresses or the node ports run out', async () => {
    const small = await startTestServer({
      serviceCIDR: '10.97.0.0/28',
      nodePortRange: '30000-30001',
    });
    try {
      const k = await small.get(`${SVCS}/kubernetes`);
      assert.equal(at(k.body, 'spec.clusterIP'), '10.97.0.1');
      const np: number[] = [];
      for (let i = 0; i < 3; i++)
        np.push((await small.post(SVCS, svc(`np${i}`, { type: 'NodePort' }))).status);
      assert.deepEqual(np, [201, 201, 422]);
      // 14 addresses: kubernetes, kube-dns and the two NodePort services hold 4 (the failed one
      // released its own).
      const ips: number[] = [];
      for (let i = 0; i < 11; i++) ips.push((await small.post(SVCS, svc(`s${i}`))).status);
      assert.deepEqual(ips, [...Array(10).fill(201), 422]);
    } finally {
      await small.close();
    }
  });
});
