// The real kubectl drives applyPatch: a minimal HTTP server on loopback
// stores objects in memory and answers PATCH with applyPatch(); kubectl
// apply / edit-like set image / label / annotate / scale / patch compute
// their patches themselves, so this checks we merge exactly what it sends.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isApiError } from '../../../../control-plane/api/errors.ts';
import { schemaForSubresource } from '../../../../control-plane/api/schemas/index.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { applyPatch, parsePatchType } from '../../../../control-plane/apiserver/patch/index.ts';
import { deployments } from './fixtures.ts';

const run = promisify(execFile);
const PATH = '/apis/apps/v1/namespaces/default/deployments/web';

/** The manifest the Deployment was first applied from. */
const manifest = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            env: [{ name: 'A', value: '1' }],
            ports: [
              { containerPort: 80, protocol: 'TCP' },
              { containerPort: 443, protocol: 'TCP' },
            ],
          },
        ],
      },
    },
  },
};

let stored: KubeObject;
let revision = 10;
const patchTypes: string[] = [];
let server: Server;
let dir: string;
let kubeconfig: string;

/** The live object as the server keeps it: the manifest plus server fields and defaults. */
function seed(): KubeObject {
  type Spec = {
    template: { spec: { containers: Record<string, unknown>[]; restartPolicy?: string } };
  };
  const live = structuredClone(manifest) as unknown as KubeObject & { spec: Spec };
  live.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(manifest)}\n`,
  };
  live.metadata.uid = 'uid-1';
  live.metadata.resourceVersion = String(revision);
  live.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  (live.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicy =
    'IfNotPresent';
  live.spec.template.spec.restartPolicy = 'Always';
  live.status = { replicas: 2 };
  return live;
}

function discovery(path: string): unknown {
  switch (path) {
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'apps',
            versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
            preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
          },
        ],
      };
    case '/api/v1':
      return { kind: 'APIResourceList', groupVersion: 'v1', resources: [] };
    case '/apis/apps/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: [
          {
            name: 'deployments',
            singularName: 'deployment',
            namespaced: true,
            kind: 'Deployment',
            shortNames: ['deploy'],
            verbs: ['create', 'get', 'list', 'patch', 'update'],
          },
          {
            name: 'deployments/scale',
            singularName: '',
            namespaced: true,
            group: 'autoscaling',
            version: 'v1',
            kind: 'Scale',
            verbs: ['get', 'patch', 'update'],
          },
        ],
      };
    default:
      return undefined;
  }
}

function scaleOf(d: KubeObject): KubeObject {
  const spec = d.spec as { replicas: number };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'uid-1',
      resourceVersion: d.metadata.resourceVersion,
    },
    spec: { replicas: spec.replicas },
    status: { replicas: 2, selector: 'app=web' },
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function handle(
  method: string,
  path: string,
  contentType: string,
  text: string,
): [number, unknown] {
  const known = discovery(path);
  if (known !== undefined && method === 'GET') return [200, known];
  if (path === PATH && method === 'GET') return [200, stored];
  if (path === `${PATH}/scale` && method === 'GET') return [200, scaleOf(stored)];
  if ((path === PATH || path === `${PATH}/scale`) && method === 'PATCH') {
    const type = parsePatchType(contentType);
    patchTypes.push(type);
    const patch = type === 'application/apply-patch+yaml' ? text : (JSON.parse(text) as unknown);
    if (path === PATH) {
      stored = applyPatch(deployments, stored, type, patch) as KubeObject;
    } else {
      const scale = applyPatch(deployments, scaleOf(stored), type, patch, {
        schema: schemaForSubresource('scale'),
      });
      (stored.spec as { replicas: number }).replicas = (
        scale as { spec: { replicas: number } }
      ).spec.replicas;
    }
    stored.metadata.resourceVersion = String(++revision);
    return [200, path === PATH ? stored : scaleOf(stored)];
  }
  return [
    404,
    {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: `${path} not found`,
    },
  ];
}

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    body(req)
      .then((text) => {
        let answer: [number, unknown];
        try {
          answer = handle(
            req.method ?? 'GET',
            url.pathname,
            req.headers['content-type'] ?? '',
            text,
          );
        } catch (err) {
          if (!isApiError(err)) throw err;
          answer = [err.code, err.toStatus()];
        }
        res.statusCode = answer[0];
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer[1]));
      })
      .catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dir = await mkdtemp(join(tmpdir(), 'skiff-patch-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'users: [{name: t, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]',
      'current-context: t',
    ].join('\n'),
  );
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  stored = seed();
  patchTypes.length = 0;
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
    {
      timeout: 60_000,
    },
  );
  return stdout;
}

const containers = () =>
  (stored.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
    .containers;

test('kubectl apply: changed image, added env var, removed port', async () => {
  const changed = structuredClone(manifest);
  const web = changed.spec.template.spec
    .containers[0] as (typeof changed.spec.template.spec.containers)[0];
  web.image = 'nginx:1.26';
  web.env.push({ name: 'B', value: '2' });
  web.ports = [{ containerPort: 80, protocol: 'TCP' }];
  const file = join(dir, 'web.json');
  await writeFile(file, JSON.stringify(changed));
  await kubectl('apply', '--validate=false', '-f', file);
  assert.deepEqual(patchTypes, ['application/strategic-merge-patch+json']);
  assert.deepEqual(containers(), [
    {
      name: 'web',
      image: 'nginx:1.26',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      imagePullPolicy: 'IfNotPresent',
    },
  ]);
  const applied = stored.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  assert.deepEqual((JSON.parse(applied ?? '{}') as typeof changed).spec, changed.spec);
});

test('kubectl apply: a second container appears after the first', async () => {
  const changed = structuredClone(manifest);
  (changed.spec.template.spec.containers as unknown[]).push({ name: 'log', image: 'fluentd:1' });
  const file = join(dir, 'web2.json');
  await writeFile(file, JSON.stringify(changed));
  await kubectl('apply', '--validate=false', '-f', file);
  assert.deepEqual(
    containers().map((c) => c.name),
    ['web', 'log'],
  );
});

test('kubectl set image', async () => {
  await kubectl('set', 'image', 'deployment/web', 'web=nginx:2');
  assert.equal(containers()[0]?.image, 'nginx:2');
  assert.equal(containers()[0]?.imagePullPolicy, 'IfNotPresent');
});

test('kubectl label and annotate --overwrite', async () => {
  await kubectl('label', 'deployment', 'web', 'tier=frontend');
  await kubectl('annotate', '--overwrite', 'deployment', 'web', 'note=one');
  await kubectl('annotate', '--overwrite', 'deployment', 'web', 'note=two');
  await kubectl('label', 'deployment', 'web', 'app-');
  assert.deepEqual(stored.metadata.labels, { tier: 'frontend' });
  assert.equal(stored.metadata.annotations?.note, 'two');
});

test('kubectl scale patches the scale subresource', async () => {
  await kubectl('scale', 'deployment/web', '--replicas=5');
  assert.equal((stored.spec as { replicas: number }).replicas, 5);
});

test('kubectl patch with each --type', async () => {
  await kubectl(
    'patch',
    'deployment',
    'web',
    '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"a:1"}]}}}}',
  );
  assert.equal(containers()[0]?.image, 'a:1');
  assert.equal(
    containers()[0]?.imagePullPolicy,
    'IfNotPresent',
    'strategic merge keeps the other fields',
  );
  await kubectl(
    'patch',
    'deployment',
    'web',
    '--type=json',
    '-p',
    '[{"op":"replace","path":"/spec/replicas","value":4}]',
  );
  assert.equal((stored.spec as { replicas: number }).replicas, 4);
  await kubectl(
    'patch',
    'deployment',
    'web',
    '--type=merge',
    '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"b:1"}]}}}}',
  );
  assert.deepEqual(containers(), [{ name: 'web', image: 'b:1' }], 'merge patch replaces the list');
  assert.deepEqual(patchTypes, [
    'application/strategic-merge-patch+json',
    'application/json-patch+json',
    'application/merge-patch+json',
  ]);
});

test('kubectl patch --type=json with a failing test op reports the 422', async () => {
  await assert.rejects(
    kubectl(
      'patch',
      'deployment',
      'web',
      '--type=json',
      '-p',
      '[{"op":"test","path":"/spec/replicas","value":9}]',
    ),
    (err: { stderr?: string }) => {
      assert.match(err.stderr ?? '', /The request is invalid/);
      return true;
    },
  );
});

test('kubectl apply --server-side merges the applied configuration', async () => {
  const applied = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
  const file = join(dir, 'ssa.json');
  await writeFile(file, JSON.stringify(applied));
  await kubectl('apply', '--server-side', '--validate=false', '-f', file);
  assert.ok(patchTypes.length > 0);
  assert.ok(
    patchTypes.every((t) => t === 'application/apply-patch+yaml'),
    patchTypes.join(),
  );
  assert.equal((stored.spec as { replicas: number }).replicas, 3);
  assert.equal(containers()[0]?.image, 'nginx:1.27');
  assert.deepEqual(
    containers()[0]?.env,
    [{ name: 'A', value: '1' }],
    'fields not applied are kept',
  );
});
