/**
 * Object mechanics over real HTTP and a real SQLite store: CRUD for every
 * kind, server-owned metadata, generateName, optimistic concurrency, the
 * status/spec split, generation, namespace lifecycle, dry run and
 * fieldValidation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, arr, names, obj } from './support/json.ts';
import { configMap, pod, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const podTemplate = {
  metadata: { labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
};

/** One valid object per kind, with the path of its collection. */
const KINDS: { path: string; body: Record<string, unknown>; change: Record<string, unknown> }[] = [
  {
    path: '/api/v1/namespaces/default/pods',
    body: pod('crud-pod'),
    change: { metadata: { labels: { a: 'b' } } },
  },
  {
    path: '/api/v1/namespaces/default/services',
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'crud-svc' },
      spec: { ports: [{ port: 80 }], selector: { app: 'x' } },
    },
    change: { spec: { selector: { app: 'y' } } },
  },
  {
    path: '/api/v1/namespaces/default/endpoints',
    body: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'crud-ep' },
      subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }],
    },
    change: { metadata: { labels: { a: 'b' } } },
  },
  {
    path: '/api/v1/nodes',
    body: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'crud-node' },
      spec: { podCIDR: '10.244.1.0/24' },
    },
    change: { spec: { unschedulable: true } },
  },
  {
    path: '/api/v1/namespaces/default/events',
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'crud-ev' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Started',
      message: 'started',
      type: 'Normal',
    },
    change: { message: 'again' },
  },
  {
    path: '/api/v1/namespaces/default/configmaps',
    body: configMap('crud-cm', { a: '1' }),
    change: { data: { a: '2' } },
  },
  {
    path: '/api/v1/namespaces/default/secrets',
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'crud-secret' },
      stringData: { pw: 'x' },
    },
    change: { metadata: { labels: { a: 'b' } } },
  },
  {
    path: '/api/v1/namespaces/default/serviceaccounts',
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'crud-sa' } },
    change: { metadata: { labels: { a: 'b' } } },
  },
  {
    path: '/apis/apps/v1/namespaces/default/deployments',
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'crud-deploy' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate },
    },
    change: { spec: { replicas: 3 } },
  },
  {
    path: '/apis/apps/v1/namespaces/default/replicasets',
    body: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'crud-rs' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate },
    },
    change: { spec: { replicas: 2 } },
  },
  {
    path: '/apis/apps/v1/namespaces/default/daemonsets',
    body: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'crud-ds' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate },
    },
    change: { spec: { minReadySeconds: 5 } },
  },
  {
    path: '/apis/batch/v1/namespaces/default/jobs',
    body: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'crud-job' },
      spec: {
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] },
        },
      },
    },
    change: { spec: { backoffLimit: 2 } },
  },
  {
    path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    body: {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'crud-lease' },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 },
    },
    change: { spec: { holderIdentity: 'n2' } },
  },
  {
    path: '/api/v1/namespaces',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crud-ns' } },
    change: { metadata: { labels: { team: 'a' } } },
  },
];

