/**
 * Smoke test with the real kubectl on PATH against an in-process server:
 * discovery, apply (twice), get with server-side tables, wide output,
 * scale, label, patch, delete and explain.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { kubeconfigFor } from '../../../control-plane/cli/server.ts';
import { at } from './support/json.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const run = promisify(execFile);
let s: TestServer;
let kubeconfig: string;

before(async () => {
  s = await startTestServer();
  kubeconfig = join(s.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(s.url), { mode: 0o600 });
});
after(() => s.close());

async function kubectl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      timeout: 60_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels: {app: solo}
spec:
  containers:
  - name: c
    image: busybox:1.36
`;

describe('kubectl', () => {
  it('get ns lists the bootstrap namespaces', async () => {
    const out = await kubectl('get', 'ns');
    assert.match(out, /^NAME\s+STATUS\s+AGE$/m);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.match(out, new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
    }
  });

  it('api-resources lists every resource with short names', async () => {
    const out = await kubectl('api-resources');
    assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(out, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
  });

  it('apply -f creates, a second apply leaves everything unchanged', async () => {
    const file = join(s.dir, 'manifest.yaml');
    writeFileSync(file, MANIFEST);
    const first = await kubectl('apply', '-f', file);
    assert.match(first, /deployment\.apps\/web created/);
    assert.match(first, /service\/web created/);
    assert.match(first, /pod\/solo created/);
    const second = await kubectl('apply', '-f', file);
    assert.match(second, /deployment\.apps\/web unchanged/);
    assert.match(second, /service\/web unchanged/);
    assert.match(second, /pod\/solo unchanged/);
  });

  it('get pods -o wide prints the wide columns from the server table', async () => {
    const out = await kubectl('get', 'pods', '-o', 'wide');
    assert.match(
      out,
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m,
    );
    assert.match(out, /^solo\s+0\/1\s+Pending\s+0\s+/m);
  });

  it('get svc shows the allocated ClusterIP and NodePort', async () => {
    const out = await kubectl('get', 'svc', 'web');
    assert.match(out, /^web\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+/m);
  });

  it('scale, label and patch change the objects', async () => {
    await kubectl('scale', 'deployment', 'web', '--replicas=4');
    await kubectl('label', 'pod', 'solo', 'tier=fe');
    await kubectl(
      'patch',
      'deployment',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"busybox:1.37"}]}}}}',
    );
    const d = JSON.parse(await kubectl('get', 'deployment', 'web', '-o', 'json')) as unknown;
    assert.equal(at(d, 'spec.replicas'), 4);
    assert.equal(at(d, 'spec.template.spec.containers[0].image'), 'busybox:1.37');
    assert.equal(at(d, 'metadata.generation'), 3);
    const p = JSON.parse(await kubectl('get', 'pod', 'solo', '-o', 'json')) as unknown;
    assert.equal(at(p, 'metadata.labels.tier'), 'fe');
  });

  it('create namespace|configmap|secret|deployment|service|job (protobuf bodies of kubectl >= 1.32)', async () => {
    await kubectl('create', 'namespace', 'made');
    await kubectl('create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'made');
    await kubectl('create', 'secret', 'generic', 'sec', '--from-literal=pw=hunter2', '-n', 'made');
    await kubectl(
      'create',
      'deployment',
      'dep',
      '--image=busybox:1.36',
      '--replicas=0',
      '--port=8080',
      '-n',
      'made',
    );
    await kubectl('create', 'service', 'nodeport', 'np', '--tcp=80:8080', '-n', 'made');
    await kubectl(
      'create',
      'job',
      'once',
      '--image=busybox:1.36',
      '-n',
      'made',
      '--',
      'echo',
      'hi',
    );
    const get = async (path: string) => (await s.get(path)).body;
    assert.equal(at(await get('/api/v1/namespaces/made'), 'status.phase'), 'Active');
    assert.equal(at(await get('/api/v1/namespaces/made/configmaps/cfg'), 'data.a'), 'b');
    const sec = await get('/api/v1/namespaces/made/secrets/sec');
    assert.equal(Buffer.from(String(at(sec, 'data.pw')), 'base64').toString(), 'hunter2');
    const dep = await get('/apis/apps/v1/namespaces/made/deployments/dep');
    assert.equal(at(dep, 'spec.replicas'), 0, 'an explicit 0 survives the protobuf decoding');
    assert.equal(at(dep, 'spec.template.spec.containers[0].ports[0].containerPort'), 8080);
    assert.deepEqual(at(dep, 'spec.selector.matchLabels'), { app: 'dep' });
    const np = await get('/api/v1/namespaces/made/services/np');
    assert.equal(at(np, 'spec.type'), 'NodePort');
    assert.equal(at(np, 'spec.ports[0].targetPort'), 8080);
    const job = await get('/apis/batch/v1/namespaces/made/jobs/once');
    assert.deepEqual(at(job, 'spec.template.spec.containers[0].command'), ['echo', 'hi']);
  });

  it('explain reads the OpenAPI v3 documents', async () => {
    const out = await kubectl('explain', 'pod.spec.containers.image');
    assert.match(out, /FIELD:\s+image\s+<string>/);
  });

  it('delete -f removes what apply created', async () => {
    const out = await kubectl('delete', '-f', join(s.dir, 'manifest.yaml'));
    assert.match(out, /deployment\.apps "web" deleted/);
    assert.match(out, /pod "solo" deleted/);
    assert.equal((await s.get('/api/v1/namespaces/default/pods/solo')).status, 404);
  });
});
