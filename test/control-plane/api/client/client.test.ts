import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { ApiClient } from '../../../../control-plane/api/client/client.ts';
import { TransportError } from '../../../../control-plane/api/client/transport.ts';
import { ApiError } from '../../../../control-plane/api/errors.ts';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type {
  ConfigMap,
  Deployment,
  KubeObject,
  Pod,
  WatchEvent,
} from '../../../../control-plane/api/types.ts';
import { ApiFixture } from './api-fixture.ts';

const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;

const NS = 'client-test';

const configMap = (name: string, data: Record<string, string> = {}, labels = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS, labels },
  data,
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] },
});

// Asserts that `p` rejects with an ApiError of this reason and HTTP code.
async function rejectsWith(p: Promise<unknown>, reason: string, code: number): Promise<ApiError> {
  let caught: unknown;
  await assert.rejects(p, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof ApiError, `expected an ApiError, got ${String(caught)}`);
  assert.equal(caught.reason, reason, caught.message);
  assert.equal(caught.code, code);
  return caught;
}

describe('ApiClient against the real API server', () => {
  let fx: ApiFixture;
  let client: ApiClient;
  before(async () => {
    fx = await ApiFixture.start();
    client = fx.client();
    await client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
  });
  after(() => fx?.destroy());

  test('create, get, update, stale update, delete', async () => {
    const created = await client.create(CONFIGMAPS, configMap('crud', { a: '1' }));
    assert.equal(created.metadata.name, 'crud');
    assert.ok(created.metadata.uid, 'server set a uid');
    assert.match(created.metadata.resourceVersion ?? '', /^\d+$/);

    const got = await client.get<ConfigMap>(CONFIGMAPS, 'crud', { namespace: NS });
    assert.deepEqual(got.data, { a: '1' });

    const updated = await client.update(CONFIGMAPS, { ...got, data: { a: '2' } });
    assert.deepEqual(updated.data, { a: '2' });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);

    // Writing the version read before the update again is a lost race.
    const stale = await rejectsWith(
      client.update(CONFIGMAPS, { ...got, data: { a: 'stale' } }),
      'Conflict',
      409,
    );
    assert.match(stale.message, /Operation cannot be fulfilled on configmaps "crud"/);

    await client.delete(CONFIGMAPS, 'crud', { namespace: NS });
    const gone = await rejectsWith(
      client.get(CONFIGMAPS, 'crud', { namespace: NS }),
      'NotFound',
      404,
    );
    assert.match(gone.message, /configmaps "crud" not found/);
  });

  test('create of an existing name is AlreadyExists; a bad name is Invalid with causes', async () => {
    await client.create(CONFIGMAPS, configMap('dup'));
    await rejectsWith(client.create(CONFIGMAPS, configMap('dup')), 'AlreadyExists', 409);
    const invalid = await rejectsWith(
      client.create(CONFIGMAPS, configMap('Not_A_Valid_Name')),
      'Invalid',
      422,
    );
    assert.ok(invalid.details?.causes?.some((c) => c.field === 'metadata.name'));
  });

  test('the namespace comes from the object, else the client default', async () => {
    const other = new ApiClient({ server: fx.url, namespace: NS });
    try {
      const { metadata, ...rest } = configMap('defaulted-ns');
      const noNs = { ...rest, metadata: { name: metadata.name } } as ConfigMap;
      const created = await other.create(CONFIGMAPS, noNs);
      assert.equal(created.metadata.namespace, NS);
      assert.equal((await other.get(CONFIGMAPS, 'defaulted-ns')).metadata.namespace, NS);
    } finally {
      other.close();
    }
  });

  test('patch: merge, JSON and strategic merge', async () => {
    await client.create(CONFIGMAPS, configMap('patched', { a: '1', b: '2' }));
    const merged = await client.patch<ConfigMap>(
      CONFIGMAPS,
      'patched',
      { data: { a: null, c: '3' } },
      { namespace: NS, type: 'merge' },
    );
    assert.deepEqual(merged.data, { b: '2', c: '3' });
    const jsonPatched = await client.patch<ConfigMap>(
      CONFIGMAPS,
      'patched',
      [{ op: 'replace', path: '/data/b', value: 'two' }],
      { namespace: NS, type: 'json' },
    );
    assert.deepEqual(jsonPatched.data, { b: 'two', c: '3' });
    await rejectsWith(
      client.patch(CONFIGMAPS, 'patched', [{ op: 'test', path: '/data/b', value: 'nope' }], {
        namespace: NS,
        type: 'json',
      }),
      'Invalid',
      422,
    );

    await client.create(PODS, pod('smp'));
    const smp = await client.patch<Pod>(
      PODS,
      'smp',
      { spec: { containers: [{ name: 'app', image: 'registry.local/app:2' }] } },
      { namespace: NS, type: 'strategic' },
    );
    assert.equal(smp.spec?.containers[0]?.image, 'registry.local/app:2');
  });

  test('list with selectors and pages; listAll follows continue at one resourceVersion', async () => {
    for (let i = 0; i < 12; i++) {
      const name = `page-${String(i).padStart(2, '0')}`;
      await client.create(CONFIGMAPS, configMap(name, {}, { set: 'paged', parity: String(i % 2) }));
    }
    const byMap = await client.list(CONFIGMAPS, { namespace: NS, labelSelector: { set: 'paged' } });
    assert.equal(byMap.items.length, 12);
    const odd = await client.list(CONFIGMAPS, {
      namespace: NS,
      labelSelector: 'set=paged,parity!=0',
    });
    assert.equal(odd.items.length, 6);
    const one = await client.list(CONFIGMAPS, {
      namespace: NS,
      fieldSelector: 'metadata.name=page-03',
    });
    assert.deepEqual(
      one.items.map((o) => o.metadata.name),
      ['page-03'],
    );

    const first = await client.list(CONFIGMAPS, {
      namespace: NS,
      labelSelector: 'set=paged',
      limit: 5,
    });
    assert.equal(first.items.length, 5);
    assert.ok(first.metadata.continue, 'a first page of 5 out of 12 has a continue token');

    const all = await client.listAll(CONFIGMAPS, {
      namespace: NS,
      labelSelector: 'set=paged',
      limit: 5,
    });
    assert.deepEqual(
      all.items.map((o) => o.metadata.name),
      byMap.items.map((o) => o.metadata.name),
    );
    assert.equal(all.metadata.continue, undefined);
    assert.ok(all.metadata.resourceVersion);

    await client.deleteCollection(CONFIGMAPS, { namespace: NS, labelSelector: 'parity=1' });
    const left = await client.list(CONFIGMAPS, { namespace: NS, labelSelector: 'set=paged' });
    assert.equal(left.items.length, 6);
    assert.ok(left.items.every((o) => o.metadata.labels?.parity === '0'));
  });

  test('status, binding and eviction subresources', async () => {
    const p = await client.create(PODS, pod('sub'));
    await client.bind({ name: 'sub', namespace: NS }, 'node-a');
    const bound = await client.get<Pod>(PODS, 'sub', { namespace: NS });
    assert.equal(bound.spec?.nodeName, 'node-a');

    const withStatus = await client.updateStatus<Pod>(PODS, {
      ...bound,
      spec: { ...bound.spec, containers: [{ name: 'app', image: 'ignored:9' }] },
      status: { ...bound.status, phase: 'Running', podIP: '10.244.0.9' },
    });
    assert.equal(withStatus.status?.phase, 'Running');
    assert.equal(withStatus.spec?.containers[0]?.image, p.spec?.containers[0]?.image);

    await client.evict({ name: 'sub', namespace: NS }, { gracePeriodSeconds: 0 });
    const evicted = await client.get<Pod>(PODS, 'sub', { namespace: NS }).catch((e: unknown) => e);
    assert.ok(
      (evicted instanceof ApiError && evicted.reason === 'NotFound') ||
        (!(evicted instanceof Error) && (evicted as Pod).metadata.deletionTimestamp),
      'the evicted pod is gone or terminating',
    );
  });

  test('scale subresource of a deployment', async () => {
    const labels = { app: 'scaled' };
    const d: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled', namespace: NS },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] },
        },
      },
    };
    await client.create(DEPLOYMENTS, d);
    const scale = await client.getScale(DEPLOYMENTS, 'scaled', { namespace: NS });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec?.replicas, 1);
    await client.updateScale(DEPLOYMENTS, { ...scale, spec: { replicas: 3 } });
    const scaled = await client.get<Deployment>(DEPLOYMENTS, 'scaled', { namespace: NS });
    assert.equal(scaled.spec?.replicas, 3);
  });

  test('watch: ADDED, MODIFIED, DELETED in resourceVersion order, ended by abort', async () => {
    const start = await client.list(CONFIGMAPS, { namespace: NS });
    const ac = new AbortController();
    const seen: WatchEvent<KubeObject>[] = [];
    const reading = (async () => {
      for await (const ev of client.watch(CONFIGMAPS, {
        namespace: NS,
        resourceVersion: start.metadata.resourceVersion,
        fieldSelector: 'metadata.name=watched',
        signal: ac.signal,
      })) {
        seen.push(ev);
        if (ev.type === 'DELETED') ac.abort();
      }
    })();
    const c = await client.create(CONFIGMAPS, configMap('watched', { v: '1' }));
    await client.update(CONFIGMAPS, { ...c, data: { v: '2' } });
    await client.delete(CONFIGMAPS, 'watched', { namespace: NS });
    await reading; // ends normally on abort
    assert.deepEqual(
      seen.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    const rvs = seen.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(
      [...rvs].sort((a, b) => a - b),
      rvs,
    );
    assert.deepEqual((seen[1]?.object as ConfigMap).data, { v: '2' });
  });

  test('watch with timeoutSeconds ends normally when the server closes it', async () => {
    const events: string[] = [];
    for await (const ev of client.watch(CONFIGMAPS, {
      namespace: NS,
      fieldSelector: 'metadata.name=nothing-here',
      timeoutSeconds: 1,
    })) {
      events.push(ev.type);
    }
    assert.ok(events.every((t) => t === 'BOOKMARK'));
  });

  test('a silent watch ends with an IdleTimeout TransportError', async () => {
    const silent = (async () => {
      for await (const ev of client.watch(CONFIGMAPS, {
        namespace: NS,
        fieldSelector: 'metadata.name=never-written',
        idleTimeoutMs: 300,
      })) {
        assert.fail(`expected silence, got a ${ev.type} event`);
      }
    })();
    await assert.rejects(silent, (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.code, 'IdleTimeout');
      return true;
    });
    // The client's kept-alive connections still work afterwards.
    assert.ok((await client.list(CONFIGMAPS, { namespace: NS })).items);
  });

  // The server keeps recent events in memory (as Kubernetes' watch cache
  // does), so a restart after compaction is what makes an old version unservable.
  test('watch from a compacted resourceVersion fails 410', async () => {
    const old = (await client.create(CONFIGMAPS, configMap('before-compaction'))).metadata
      .resourceVersion;
    await client.delete(CONFIGMAPS, 'before-compaction', { namespace: NS });
    await fx.compact();
    await fx.restart();
    const watching = (async () => {
      for await (const ev of client.watch(CONFIGMAPS, { namespace: NS, resourceVersion: old })) {
        assert.fail(`expected 410, got a ${ev.type} event`);
      }
    })();
    await assert.rejects(watching, (err: unknown) => err instanceof ApiError && err.code === 410);
  });

  test('raw request, warnings, and a kubeconfig client', async () => {
    const versions = await client.request<{ kind: string; versions: string[] }>({
      method: 'GET',
      path: '/api',
    });
    assert.equal(versions.kind, 'APIVersions');
    assert.deepEqual(versions.versions, ['v1']);

    const warnings: string[] = [];
    const warned = new ApiClient({ server: fx.url, onWarning: (w) => warnings.push(w) });
    const kubeconfig = join(fx.dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'test',
        clusters: [{ name: 'c', cluster: { server: fx.url } }],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'test', context: { cluster: 'c', user: 'u', namespace: NS } }],
      }),
    );
    const fromFile = ApiClient.fromKubeconfig(kubeconfig);
    try {
      await warned.create(CONFIGMAPS, { ...configMap('warned'), bogus: 1 } as ConfigMap, {
        fieldValidation: 'Warn',
      });
      assert.ok(
        warnings.some((w) => w.includes('unknown field "bogus"')),
        String(warnings),
      );
      assert.equal(fromFile.namespace, NS);
      assert.equal((await fromFile.get(CONFIGMAPS, 'warned')).metadata.name, 'warned');
    } finally {
      warned.close();
      fromFile.close();
    }
  });

  test('no server: a TransportError naming the URL', async () => {
    const dead = new ApiClient({ server: 'http://127.0.0.1:1', timeoutMs: 5_000 });
    try {
      await assert.rejects(dead.list(CONFIGMAPS), (err: unknown) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.code, 'ECONNREFUSED');
        assert.match(err.message, /GET http:\/\/127\.0\.0\.1:1\/api\/v1\/configmaps failed/);
        return true;
      });
    } finally {
      dead.close();
    }
  });
});
