// The real kubectl reads our Table responses: a minimal HTTP server on
// loopback serves discovery and toTable() output, and `kubectl get` (plain
// and -o wide) must print the columns and cells we computed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { toTable } from '../../../../control-plane/apiserver/tables/index.ts';
import { H, ago, now, obj, res, template } from './fixtures.ts';

const run = promisify(execFile);

const PODS: KubeObject[] = [
  obj(
    'v1',
    'Pod',
    {
      spec: { containers: [{ name: 'web', image: 'nginx' }], nodeName: 'node-a' },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.244.1.5' }],
        containerStatuses: [
          {
            name: 'web',
            ready: true,
            restartCount: 3,
            image: 'nginx',
            imageID: '',
            state: { running: {} },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(120_000) } },
          },
        ],
      },
    },
    { name: 'web-1' },
  ),
  obj(
    'v1',
    'Pod',
    { spec: { containers: [{ name: 'job', image: 'busybox' }] }, status: { phase: 'Pending' } },
    { name: 'job-2', creationTimestamp: ago(30_000) },
  ),
];
const DEPLOYMENTS: KubeObject[] = [
  obj(
    'apps/v1',
    'Deployment',
    {
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    },
    { name: 'web' },
  ),
];

let server: Server;
let dir: string;
let kubeconfig: string;

const json = (body: unknown) => JSON.stringify(body);

function route(path: string, accept: string): unknown {
  const core = [
    {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'list'],
      shortNames: ['po'],
    },
  ];
  const apps = [
    {
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['get', 'list'],
      shortNames: ['deploy'],
    },
  ];
  const table = accept.includes('as=Table');
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
      return { kind: 'APIResourceList', groupVersion: 'v1', resources: core };
    case '/apis/apps/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: apps,
      };
    case '/api/v1/namespaces/default/pods':
      return table
        ? { ...toTable(res('', 'pods'), PODS, { now }), metadata: { resourceVersion: '9' } }
        : { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: PODS };
    case '/apis/apps/v1/namespaces/default/deployments':
      return table
        ? {
            ...toTable(res('apps', 'deployments'), DEPLOYMENTS, { now }),
            metadata: { resourceVersion: '9' },
          }
        : { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: {}, items: DEPLOYMENTS };
    default:
      return undefined;
  }
}

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = route(url.pathname, req.headers.accept ?? '');
    res.setHeader('Content-Type', 'application/json');
    if (body === undefined) {
      res.statusCode = 404;
      res.end(
        json({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
          message: 'not found',
        }),
      );
      return;
    }
    res.end(json(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dir = await mkdtemp(join(tmpdir(), 'skiff-tables-'));
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

/** kubectl's output as rows of cells (columns are separated by 3+ spaces). */
async function kubectl(...args: string[]): Promise<string[][]> {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
    {
      timeout: 60_000,
    },
  );
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.trimEnd().split(/ {3,}/));
}

test('kubectl get pods prints our table', async () => {
  assert.deepEqual(await kubectl('get', 'pods'), [
    ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    ['web-1', '1/1', 'Running', '3 (2m ago)', '120m'],
    ['job-2', '0/1', 'Pending', '0', '30s'],
  ]);
});

test('kubectl get pods -o wide adds the priority-1 columns', async () => {
  assert.deepEqual(await kubectl('get', 'pods', '-o', 'wide'), [
    [
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ],
    ['web-1', '1/1', 'Running', '3 (2m ago)', '120m', '10.244.1.5', 'node-a', '<none>', '<none>'],
    ['job-2', '0/1', 'Pending', '0', '30s', '<none>', '<none>', '<none>', '<none>'],
  ]);
});

test('kubectl get deployments -o wide', async () => {
  assert.deepEqual(await kubectl('get', 'deploy', '-o', 'wide'), [
    ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    ['web', '2/3', '3', '2', `${(2 * H) / 60_000}m`, 'web,log', 'nginx:1.27,fluentd:1', 'app=web'],
  ]);
});
