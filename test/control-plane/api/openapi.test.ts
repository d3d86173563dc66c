/**
 * The OpenAPI v3 documents: well-formed OpenAPI 3.0 whose every $ref
 * resolves, each resource with its paths, operations and GVKs, the patch
 * merge keys kubectl's strategic merge needs, and the PATCH
 * `fieldValidation` parameter kubectl looks for. Real kubectl then reads
 * them for `kubectl explain` from a loopback server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  RESOURCES,
  groupVersion,
  type ResourceInfo,
} from '../../../control-plane/api/resources.ts';
import { openApiV3Document, openApiV3Root } from '../../../control-plane/api/openapi/index.ts';
import { refsIn } from '../../../control-plane/api/openapi/components.ts';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  parameters: { name: string; in: string }[];
  responses: Json;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
}
interface Doc {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, Operation | unknown>>;
  components: { schemas: Record<string, Json> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const ACTIONS = new Set([
  'get',
  'list',
  'watch',
  'watchlist',
  'post',
  'put',
  'patch',
  'delete',
  'deletecollection',
  'connect',
]);

function docPath(r: ResourceInfo): string {
  return r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
}

function doc(path: string): Doc {
  const d = openApiV3Document(path);
  assert.ok(d, `no document for ${path}`);
  return d as Doc;
}

function operations(d: Doc): [string, string, Operation][] {
  return Object.entries(d.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map(
      (m) => [p, m, item[m] as Operation] as [string, string, Operation],
    ),
  );
}

const groupVersionPaths = [...new Set(RESOURCES.map(docPath))];

test('the root lists one document per served group-version, with a content hash', () => {
  const root = openApiV3Root();
  assert.deepEqual(Object.keys(root.paths).sort(), [...groupVersionPaths].sort());
  for (const [p, { serverRelativeURL }] of Object.entries(root.paths)) {
    assert.match(
      serverRelativeURL,
      new RegExp(`^/openapi/v3/${p.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{64,}$`),
    );
  }
  assert.equal(openApiV3Document('apis/extensions/v1beta1'), undefined);
});

for (const gvPath of groupVersionPaths) {
  test(`${gvPath}: OpenAPI 3.0 with every $ref resolved`, () => {
    const d = doc(gvPath);
    assert.equal(d.openapi, '3.0.0');
    assert.equal(typeof d.info['title'], 'string');
    for (const target of refsIn(d)) {
      assert.match(target, /^#\/components\/schemas\//);
      assert.ok(
        d.components.schemas[target.slice('#/components/schemas/'.length)],
        `unresolved ${target}`,
      );
    }
    for (const [name, schema] of Object.entries(d.components.schemas)) {
      assert.equal(schema['$id'], undefined, `${name} keeps an $id`);
      const typed = 'type' in schema || 'oneOf' in schema || '$ref' in schema;
      assert.ok(typed, `${name} has no type`);
    }
  });

  test(`${gvPath}: operations are complete and uniquely named, path parameters declared`, () => {
    const d = doc(gvPath);
    const ids = new Set<string>();
    for (const [p, method, op] of operations(d)) {
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      assert.ok(
        ACTIONS.has(op['x-kubernetes-action']),
        `${method} ${p}: action ${op['x-kubernetes-action']}`,
      );
      assert.ok(op['x-kubernetes-group-version-kind'].kind, `${method} ${p}: no GVK`);
      assert.ok(op.responses['200'], `${method} ${p}: no 200 response`);
      const declared = (
        (d.paths[p] as { parameters?: { name: string; in: string }[] }).parameters ?? []
      ).filter((x) => x.in === 'path');
      for (const [, name] of p.matchAll(/\{(\w+)\}/g))
        assert.ok(
          declared.some((x) => x.name === name),
          `${p}: {${name}} undeclared`,
        );
    }
  });
}

for (const r of RESOURCES) {
  test(`${groupVersion(r)} ${r.plural}: paths, schema GVKs and the PATCH fieldValidation kubectl checks`, () => {
    const d = doc(docPath(r));
    const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const ns = r.namespaced ? '/namespaces/{namespace}' : '';
    assert.ok(d.paths[`${prefix}${ns}/${r.plural}`], 'collection path');
    assert.ok(d.paths[`${prefix}${ns}/${r.plural}/{name}`], 'item path');
    for (const sub of r.subresources)
      assert.ok(d.paths[`${prefix}${ns}/${r.plural}/{name}/${sub}`], `${sub} path`);
    if (r.namespaced) assert.ok(d.paths[`${prefix}/${r.plural}`], 'all-namespaces list');

    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const kinds = Object.values(d.components.schemas).map(
      (s) => s['x-kubernetes-group-version-kind'],
    );
    assert.ok(
      kinds.some((k) => JSON.stringify(k) === JSON.stringify([gvk])),
      'kind schema GVK',
    );
    assert.ok(
      kinds.some((k) => JSON.stringify(k) === JSON.stringify([{ ...gvk, kind: r.listKind }])),
      'list schema GVK',
    );

    // As kubectl's supportsQueryParamV3: every PATCH operation of this GVK lists fieldValidation.
    const patches = operations(d).filter(
      ([, m, op]) =>
        m === 'patch' &&
        JSON.stringify(op['x-kubernetes-group-version-kind']) === JSON.stringify(gvk),
    );
    assert.ok(patches.length > 0, 'no PATCH operation for the kind');
    for (const [, , op] of patches) {
      assert.ok(op.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
      assert.equal(op['x-kubernetes-action'], 'patch');
    }
  });
}

const mergeKeys: { doc: string; schema: string; field: string; key: string }[] = [
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.PodSpec', field: 'containers', key: 'name' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.PodSpec', field: 'initContainers', key: 'name' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.PodSpec', field: 'volumes', key: 'name' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.PodSpec', field: 'imagePullSecrets', key: 'name' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.Container', field: 'env', key: 'name' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.Container', field: 'ports', key: 'containerPort' },
  {
    doc: 'api/v1',
    schema: 'io.k8s.api.core.v1.Container',
    field: 'volumeMounts',
    key: 'mountPath',
  },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.PodStatus', field: 'conditions', key: 'type' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.ServiceSpec', field: 'ports', key: 'port' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.NodeStatus', field: 'conditions', key: 'type' },
  { doc: 'api/v1', schema: 'io.k8s.api.core.v1.NodeStatus', field: 'addresses', key: 'type' },
  {
    doc: 'api/v1',
    schema: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    field: 'ownerReferences',
    key: 'uid',
  },
  {
    doc: 'apis/apps/v1',
    schema: 'io.k8s.api.apps.v1.DeploymentStatus',
    field: 'conditions',
    key: 'type',
  },
  { doc: 'apis/apps/v1', schema: 'io.k8s.api.core.v1.Container', field: 'env', key: 'name' },
  {
    doc: 'apis/batch/v1',
    schema: 'io.k8s.api.batch.v1.JobStatus',
    field: 'conditions',
    key: 'type',
  },
];

for (const tc of mergeKeys) {
  test(`${tc.schema}.${tc.field} merges by ${tc.key}`, () => {
    const field = doc(tc.doc).components.schemas[tc.schema]?.['properties'] as
      Record<string, Json> | undefined;
    const list = field?.[tc.field];
    assert.ok(list, `no ${tc.field}`);
    assert.equal(list['type'], 'array');
    assert.equal(list['x-kubernetes-patch-merge-key'], tc.key);
    assert.match(String(list['x-kubernetes-patch-strategy']), /^merge/);
  });
}

test('atomic lists and sets are marked as Kubernetes marks them', () => {
  const props = doc('api/v1').components.schemas['io.k8s.api.core.v1.PodSpec']?.[
    'properties'
  ] as Record<string, Json>;
  assert.equal(props['tolerations']?.['x-kubernetes-list-type'], 'atomic');
  assert.equal(props['tolerations']?.['x-kubernetes-patch-merge-key'], undefined);
  const meta = doc('api/v1').components.schemas[
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'
  ]?.['properties'] as Record<string, Json>;
  assert.equal(meta['finalizers']?.['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(meta['finalizers']?.['x-kubernetes-list-type'], 'set');
});

test('int-or-string and quantity use the Kubernetes component shapes', () => {
  const s = doc('api/v1').components.schemas;
  assert.deepEqual(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.['oneOf'], [
    { type: 'integer' },
    { type: 'string' },
  ]);
  assert.equal(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.['format'], 'int-or-string');
  assert.deepEqual(s['io.k8s.apimachinery.pkg.api.resource.Quantity']?.['oneOf'], [
    { type: 'string' },
    { type: 'number' },
  ]);
});

/** A loopback server with just enough discovery for kubectl to find the documents. */
function discoveryServer(): Server {
  const gvs = [...new Set(RESOURCES.map((r) => groupVersion(r)))];
  const resourceList = (gv: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: RESOURCES.filter((r) => groupVersion(r) === gv).map((r) => ({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      shortNames: r.shortNames,
    })),
  });
  return createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const groups = gvs.filter((gv) => gv.includes('/'));
    let body: unknown;
    if (p === '/api')
      body = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    else if (p === '/apis')
      body = {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((gv) => {
          const [name, version] = gv.split('/') as [string, string];
          return {
            name,
            versions: [{ groupVersion: gv, version }],
            preferredVersion: { groupVersion: gv, version },
          };
        }),
      };
    else if (p === '/api/v1') body = resourceList('v1');
    else if (p.startsWith('/apis/') && gvs.includes(p.slice('/apis/'.length)))
      body = resourceList(p.slice('/apis/'.length));
    else if (p === '/openapi/v3') body = openApiV3Root();
    else if (p.startsWith('/openapi/v3/')) body = openApiV3Document(p.slice('/openapi/v3/'.length));
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
}

test('real kubectl explains kinds and nested fields from the documents', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-openapi-'));
  const server = discoveryServer();
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'users: [{name: u, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: u}}]',
      'current-context: t',
    ].join('\n'),
  );
  const explain = async (what: string) => {
    const { stdout } = await promisify(execFile)(
      'kubectl',
      ['explain', what, '--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')],
      {
        timeout: 60_000,
      },
    );
    return stdout;
  };
  const containers = await explain('pods.spec.containers');
  assert.match(containers, /FIELD: containers <\[\]Container>/);
  for (const f of ['image', 'livenessProbe', 'volumeMounts', 'resources'])
    assert.match(containers, new RegExp(`\\n  ${f}\\t<`));
  assert.match(containers, /name\t<string> -required-/);
  const strategy = await explain('deployments.spec.strategy.rollingUpdate');
  assert.match(strategy, /GROUP:\s+apps/);
  assert.match(strategy, /maxSurge\t<IntOrString>/);
  const lease = await explain('leases.spec');
  assert.match(lease, /holderIdentity\t<string>/);
});