describe('CRUD per kind', () => {
  for (const k of KINDS) {
    const name = String(at(k.body, 'metadata.name'));
    it(`${at(k.body, 'kind')}: create, get, list, update, patch, delete`, async () => {
      const created = await s.post(k.path, k.body);
      assert.equal(created.status, 201, created.text);
      const rv = String(at(created.body, 'metadata.resourceVersion'));
      assert.match(rv, /^\d+$/);
      assert.match(String(at(created.body, 'metadata.uid')), /^[0-9a-f-]{36}$/);
      assert.match(
        String(at(created.body, 'metadata.creationTimestamp')),
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      assert.equal(at(created.body, 'metadata.generation'), 1);

      const got = await s.get(`${k.path}/${name}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, created.body);

      const list = await s.get(k.path);
      assert.equal(list.status, 200);
      assert.equal(at(list.body, 'kind'), `${String(at(k.body, 'kind'))}List`);
      assert.ok(names(list.body).includes(name));
      assert.ok(Number(at(list.body, 'metadata.resourceVersion')) >= Number(rv));

      const replaced = await s.put(`${k.path}/${name}`, {
        ...obj(got.body),
        metadata: { ...obj(at(got.body, 'metadata')), annotations: { note: 'put' } },
      });
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(at(replaced.body, 'metadata.annotations.note'), 'put');
      assert.ok(Number(at(replaced.body, 'metadata.resourceVersion')) > Number(rv));
      assert.equal(at(replaced.body, 'metadata.uid'), at(created.body, 'metadata.uid'));

      const patched = await s.patch(`${k.path}/${name}`, k.change);
      assert.equal(patched.status, 200, patched.text);

      const deleted = await s.del(`${k.path}/${name}`);
      assert.equal(deleted.status, 200, deleted.text);
      if (k.path.endsWith('/namespaces')) return; // namespaces stay Terminating (see delete.test.ts)
      const gone = await s.get(`${k.path}/${name}`);
      assert.equal(gone.status, 404);
      assert.equal(at(gone.body, 'reason'), 'NotFound');
    });
  }
});

describe('object mechanics', () => {
  it('generateName gives a name with a 5-character suffix, different each time', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await s.post('/api/v1/namespaces/default/configmaps', {
        metadata: { generateName: 'gen-' },
        data: {},
      });
      assert.equal(r.status, 201, r.text);
      made.add(String(at(r.body, 'metadata.name')));
    }
    assert.equal(made.size, 5);
    for (const n of made) assert.match(n, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('fills apiVersion and kind from the endpoint and rejects another kind with 400', async () => {
    const ok = await s.post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'typeless' },
    });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(at(ok.body, 'kind'), 'ConfigMap');
    const bad = await s.post('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
    });
    assert.equal(bad.status, 400);
  });

  it('answers 409 AlreadyExists for a duplicate name', async () => {
    await s.post('/api/v1/namespaces/default/configmaps', configMap('dup'));
    const r = await s.post('/api/v1/namespaces/default/configmaps', configMap('dup'));
    assert.equal(r.status, 409);
    assert.equal(at(r.body, 'reason'), 'AlreadyExists');
    assert.equal(at(r.body, 'message'), 'configmaps "dup" already exists');
  });

  it('answers 409 Conflict for an update with a stale resourceVersion; none means unconditional', async () => {
    const c = await s.post('/api/v1/namespaces/default/configmaps', configMap('occ', { v: '1' }));
    const first = await s.put('/api/v1/namespaces/default/configmaps/occ', {
      ...obj(c.body),
      data: { v: '2' },
    });
    assert.equal(first.status, 200);
    const stale = await s.put('/api/v1/namespaces/default/configmaps/occ', {
      ...obj(c.body),
      data: { v: '3' },
    });
    assert.equal(stale.status, 409);
    assert.equal(at(stale.body, 'reason'), 'Conflict');
    assert.equal(
      at(stale.body, 'message'),
      'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
    );
    const unconditional = await s.put('/api/v1/namespaces/default/configmaps/occ', {
      ...configMap('occ', { v: '4' }),
    });
    assert.equal(unconditional.status, 200, unconditional.text);
    assert.equal(at(unconditional.body, 'data.v'), '4');
  });

  it('a patch carrying a stale resourceVersion is a 409; without it a patch applies to the newest', async () => {
    const c = await s.post(
      '/api/v1/namespaces/default/configmaps',
      configMap('patchocc', { v: '1' }),
    );
    await s.patch('/api/v1/namespaces/default/configmaps/patchocc', { data: { v: '2' } });
    const stale = await s.patch('/api/v1/namespaces/default/configmaps/patchocc', {
      metadata: { resourceVersion: at(c.body, 'metadata.resourceVersion') },
      data: { v: '3' },
    });
    assert.equal(stale.status, 409);
    const jsonPatch = await s.patch(
      '/api/v1/namespaces/default/configmaps/patchocc',
      [{ op: 'add', path: '/data/w', value: 'x' }],
      'application/json-patch+json',
    );
    assert.equal(jsonPatch.status, 200, jsonPatch.text);
    assert.deepEqual(at(jsonPatch.body, 'data'), { v: '2', w: 'x' });
  });

  it('a no-op update writes nothing (same resourceVersion)', async () => {
    const c = await s.post('/api/v1/namespaces/default/configmaps', configMap('noop', { v: '1' }));
    const again = await s.put('/api/v1/namespaces/default/configmaps/noop', c.body);
    assert.equal(again.status, 200);
    assert.equal(
      at(again.body, 'metadata.resourceVersion'),
      at(c.body, 'metadata.resourceVersion'),
    );
  });

  it('the name in the body must match the URL (400)', async () => {
    await s.post('/api/v1/namespaces/default/configmaps', configMap('named'));
    const r = await s.put('/api/v1/namespaces/default/configmaps/named', configMap('other'));
    assert.equal(r.status, 400);
    assert.match(String(at(r.body, 'message')), /does not match the name on the URL/);
  });

  it('spec changes bump generation; metadata and status changes do not', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const d = await s.post(path, {
      metadata: { name: 'gen' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate },
    });
    assert.equal(d.status, 201, d.text);
    const labelled = await s.patch(`${path}/gen`, { metadata: { labels: { a: 'b' } } });
    assert.equal(at(labelled.body, 'metadata.generation'), 1);
    const status = await s.patch(`${path}/gen/status`, {
      status: { observedGeneration: 1, replicas: 1 },
    });
    assert.equal(status.status, 200, status.text);
    assert.equal(at(status.body, 'metadata.generation'), 1);
    const scaled = await s.patch(`${path}/gen`, { spec: { replicas: 4 } });
    assert.equal(at(scaled.body, 'metadata.generation'), 2);
  });

  it('writes to the main resource ignore status; writes to /status ignore the spec', async () => {
    const path = '/api/v1/namespaces/default/pods';
    const p = await s.post(path, { ...pod('split'), status: { phase: 'Running' } });
    assert.equal(at(p.body, 'status.phase'), 'Pending', 'a create cannot set status');
    const main = await s.patch(`${path}/split`, {
      metadata: { labels: { a: 'b' } },
      status: { phase: 'Failed' },
    });
    assert.equal(at(main.body, 'status.phase'), 'Pending');
    assert.equal(at(main.body, 'metadata.labels.a'), 'b');
    const st = await s.patch(`${path}/split/status`, {
      metadata: { labels: { c: 'd' } },
      spec: { activeDeadlineSeconds: 5 },
      status: { phase: 'Running', podIP: '10.244.0.9' },
    });
    assert.equal(st.status, 200, st.text);
    assert.equal(at(st.body, 'status.phase'), 'Running');
    assert.equal(at(st.body, 'status.podIP'), '10.244.0.9');
    assert.equal(
      at(st.body, 'spec.activeDeadlineSeconds'),
      undefined,
      'status writes keep the spec',
    );
    assert.equal(at(st.body, 'metadata.labels.c'), 'd', 'status writes may change labels');
    const got = await s.get(`${path}/split/status`);
    assert.equal(at(got.body, 'status.phase'), 'Running');
  });

  it('applies defaults (pod restartPolicy, service type, deployment strategy)', async () => {
    const p = await s.post('/api/v1/namespaces/default/pods', pod('defaults'));
    assert.equal(at(p.body, 'spec.restartPolicy'), 'Always');
    assert.equal(at(p.body, 'spec.containers[0].imagePullPolicy'), 'IfNotPresent');
    assert.equal(at(p.body, 'status.qosClass'), 'BestEffort');
  });

  it('creating in a missing namespace is 404 NotFound namespaces "x"', async () => {
    const r = await s.post('/api/v1/namespaces/nowhere/configmaps', configMap('x'));
    assert.equal(r.status, 404);
    assert.equal(at(r.body, 'message'), 'namespaces "nowhere" not found');
  });

  it('creating in a terminating namespace is 403 Forbidden', async () => {
    assert.equal(
      (await s.post('/api/v1/namespaces', { metadata: { name: 'doomed' } })).status,
      201,
    );
    assert.equal((await s.del('/api/v1/namespaces/doomed')).status, 200);
    const r = await s.post('/api/v1/namespaces/doomed/configmaps', configMap('x'));
    assert.equal(r.status, 403);
    assert.equal(
      at(r.body, 'message'),
      'configmaps "x" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    assert.equal(at(r.body, 'details.causes[0].reason'), 'NamespaceTerminating');
  });

  it('a new namespace gets a default ServiceAccount and the name label', async () => {
    const ns = await s.post('/api/v1/namespaces', { metadata: { name: 'fresh' } });
    assert.equal(obj(at(ns.body, 'metadata.labels'))['kubernetes.io/metadata.name'], 'fresh');
    assert.deepEqual(at(ns.body, 'spec.finalizers'), ['kubernetes']);
    assert.equal(at(ns.body, 'status.phase'), 'Active');
    const sa = await s.get('/api/v1/namespaces/fresh/serviceaccounts/default');
    assert.equal(sa.status, 200);
  });

  it('dryRun=All validates and answers without storing', async () => {
    const r = await s.post('/api/v1/namespaces/default/configmaps?dryRun=All', configMap('dry'));
    assert.equal(r.status, 201);
    assert.equal(at(r.body, 'metadata.name'), 'dry');
    assert.equal((await s.get('/api/v1/namespaces/default/configmaps/dry')).status, 404);
    const bad = await s.post(
      '/api/v1/namespaces/default/configmaps?dryRun=All',
      configMap('Bad_Name'),
    );
    assert.equal(bad.status, 422);
  });

  it('fieldValidation: Strict rejects unknown fields, Warn (default) warns, Ignore drops silently', async () => {
    const body = { ...configMap('fv'), bogus: 1 };
    const strict = await s.post(
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      body,
    );
    assert.equal(strict.status, 400);
    assert.equal(at(strict.body, 'message'), 'strict decoding error: unknown field "bogus"');
    const warn = await s.post('/api/v1/namespaces/default/configmaps', body);
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"bogus\\""');
    assert.equal(at(warn.body, 'bogus'), undefined);
    const ignore = await s.post('/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', {
      ...body,
      metadata: { name: 'fv2' },
    });
    assert.equal(ignore.status, 201);
    assert.equal(ignore.headers.get('warning'), null);
  });

  it('validation failures are 422 Invalid with one cause per field', async () => {
    const r = await s.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'Bad' },
      spec: { containers: [{ name: 'c' }] },
    });
    assert.equal(r.status, 422);
    assert.equal(at(r.body, 'reason'), 'Invalid');
    const fields = arr(r.body, 'details.causes').map((c) => at(c, 'field'));
    assert.ok(fields.includes('metadata.name'), JSON.stringify(fields));
    assert.ok(fields.includes('spec.containers[0].image'), JSON.stringify(fields));
  });

  it('YAML bodies are accepted', async () => {
    const r = await s.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n',
      {
        'content-type': 'application/yaml',
      },
    );
    assert.equal(r.status, 201, r.text);
    assert.equal(at(r.body, 'data.k'), 'v');
  });

  it('PUT creates objects of kinds that allow create-on-update (events, endpoints, leases) and 404s others', async () => {
    const lease = await s.put(
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/upsert',
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'upsert' },
        spec: { holderIdentity: 'a' },
      },
    );
    assert.equal(lease.status, 201, lease.text);
    const cm = await s.put(
      '/api/v1/namespaces/default/configmaps/not-there',
      configMap('not-there'),
    );
    assert.equal(cm.status, 404);
  });
});
