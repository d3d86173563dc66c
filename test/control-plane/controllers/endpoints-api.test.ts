/**
 * The Endpoints controller against a real API server (in-process, real
 * SQLite store). The test plays the kubelet: it writes pod IPs and
 * readiness through pods/status.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Endpoints, Pod, Service } from '../../../control-plane/api/types.ts';
import { controller as endpointsController } from '../../../control-plane/controllers/endpoints.ts';
import { getIfExists } from '../../../control-plane/controllers/runtime/api-answers.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;

describe('Endpoints controller against the real API server', () => {
  const f = useControllerFixture((f) => f.startControllers([endpointsController]));

  async function createPod(ns: string, name: string, port: number): Promise<Pod> {
    return f.client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { app: 'web' } },
      spec: {
        nodeName: 'node-a',
        containers: [
          { name: 'c', image: 'example/web:1', ports: [{ name: 'http', containerPort: port }] },
        ],
      },
    } as Pod);
  }

  // What a kubelet reports: Running with an IP, Ready as told.
  async function report(ns: string, name: string, ip: string, ready: boolean): Promise<void> {
    const pod = await f.client.get<Pod>(PODS, name, { namespace: ns });
    const now = new Date().toISOString();
    await f.client.updateStatus(PODS, {
      ...pod,
      status: {
        ...pod.status,
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
      },
    });
  }

  const getEndpoints = (ns: string, name: string) =>
    getIfExists<Endpoints>(f.client, ENDPOINTS, name, { namespace: ns });
  const ips = (ep: Endpoints | undefined, field: 'addresses' | 'notReadyAddresses') =>
    (ep?.subsets ?? []).flatMap((s) => (s[field] ?? []).map((a) => a.ip)).sort();

  test('endpoints follow pod readiness; named ports resolve per pod; deletion removes them', async () => {
    const ns = await f.namespace('ep');
    await f.client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns, labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await eventually(
      'an empty Endpoints for the service',
      async () => (await getEndpoints(ns, 'web')) !== undefined,
    );
    assert.deepEqual((await getEndpoints(ns, 'web'))?.subsets ?? [], []);
    assert.deepEqual((await getEndpoints(ns, 'web'))?.metadata.labels, { tier: 'front' });

    await createPod(ns, 'web-1', 8080);
    await createPod(ns, 'web-2', 9090);
    await report(ns, 'web-1', '10.244.1.11', false);
    await report(ns, 'web-2', '10.244.1.12', false);
    await eventually(
      'both pods not ready',
      async () => ips(await getEndpoints(ns, 'web'), 'notReadyAddresses').length === 2,
    );

    await report(ns, 'web-1', '10.244.1.11', true);
    await eventually('web-1 ready', async () => {
      const ep = await getEndpoints(ns, 'web');
      return (
        ips(ep, 'addresses').join() === '10.244.1.11' &&
        ips(ep, 'notReadyAddresses').join() === '10.244.1.12'
      );
    });
    await report(ns, 'web-2', '10.244.1.12', true);
    await eventually(
      'both ready',
      async () => ips(await getEndpoints(ns, 'web'), 'addresses').length === 2,
    );
    const ep = await getEndpoints(ns, 'web');
    // Each pod's own container port behind the named target port: two port sets, two subsets.
    const byIp = new Map(
      (ep?.subsets ?? []).flatMap((s) =>
        (s.addresses ?? []).map((a) => [a.ip, s.ports?.[0]?.port]),
      ),
    );
    assert.equal(byIp.get('10.244.1.11'), 8080);
    assert.equal(byIp.get('10.244.1.12'), 9090);
    const target = ep?.subsets
      ?.flatMap((s) => s.addresses ?? [])
      .find((a) => a.ip === '10.244.1.11');
    assert.equal(target?.nodeName, 'node-a');
    assert.equal(target?.targetRef?.name, 'web-1');

    // A bound pod being deleted keeps running for its grace period, but leaves the endpoints at once.
    await f.client.delete(PODS, 'web-2', { namespace: ns });
    await eventually('the terminating pod gone from the endpoints', async () => {
      const e = await getEndpoints(ns, 'web');
      return (
        ips(e, 'addresses').join() === '10.244.1.11' && ips(e, 'notReadyAddresses').length === 0
      );
    });
  });

  test('writes only when something changed', async () => {
    const ns = await f.namespace('ep');
    await f.client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await createPod(ns, 'web-1', 8080);
    await report(ns, 'web-1', '10.244.2.11', true);
    await eventually(
      'the ready address',
      async () => ips(await getEndpoints(ns, 'web'), 'addresses').length === 1,
    );
    const rv = (await getEndpoints(ns, 'web'))?.metadata.resourceVersion;
    // Touch the service and the pod in ways that change no endpoint; then change one that does.
    const svc = await f.client.get<Service>(SERVICES, 'web', { namespace: ns });
    await f.client.update(SERVICES, {
      ...svc,
      metadata: { ...svc.metadata, annotations: { note: 'x' } },
    });
    const pod = await f.client.get<Pod>(PODS, 'web-1', { namespace: ns });
    await f.client.update(PODS, {
      ...pod,
      metadata: { ...pod.metadata, annotations: { note: 'y' } },
    });
    await createPod(ns, 'web-2', 8080);
    await report(ns, 'web-2', '10.244.2.12', true);
    await eventually(
      'the second address',
      async () => ips(await getEndpoints(ns, 'web'), 'addresses').length === 2,
    );
    // Every change of the Endpoints since `rv`: only the one adding web-2.
    const events: string[] = [];
    for await (const ev of f.client.watch<Endpoints>(ENDPOINTS, {
      namespace: ns,
      resourceVersion: rv,
      timeoutSeconds: 1,
    })) {
      if (ev.type !== 'BOOKMARK') events.push(ev.type);
    }
    assert.deepEqual(events, ['MODIFIED']);
  });

  test('selectorless services and the kubernetes Endpoints are left alone; deleting a service deletes its Endpoints', async () => {
    const ns = await f.namespace('ep');
    await f.client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'external', namespace: ns },
      spec: { ports: [{ port: 5432 }] },
    });
    const mine = await f.client.create<Endpoints>(ENDPOINTS, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external', namespace: ns },
      subsets: [{ addresses: [{ ip: '127.0.0.10' }], ports: [{ port: 5432 }] }],
    });
    const apiServer = await getEndpoints('default', 'kubernetes');
    await f.client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    await eventually(
      'the selector service to get Endpoints',
      async () => (await getEndpoints(ns, 'web')) !== undefined,
    );
    const external = await getEndpoints(ns, 'external');
    assert.equal(external?.metadata.resourceVersion, mine.metadata.resourceVersion);
    assert.equal(
      (await getEndpoints('default', 'kubernetes'))?.metadata.resourceVersion,
      apiServer?.metadata.resourceVersion,
    );

    await f.client.delete(SERVICES, 'web', { namespace: ns });
    await eventually(
      'the Endpoints to go with the service',
      async () => (await getEndpoints(ns, 'web')) === undefined,
    );
    // A deleted Endpoints of a live service is written again.
    await f.client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web2', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    await eventually(
      'Endpoints of web2',
      async () => (await getEndpoints(ns, 'web2')) !== undefined,
    );
    await f.client.delete(ENDPOINTS, 'web2', { namespace: ns });
    await eventually(
      'Endpoints of web2 back',
      async () => (await getEndpoints(ns, 'web2')) !== undefined,
    );
  });
});
