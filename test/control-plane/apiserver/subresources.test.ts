/**
 * Subresources: pods/binding, pods/eviction, pods/log, the scale
 * subresource of Deployments and ReplicaSets, and namespaces/finalize
 * (in delete.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, arr } from './support/json.ts';
import { pod, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const PODS = '/api/v1/namespaces/default/pods';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';

function binding(podName: string, node: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: podName },
    target: node === undefined ? {} : { kind: 'Node', name: node },
  };
}

describe('pods/binding', () => {
  it('binds once: sets spec.nodeName and PodScheduled, then 409 for a second binding', async () => {
    await s.post(PODS, pod('to-bind'));
    const r = await s.post(`${PODS}/to-bind/binding`, binding('to-bind', 'node-a'));
    assert.equal(r.status, 201, r.text);
    assert.equal(at(r.body, 'status'), 'Success');
    const p = await s.get(`${PODS}/to-bind`);
    assert.equal(at(p.body, 'spec.nodeName'), 'node-a');
    const scheduled = arr(p.body, 'status.conditions').find(
      (c) => at(c, 'type') === 'PodScheduled',
    );
    assert.equal(at(scheduled, 'status'), 'True');
    const again = await s.post(`${PODS}/to-bind/binding`, binding('to-bind', 'node-b'));
    assert.equal(again.status, 409);
    assert.equal(
      at(again.body, 'message'),
      'Operation cannot be fulfilled on pods/binding "to-bind": pod to-bind is already assigned to node "node-a"',
    );
  });

  it('refuses a binding without a target (422) or for a missing pod (404)', async () => {
    await s.post(PODS, pod('no-target'));
    assert.equal(
      (await s.post(`${PODS}/no-target/binding`, binding('no-target', undefined))).status,
      422,
    );
    assert.equal((await s.post(`${PODS}/missing/binding`, binding('missing', 'n'))).status, 404);
  });
});

describe('pods/eviction', () => {
  it('evicting a bound pod deletes it gracefully; an unbound one goes at once', async () => {
    await s.post(PODS, pod('evict-bound', { nodeName: 'node-a' }));
    await s.post(PODS, pod('evict-unbound'));
    const eviction = (name: string) => ({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace: 'default' },
    });
    const r = await s.post(`${PODS}/evict-bound/eviction`, eviction('evict-bound'));
    assert.equal(r.status, 201, r.text);
    const p = await s.get(`${PODS}/evict-bound`);
    assert.equal(at(p.body, 'metadata.deletionGracePeriodSeconds'), 30);
    assert.equal(
      (await s.post(`${PODS}/evict-unbound/eviction`, eviction('evict-unbound'))).status,
      201,
    );
    assert.equal((await s.get(`${PODS}/evict-unbound`)).status, 404);
    const withOptions = { ...eviction('evict-bound'), deleteOptions: { gracePeriodSeconds: 0 } };
    assert.equal((await s.post(`${PODS}/evict-bound/eviction`, withOptions)).status, 201);
    assert.equal((await s.get(`${PODS}/evict-bound`)).status, 404);
    assert.equal(
      (await s.post(`${PODS}/evict-bound/eviction`, eviction('evict-bound'))).status,
      404,
    );
  });
});

describe('pods/log', () => {
  it('answers a clear Status until the kubelet API exists', async () => {
    await s.post(PODS, pod('log-unbound'));
    const unbound = await s.get(`${PODS}/log-unbound/log`);
    assert.equal(unbound.status, 400);
    assert.match(String(at(unbound.body, 'message')), /is waiting to start/);
    await s.post(PODS, pod('log-bound', { nodeName: 'node-x' }));
    const bound = await s.get(`${PODS}/log-bound/log`);
    assert.equal(bound.status, 503);
    assert.match(
      String(at(bound.body, 'message')),
      /kubelet API of node "node-x" is not reachable yet/,
    );
    const p = pod('log-two');
    await s.post(PODS, {
      ...p,
      spec: { containers: [...p.spec.containers, { name: 'd', image: 'busybox:1.36' }] },
    });
    const two = await s.get(`${PODS}/log-two/log`);
    assert.equal(two.status, 400);
    assert.equal(
      at(two.body, 'message'),
      'a container name must be specified for pod log-two, choose one of: [c d]',
    );
    assert.equal((await s.get(`${PODS}/log-two/log?container=zz`)).status, 400);
  });
});

describe('scale', () => {
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'scaled' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web', tier: 'fe' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'fe' } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
    },
  };

  it('GET answers an autoscaling/v1 Scale with the selector as a string', async () => {
    await s.post(DEPLOYS, deploy);
    const r = await s.get(`${DEPLOYS}/scaled/scale`);
    assert.equal(r.status, 200);
    assert.equal(at(r.body, 'kind'), 'Scale');
    assert.equal(at(r.body, 'apiVersion'), 'autoscaling/v1');
    assert.equal(at(r.body, 'spec.replicas'), 2);
    assert.equal(at(r.body, 'status.replicas'), 0);
    assert.equal(at(r.body, 'status.selector'), 'app=web,tier=fe');
  });

  it('PUT and PATCH change spec.replicas (and generation); bad values are 422, stale ones 409', async () => {
    const current = await s.get(`${DEPLOYS}/scaled/scale`);
    const put = await s.put(`${DEPLOYS}/scaled/scale`, {
      ...(current.body as object),
      spec: { replicas: 5 },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(at(put.body, 'spec.replicas'), 5);
    const d = await s.get(`${DEPLOYS}/scaled`);
    assert.equal(at(d.body, 'spec.replicas'), 5);
    assert.equal(at(d.body, 'metadata.generation'), 2);
    const patched = await s.patch(`${DEPLOYS}/scaled/scale`, { spec: { replicas: 1 } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(at(patched.body, 'spec.replicas'), 1);
    const smp = await s.patch(
      `${DEPLOYS}/scaled/scale`,
      { spec: { replicas: 3 } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(at(smp.body, 'spec.replicas'), 3);
    const negative = await s.patch(`${DEPLOYS}/scaled/scale`, { spec: { replicas: -1 } });
    assert.equal(negative.status, 422);
    assert.equal(at(negative.body, 'details.causes[0].field'), 'spec.replicas');
    const stale = await s.put(`${DEPLOYS}/scaled/scale`, {
      ...(current.body as object),
      spec: { replicas: 4 },
    });
    assert.equal(stale.status, 409);
  });

  it('ReplicaSets have the scale subresource too; other kinds do not (404)', async () => {
    const rs = await s.post('/apis/apps/v1/namespaces/default/replicasets', {
      ...deploy,
      kind: 'ReplicaSet',
      metadata: { name: 'rs-scaled' },
    });
    assert.equal(rs.status, 201, rs.text);
    const r = await s.patch('/apis/apps/v1/namespaces/default/replicasets/rs-scaled/scale', {
      spec: { replicas: 7 },
    });
    assert.equal(at(r.body, 'spec.replicas'), 7);
    assert.equal((await s.get('/apis/apps/v1/namespaces/default/daemonsets/x/scale')).status, 404);
  });
});
