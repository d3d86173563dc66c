/**
 * Acceptance: the real kubectl (v1.32 on PATH) against `skiff server` run as
 * a separate process. Every command's output is checked: `-o json`/`-o yaml`
 * parsed where kubectl can print it, the columns that matter otherwise.
 * The steps build on each other (one server for the file): apply, apply
 * again with changes, get in every format, describe, the editing commands,
 * create, events, discovery, explain, and delete three ways.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { groupVersion, RESOURCES } from '../../control-plane/api/resources.ts';
import { startSkiff, type SkiffProcess } from './fixtures/skiff-process.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const APP_V1 = join(FIXTURES, 'app-v1.yaml');
const APP_V2 = join(FIXTURES, 'app-v2.yaml');
const EDITOR = join(FIXTURES, 'edit-replicas.sh');
const NS = 'shop';
const KUBECTL_TIMEOUT_MS = 60_000;

type Json = Record<string, unknown>;

let skiff: SkiffProcess;
let kubectlEnv: NodeJS.ProcessEnv;

before(async () => {
  skiff = await startSkiff('skiff-e2e-kubectl');
  // kubectl's discovery cache and `edit`'s temp files stay inside the test's dir.
  const tmp = join(skiff.dir, 'tmp');
  mkdirSync(tmp);
  kubectlEnv = { ...process.env, TMPDIR: tmp, KUBECONFIG: skiff.kubeconfig };
});
after(() => skiff?.stop());

/** Runs kubectl with the server's kubeconfig; rejects with its stderr on a non-zero exit. */
function kubectl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const argv = ['--kubeconfig', skiff.kubeconfig, '--cache-dir', join(skiff.dir, 'cache'), ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      argv,
      { timeout: KUBECTL_TIMEOUT_MS, env: { ...kubectlEnv, ...env }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

async function kubectlJson(args: string[]): Promise<Json> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as Json;
}

/** Plain HTTP to the server, for objects kubectl has no command to create (Node, Event). */
async function api(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(skiff.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Json;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function apiStatus(path: string): Promise<number> {
  const res = await fetch(skiff.url + path);
  await res.arrayBuffer();
  return res.status;
}

/** Reads a dotted path with [i] indexes ("spec.template.spec.containers[0].image"). */
function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The documents of a fixture manifest, by kind. */
function manifest(file: string): Map<string, Json> {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Json);
  return new Map(docs.map((d) => [String(d.kind), d]));
}

/** The table rows kubectl printed, split on runs of 2+ spaces (cells may hold one space). */
function rows(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

function lastApplied(obj: Json): Json {
  const text = at(obj, 'metadata.annotations') as Record<string, string> | undefined;
  const raw = text?.['kubectl.kubernetes.io/last-applied-configuration'];
  assert.ok(raw, 'kubectl apply keeps the last-applied-configuration annotation');
  return JSON.parse(raw) as Json;
}

/** Waits until `ok()` holds, polling; fails after `ms`. */
async function eventually(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kubectl against skiff server', () => {
  const v1 = manifest(APP_V1);
  const v2 = manifest(APP_V2);
  let clusterIP = '';

  it('apply -f creates the namespace, deployment, service and configmap of a multi-document file', async () => {
    const out = await kubectl(['apply', '-f', APP_V1]);
    assert.deepEqual(out.trim().split('\n'), [
      'namespace/shop created',
      'deployment.apps/web created',
      'service/web created',
      'configmap/web-config created',
    ]);
    const dep = await kubectlJson(['get', 'deployment', 'web', '-n', NS]);
    const want = v1.get('Deployment');
    assert.equal(at(dep, 'spec.replicas'), at(want, 'spec.replicas'));
    assert.deepEqual(
      at(dep, 'spec.template.spec.containers[0].env'),
      at(want, 'spec.template.spec.containers[0].env'),
    );
    assert.deepEqual(at(lastApplied(dep), 'spec'), at(want, 'spec'));
    const svc = await kubectlJson(['get', 'service', 'web', '-n', NS]);
    assert.deepEqual(
      (at(svc, 'spec.ports') as Json[]).map((p) => p.name),
      (at(v1.get('Service'), 'spec.ports') as Json[]).map((p) => p.name),
    );
    clusterIP = String(at(svc, 'spec.clusterIP'));
    assert.match(clusterIP, /^10\.96\.\d+\.\d+$/);
    const cm = await kubectlJson(['get', 'configmap', 'web-config', '-n', NS]);
    assert.deepEqual(at(cm, 'data'), at(v1.get('ConfigMap'), 'data'));
    const ns = await kubectlJson(['get', 'namespace', NS]);
    assert.equal(at(ns, 'status.phase'), 'Active');
    assert.equal(at(ns, 'metadata.labels.team'), 'web');
  });

  it('apply -f of a changed file updates each object and the last-applied annotation', async () => {
    const out = await kubectl(['apply', '-f', APP_V2]);
    assert.deepEqual(out.trim().split('\n'), [
      'namespace/shop unchanged',
      'deployment.apps/web configured',
      'service/web configured',
      'configmap/web-config configured',
    ]);
    const dep = await kubectlJson(['get', 'deployment', 'web', '-n', NS]);
    const want = v2.get('Deployment');
    assert.equal(at(dep, 'spec.replicas'), at(want, 'spec.replicas'));
    assert.equal(
      at(dep, 'spec.template.spec.containers[0].image'),
      at(want, 'spec.template.spec.containers[0].image'),
    );
    assert.deepEqual(
      at(dep, 'spec.template.spec.containers[0].env'),
      at(want, 'spec.template.spec.containers[0].env'),
      'the added env var is there',
    );
    assert.equal(at(dep, 'metadata.generation'), 2, 'a spec change bumps the generation');
    assert.deepEqual(at(lastApplied(dep), 'spec'), at(want, 'spec'));
    const svc = await kubectlJson(['get', 'service', 'web', '-n', NS]);
    assert.deepEqual(
      (at(svc, 'spec.ports') as Json[]).map((p) => p.name),
      (at(v2.get('Service'), 'spec.ports') as Json[]).map((p) => p.name),
      'the removed port is gone',
    );
    assert.equal(at(svc, 'spec.clusterIP'), clusterIP, 'the ClusterIP survives the apply');
    assert.deepEqual(at(lastApplied(svc), 'spec'), at(v2.get('Service'), 'spec'));
    const cm = await kubectlJson(['get', 'configmap', 'web-config', '-n', NS]);
    assert.deepEqual(at(cm, 'data'), at(v2.get('ConfigMap'), 'data'));
  });

  it('creates a Node and two Pods through the API for the next steps', async () => {
    await api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1' } },
      spec: { podCIDR: '10.244.1.0/24' },
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
        nodeInfo: {
          machineID: 'm-1',
          systemUUID: 'u-1',
          bootID: 'b-1',
          kernelVersion: '6.1.0',
          osImage: 'Debian GNU/Linux 12',
          containerRuntimeVersion: 'docker://20.10.24',
          kubeletVersion: 'v1.32.0',
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
    const pod = (name: string, nodeName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'web', tier: 'fe' } },
      spec: {
        ...(nodeName ? { nodeName } : {}),
        containers: [
          {
            name: 'web',
            image: 'registry.local/web:1.0',
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'MODE', value: 'blue' }],
          },
        ],
      },
    });
    const bound = await api('POST', `/api/v1/namespaces/${NS}/pods`, pod('web-bound', 'worker-1'));
    await api('POST', `/api/v1/namespaces/${NS}/pods`, pod('web-loose'));
    // An event about the bound pod, as the scheduler would record it.
    await api('POST', `/api/v1/namespaces/${NS}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-bound.scheduled' },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: NS,
        name: 'web-bound',
        uid: at(bound, 'metadata.uid'),
      },
      reason: 'Scheduled',
      message: 'Successfully assigned shop/web-bound to worker-1',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      firstTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      lastTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      count: 1,
    });
    const pods = await kubectlJson(['get', 'pods', '-n', NS]);
    assert.deepEqual(
      (pods.items as Json[]).map((p) => at(p, 'metadata.name')),
      ['web-bound', 'web-loose'],
    );
  });

  it('get -o wide prints the wide columns with the values of the objects', async () => {
    const out = rows(await kubectl(['get', 'deployment', 'web', '-n', NS, '-o', 'wide']));
    assert.deepEqual(out[0], [
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    const [name, ready, , , , containers, images, selector] = out[1] ?? [];
    assert.deepEqual(
      [name, ready, containers, images, selector],
      ['web', '0/3', 'web', 'registry.local/web:2.0', 'app=web'],
    );
    const svc = rows(await kubectl(['get', 'service', 'web', '-n', NS, '-o', 'wide']));
    assert.deepEqual(svc[0], [
      'NAME',
      'TYPE',
      'CLUSTER-IP',
      'EXTERNAL-IP',
      'PORT(S)',
      'AGE',
      'SELECTOR',
    ]);
    const [sName, type, ip, external, ports, , sel] = svc[1] ?? [];
    assert.deepEqual(
      [sName, type, ip, external, ports, sel],
      ['web', 'ClusterIP', clusterIP, '<none>', '80/TCP', 'app=web'],
    );
    const pods = rows(await kubectl(['get', 'pods', '-n', NS, '-o', 'wide']));
    assert.deepEqual(pods[0]?.slice(0, 7), [
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
    ]);
    const bound = pods.find((r) => r[0] === 'web-bound');
    assert.deepEqual(
      [bound?.[1], bound?.[2], bound?.[3], bound?.[5], bound?.[6]],
      ['0/1', 'Pending', '0', '<none>', 'worker-1'],
    );
  });

  it('get -o yaml and -o json print the stored objects', async () => {
    const svc = parseYaml(await kubectl(['get', 'service', 'web', '-n', NS, '-o', 'yaml'])) as Json;
    assert.equal(svc.kind, 'Service');
    assert.equal(at(svc, 'metadata.namespace'), NS);
    assert.equal(at(svc, 'spec.clusterIP'), clusterIP);
    assert.equal(at(svc, 'spec.ports[0].targetPort'), 8080);
    const list = await kubectlJson(['get', 'configmaps', '-n', NS]);
    assert.equal(list.kind, 'List');
    const cm = (list.items as Json[]).find((i) => at(i, 'metadata.name') === 'web-config');
    assert.deepEqual(at(cm, 'data'), at(v2.get('ConfigMap'), 'data'));
    assert.match(String(at(cm, 'metadata.resourceVersion')), /^\d+$/);
  });

  it('get -o name, -l, -A and --field-selector select the right objects', async () => {
    const names = await kubectl(['get', 'deployments,services,configmaps', '-n', NS, '-o', 'name']);
    assert.deepEqual(names.trim().split('\n').sort(), [
      'configmap/web-config',
      'deployment.apps/web',
      'service/web',
    ]);
    await kubectl(['create', 'configmap', 'unlabelled', '-n', NS, '--from-literal=k=v']);
    const labelled = await kubectl(['get', 'configmaps', '-n', NS, '-l', 'app=web', '-o', 'name']);
    assert.deepEqual(labelled.trim().split('\n'), ['configmap/web-config']);
    const notLabelled = await kubectl(['get', 'cm', '-n', NS, '-l', 'app!=web', '-o', 'name']);
    assert.ok(notLabelled.trim().split('\n').includes('configmap/unlabelled'));
    assert.ok(!notLabelled.includes('configmap/web-config'));

    const all = rows(await kubectl(['get', 'deployments', '-A']));
    assert.deepEqual(all[0]?.slice(0, 3), ['NAMESPACE', 'NAME', 'READY']);
    assert.deepEqual(
      all.slice(1).map((r) => `${r[0]}/${r[1]}`),
      ['shop/web'],
    );
    const nsNames = await kubectl(['get', 'configmaps', '-A', '-o', 'name']);
    assert.ok(nsNames.includes('configmap/web-config'), '-A lists the namespaced objects');

    const onNode = await kubectl([
      'get',
      'pods',
      '-A',
      '--field-selector',
      'spec.nodeName=worker-1',
      '-o',
      'name',
    ]);
    assert.deepEqual(onNode.trim().split('\n'), ['pod/web-bound']);
    const byName = rows(await kubectl(['get', 'ns', '--field-selector', `metadata.name=${NS}`]));
    assert.deepEqual(
      byName.slice(1).map((r) => [r[0], r[1]]),
      [[NS, 'Active']],
    );
  });

  it('get --watch, in the background, prints a later change', async () => {
    let out = '';
    const watcher: ChildProcess = spawn(
      'kubectl',
      [
        '--kubeconfig',
        skiff.kubeconfig,
        '--cache-dir',
        join(skiff.dir, 'cache'),
        'get',
        'configmap',
        'web-config',
        '-n',
        NS,
        '--watch',
        '-o',
        'jsonpath={.data.greeting}{"\\n"}',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: kubectlEnv },
    );
    watcher.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    watcher.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => watcher.once('exit', () => resolve()));
    try {
      await eventually('the initial state', () => out.includes('hello again\n'));
      await kubectl([
        'patch',
        'configmap',
        'web-config',
        '-n',
        NS,
        '-p',
        '{"data":{"greeting":"watched"}}',
      ]);
      await eventually(`the change in the watch output (${JSON.stringify(out)})`, () =>
        out.includes('watched\n'),
      );
      assert.deepEqual(out.trim().split('\n'), ['hello again', 'watched']);
    } finally {
      watcher.kill('SIGTERM');
      await exited;
    }
  });

  it('describe pod, deployment, service and node print their fields and events', async () => {
    const pod = await kubectl(['describe', 'pod', 'web-bound', '-n', NS]);
    assert.match(pod, /^Name:\s+web-bound$/m);
    assert.match(pod, /^Namespace:\s+shop$/m);
    assert.match(pod, /^Node:\s+worker-1\//m);
    assert.match(pod, /^Labels:\s+app=web\n\s+tier=fe$/m);
    assert.match(pod, /^Status:\s+Pending$/m);
    assert.match(pod, /^\s+Image:\s+registry\.local\/web:1\.0$/m);
    assert.match(pod, /^\s+Port:\s+8080\/TCP$/m);
    assert.match(pod, /^\s+MODE:\s+blue$/m);
    assert.match(
      pod,
      /^\s+Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned shop\/web-bound to worker-1$/m,
    );

    const dep = await kubectl(['describe', 'deployment', 'web', '-n', NS]);
    assert.match(dep, /^Name:\s+web$/m);
    assert.match(dep, /^Selector:\s+app=web$/m);
    assert.match(
      dep,
      /^Replicas:\s+3 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m,
    );
    assert.match(dep, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(dep, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(dep, /^\s+Image:\s+registry\.local\/web:2\.0$/m);
    assert.match(dep, /^\s+FEATURE_X:\s+on$/m);

    const svc = await kubectl(['describe', 'service', 'web', '-n', NS]);
    assert.match(svc, /^Type:\s+ClusterIP$/m);
    assert.match(svc, new RegExp(`^IP:\\s+${clusterIP.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(svc, /^Port:\s+http\s+80\/TCP$/m);
    assert.match(svc, /^TargetPort:\s+8080\/TCP$/m);
    assert.match(svc, /^Selector:\s+app=web$/m);
    assert.doesNotMatch(svc, /metrics/, 'the port removed by the second apply');

    const node = await kubectl(['describe', 'node', 'worker-1']);
    assert.match(node, /^Name:\s+worker-1$/m);
    assert.match(node, /^\s+InternalIP:\s+10\.0\.0\.5$/m);
    assert.match(node, /^PodCIDR:\s+10\.244\.1\.0\/24$/m);
    assert.match(node, /^\s+OS Image:\s+Debian GNU\/Linux 12$/m);
    assert.match(node, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(node, /^\s+shop\s+web-bound\s+/m);
  });

  it('label, annotate and scale change the objects', async () => {
    assert.equal(
      (
        await kubectl(['label', 'pod', 'web-loose', '-n', NS, 'tier=backend', '--overwrite'])
      ).trim(),
      'pod/web-loose labeled',
    );
    assert.equal(
      (await kubectl(['annotate', 'deployment', 'web', '-n', NS, 'owner=alice'])).trim(),
      'deployment.apps/web annotated',
    );
    assert.equal(
      (await kubectl(['scale', 'deployment', 'web', '-n', NS, '--replicas=5'])).trim(),
      'deployment.apps/web scaled',
    );
    const pod = await kubectlJson(['get', 'pod', 'web-loose', '-n', NS]);
    assert.deepEqual(at(pod, 'metadata.labels'), { app: 'web', tier: 'backend' });
    const dep = await kubectlJson(['get', 'deployment', 'web', '-n', NS]);
    assert.equal(at(dep, 'metadata.annotations.owner'), 'alice');
    assert.equal(at(dep, 'spec.replicas'), 5);
  });

  it('patch with --type=strategic, merge and json', async () => {
    const strategic = await kubectl([
      'patch',
      'deployment',
      'web',
      '-n',
      NS,
      '--type=strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"LEVEL","value":"debug"}]}]}}}}',
    ]);
    assert.equal(strategic.trim(), 'deployment.apps/web patched');
    let dep = await kubectlJson(['get', 'deployment', 'web', '-n', NS]);
    // Strategic merge merges env by name: the new variable joins the two kept ones.
    const env = at(dep, 'spec.template.spec.containers[0].env') as Json[];
    assert.deepEqual(env.map((e) => e.name).sort(), ['FEATURE_X', 'LEVEL', 'MODE']);

    await kubectl([
      'patch',
      'deployment',
      'web',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"patched":"merge"}}}',
    ]);
    await kubectl([
      'patch',
      'deployment',
      'web',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.local/web:3.0"}]',
    ]);
    dep = await kubectlJson(['get', 'deployment', 'web', '-n', NS]);
    assert.deepEqual(at(dep, 'metadata.labels'), { app: 'web', patched: 'merge' });
    assert.equal(at(dep, 'spec.template.spec.containers[0].image'), 'registry.local/web:3.0');
    assert.equal(at(dep, 'spec.replicas'), 5, 'patches leave the other fields alone');
  });

  it('edit applies what the editor changed', async () => {
    const out = await kubectl(['edit', 'deployment', 'web', '-n', NS], { KUBE_EDITOR: EDITOR });
    assert.equal(out.trim(), 'deployment.apps/web edited');
    const dep = await kubectlJson(['get', 'deployment', 'web', '-n', NS]);
    assert.equal(at(dep, 'spec.replicas'), 7);
    assert.equal(at(dep, 'metadata.labels.edited'), 'yes');
    assert.equal(at(dep, 'spec.template.spec.containers[0].image'), 'registry.local/web:3.0');
  });

  it('create configmap and secret generic --from-literal', async () => {
    const literals = { user: 'admin', password: 's3cr=t !' };
    assert.equal(
      (
        await kubectl([
          'create',
          'configmap',
          'settings',
          '-n',
          NS,
          '--from-literal=color=green',
          '--from-literal=size=10',
        ])
      ).trim(),
      'configmap/settings created',
    );
    const cm = await kubectlJson(['get', 'configmap', 'settings', '-n', NS]);
    assert.deepEqual(at(cm, 'data'), { color: 'green', size: '10' });
    assert.equal(
      (
        await kubectl([
          'create',
          'secret',
          'generic',
          'creds',
          '-n',
          NS,
          ...Object.entries(literals).map(([k, v]) => `--from-literal=${k}=${v}`),
        ])
      ).trim(),
      'secret/creds created',
    );
    const secret = await kubectlJson(['get', 'secret', 'creds', '-n', NS]);
    assert.equal(secret.type, 'Opaque');
    const data = secret.data as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), Object.keys(literals).sort());
    for (const [k, v] of Object.entries(literals)) {
      assert.equal(data[k], Buffer.from(v).toString('base64'), `data.${k} is base64`);
    }
  });

  it('get events shows the event created through the API', async () => {
    const out = rows(await kubectl(['get', 'events', '-n', NS]));
    assert.deepEqual(out[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const ev = out.find((r) => r[2] === 'Scheduled');
    assert.deepEqual(ev?.slice(1), [
      'Normal',
      'Scheduled',
      'pod/web-bound',
      'Successfully assigned shop/web-bound to worker-1',
    ]);
    const list = await kubectlJson([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'reason=Scheduled',
    ]);
    assert.deepEqual(
      (list.items as Json[]).map((e) => at(e, 'involvedObject.name')),
      ['web-bound'],
    );
  });

  it('api-resources lists every kind with its short names and namespaced flag', async () => {
    const out = (await kubectl(['api-resources'])).trimEnd().split('\n');
    assert.match(out[0] ?? '', /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    assert.equal(out.length - 1, RESOURCES.length);
    for (const r of RESOURCES) {
      const short = r.shortNames.length ? `\\s+${r.shortNames.join(',')}` : '';
      const line = new RegExp(
        `^${r.plural}${short}\\s+${groupVersion(r).replaceAll('.', '\\.')}\\s+${r.namespaced}\\s+${r.kind}$`,
      );
      assert.ok(
        out.some((l) => line.test(l)),
        `a line for ${r.plural}: ${line}`,
      );
    }
    const clusterScoped = await kubectl(['api-resources', '--namespaced=false', '-o', 'name']);
    assert.deepEqual(
      clusterScoped.trim().split('\n').sort(),
      RESOURCES.filter((r) => !r.namespaced)
        .map((r) => (r.group ? `${r.plural}.${r.group}` : r.plural))
        .sort(),
    );
  });

  it('explain pods.spec.containers describes the field and its sub-fields', async () => {
    const out = await kubectl(['explain', 'pods.spec.containers']);
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^VERSION:\s+v1$/m);
    assert.match(out, /^FIELD:\s+containers <\[\]Container>/m);
    assert.match(out, /^FIELDS:$/m);
    assert.match(out, /^ {2}image\t<string>$/m);
    assert.match(out, /^ {2}name\t<string> -required-$/m);
    assert.match(out, /^ {2}ports\t<\[\]ContainerPort>$/m);
  });

  it('delete by name, by -l and by -f', async () => {
    assert.equal(
      (await kubectl(['delete', 'configmap', 'settings', '-n', NS])).trim(),
      'configmap "settings" deleted',
    );
    assert.equal(await apiStatus(`/api/v1/namespaces/${NS}/configmaps/settings`), 404);
    assert.equal(
      (await kubectl(['delete', 'pod', 'web-loose', '-n', NS])).trim(),
      'pod "web-loose" deleted',
      'a pod on no node goes at once',
    );
    assert.equal(await apiStatus(`/api/v1/namespaces/${NS}/pods/web-loose`), 404);

    for (const name of ['tmp-a', 'tmp-b']) {
      await kubectl(['create', 'configmap', name, '-n', NS]);
      await kubectl(['label', 'configmap', name, '-n', NS, 'scratch=yes']);
    }
    const byLabel = await kubectl(['delete', 'configmaps', '-n', NS, '-l', 'scratch=yes']);
    assert.deepEqual(byLabel.trim().split('\n').sort(), [
      'configmap "tmp-a" deleted',
      'configmap "tmp-b" deleted',
    ]);
    const left = await kubectl(['get', 'configmaps', '-n', NS, '-o', 'name']);
    assert.deepEqual(left.trim().split('\n').sort(), [
      'configmap/unlabelled',
      'configmap/web-config',
    ]);

    // The namespace stays Terminating until a namespace controller empties
    // it (not part of `skiff server` alone), so kubectl is told not to wait.
    const byFile = await kubectl(['delete', '-f', APP_V2, '--wait=false']);
    assert.deepEqual(byFile.trim().split('\n'), [
      'namespace "shop" deleted',
      'deployment.apps "web" deleted',
      'service "web" deleted',
      'configmap "web-config" deleted',
    ]);
    assert.equal(await apiStatus(`/apis/apps/v1/namespaces/${NS}/deployments/web`), 404);
    assert.equal(await apiStatus(`/api/v1/namespaces/${NS}/services/web`), 404);
    assert.equal(await apiStatus(`/api/v1/namespaces/${NS}/configmaps/web-config`), 404);
    const ns = await kubectlJson(['get', 'namespace', NS]);
    assert.equal(at(ns, 'status.phase'), 'Terminating');
  });
});
