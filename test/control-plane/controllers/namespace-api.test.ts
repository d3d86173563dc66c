/**
 * The namespace controller against a real API server (in-process, real
 * SQLite store) and the real kubectl: `kubectl delete namespace` returns
 * once the namespace is emptied and gone, with conditions reporting what
 * held it meanwhile, and nothing of it is left.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  RESOURCES,
  findResource,
  type ResourceInfo,
} from '../../../control-plane/api/resources.ts';
import type { KubeObject, Namespace, Pod } from '../../../control-plane/api/types.ts';
import { controller as namespaceController } from '../../../control-plane/controllers/namespace.ts';
import { getIfExists } from '../../../control-plane/controllers/runtime/api-answers.ts';
import { eventually } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const r = (group: string, plural: string) => findResource(group, 'v1', plural) as ResourceInfo;
const NAMESPACES = r('', 'namespaces');
const PODS = r('', 'pods');
const CONFIGMAPS = r('', 'configmaps');
const HOLD = 'test.skiff.io/hold';

const container = { name: 'c', image: 'example/app:1' };
const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } };

// One object of (almost) every namespaced kind.
function content(ns: string): [ResourceInfo, KubeObject][] {
  const meta = (name: string, extra: object = {}) => ({ name, namespace: ns, ...extra });
  return [
    [
      CONFIGMAPS,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('plain'), data: { a: 'b' } },
    ],
    [
      CONFIGMAPS,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('held', { finalizers: [HOLD] }) },
    ],
    [
      r('', 'secrets'),
      { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), stringData: { k: 'v' } },
    ],
    [
      r('', 'services'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta('svc'),
        spec: { selector: { app: 'x' }, ports: [{ port: 80 }] },
      },
    ],
    [r('', 'endpoints'), { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('manual') }],
    [
      PODS,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta('unbound'),
        spec: { containers: [container] },
      },
    ],
    [
      PODS,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta('bound'),
        spec: { nodeName: 'node-x', containers: [container] },
      },
    ],
    [
      r('apps', 'deployments'),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta('d'),
        spec: { selector: { matchLabels: { app: 'x' } }, template },
      },
    ],
    [
      r('apps', 'replicasets'),
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: meta('rs'),
        spec: { selector: { matchLabels: { app: 'x' } }, template },
      },
    ],
    [
      r('apps', 'daemonsets'),
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: meta('ds'),
        spec: { selector: { matchLabels: { app: 'x' } }, template },
      },
    ],
    [
      r('batch', 'jobs'),
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta('j'),
        spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } } },
      },
    ],
    [
      r('coordination.k8s.io', 'leases'),
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: meta('l'),
        spec: { holderIdentity: 'x' },
      },
    ],
  ];
}

describe('namespace controller against the real API server and kubectl', () => {
  const f = useControllerFixture((f) => f.startControllers([namespaceController]));
  const getNs = (name: string) => getIfExists<Namespace>(f.client, NAMESPACES, name);
  const condition = (ns: Namespace | undefined, type: string) =>
    ns?.status?.conditions?.find((c) => c.type === type);

  test('an empty namespace is finalized and gone', async () => {
    await f.client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'empty' },
    });
    await f.api.kubectl('delete', 'namespace', 'empty', '--timeout=60s');
    assert.equal(await getNs('empty'), undefined);
  });

  test('kubectl delete namespace waits until everything in it is gone', async () => {
    const ns = 'doomed';
    await f.client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    for (const [res, obj] of content(ns)) await f.client.create(res, obj);
    const deleting = f.api.kubectl('delete', 'namespace', ns, '--timeout=90s');
    deleting.catch(() => undefined);

    // The bound pod waits for its kubelet; the held ConfigMap for its finalizer.
    await eventually('the namespace to report what remains', async () => {
      const remaining = condition(await getNs(ns), 'NamespaceContentRemaining');
      return (
        remaining?.status === 'True' &&
        /pods has 1 resource instances/.test(remaining.message ?? '')
      );
    });
    const held = condition(await getNs(ns), 'NamespaceFinalizersRemaining');
    assert.equal(held?.status, 'True');
    assert.match(held?.message ?? '', new RegExp(`${HOLD} in 1 resource instances`));
    assert.equal((await getNs(ns))?.status?.phase, 'Terminating');

    // Play the kubelet: the bound pod's containers stopped, confirm with a grace period of 0.
    const bound = await f.client.get<Pod>(PODS, 'bound', { namespace: ns });
    assert.ok(bound.metadata.deletionTimestamp);
    await f.client.delete(PODS, 'bound', { namespace: ns, gracePeriodSeconds: 0 });
    await f.client.patch(
      CONFIGMAPS,
      'held',
      { metadata: { finalizers: [] } },
      { type: 'merge', namespace: ns },
    );

    assert.match(await deleting, /namespace "doomed" deleted/);
    assert.equal(await getNs(ns), undefined);
    for (const res of RESOURCES.filter((x) => x.namespaced)) {
      const left = (await f.client.list(res, { namespace: ns })).items;
      assert.equal(left.length, 0, `${res.plural} left in ${ns}`);
    }
  });
});
