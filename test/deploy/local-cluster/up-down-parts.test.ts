// The pure parts of `skiff up`/`skiff down`: preflight problems, the state
// file, next steps, progress lines and the summaries printed. The real run
// is in up-down.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Node } from '../../../control-plane/api/types.ts';
import {
  foreignEntries,
  parseClusterState,
  readClusterState,
  writeClusterState,
  type ClusterState,
} from '../../../deploy/local-cluster/cluster-state.ts';
import { summarizeParts } from '../../../deploy/local-cluster/down.ts';
import {
  DEFAULT_DATA_DIR,
  downCommand,
  nextSteps,
} from '../../../deploy/local-cluster/next-steps.ts';
import { nodeIsReady } from '../../../deploy/local-cluster/node-readiness.ts';
import {
  findProgram,
  preflightProblems,
  REQUIRED_PROGRAMS,
  type RequiredProgram,
} from '../../../deploy/local-cluster/preflight.ts';
import {
  createProgress,
  describeNodesRecord,
  formatSeconds,
} from '../../../deploy/local-cluster/progress.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-up-parts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const program = (name: string): RequiredProgram => {
  const p = REQUIRED_PROGRAMS.find((r) => r.program === name);
  assert.ok(p, `${name} is a required program`);
  return p;
};

const sampleState = (dataDir: string): ClusterState => ({
  prefix: 'demo',
  dataDir,
  bridge: 'demobr0',
  subnet: '172.30.5.0/24',
  serverUrl: 'http://172.30.5.1:6443',
  serverPid: 4242,
  kubeconfig: join(dataDir, 'server', 'kubeconfig'),
  registry: '172.30.5.1:5000',
  sampleServiceIp: '10.96.0.42',
  nodes: [{ name: 'n1', ip: '172.30.5.11', netns: 'demo-n1', agentPid: 4300, dockerdPid: 4200 }],
  createdAt: '2025-01-01T00:00:00.000Z',
});

test('preflight problems say what is missing and how to install it', () => {
  const cases: { name: string; uid: number; missing: string[]; want: RegExp[] }[] = [
    { name: 'root with everything', uid: 0, missing: [], want: [] },
    { name: 'not root', uid: 1000, missing: [], want: [/^not running as root: .*run it as root/] },
    {
      name: 'no engine',
      uid: 0,
      missing: ['dockerd', 'containerd'],
      want: [
        /^no Docker engine \(dockerd, containerd not found\): .*apt-get install -y docker\.io/,
      ],
    },
    {
      name: 'no ip, no registry',
      uid: 0,
      missing: ['ip', '/usr/bin/docker-registry'],
      want: [
        /^ip not found .*apt-get install -y iproute2/,
        /docker-registry not found .*apt-get install -y docker-registry/,
      ],
    },
  ];
  for (const c of cases) {
    const problems = preflightProblems({ uid: c.uid, missing: c.missing.map(program) });
    assert.equal(problems.length, c.want.length, `${c.name}: ${problems.join(' | ')}`);
    c.want.forEach((re, i) => assert.match(problems[i] ?? '', re, c.name));
  }
});

test('findProgram looks on PATH and takes absolute paths as they are', () => {
  assert.equal(findProgram('sh', `/nonexistent:/bin`), '/bin/sh');
  assert.equal(findProgram('/bin/sh', ''), '/bin/sh');
  assert.equal(findProgram('no-such-program-skiff', '/bin:/usr/bin'), undefined);
  assert.equal(findProgram('sh', ''), undefined);
});

test('the state file round-trips and invalid ones are refused', () => {
  const dataDir = join(dir, 'state');
  mkdirSync(dataDir);
  const state = sampleState(dataDir);
  writeClusterState(state);
  assert.deepEqual(readClusterState(dataDir), state);
  assert.equal(readClusterState(join(dir, 'missing')), undefined);
  const bad: unknown[] = [
    null,
    [],
    { ...state, prefix: 7 },
    { ...state, serverPid: 0 },
    { ...state, nodes: 'n1' },
    { ...state, nodes: [{ ...state.nodes[0], agentPid: -1 }] },
    { ...state, nodes: [{ ...state.nodes[0], ip: undefined }] },
  ];
  for (const b of bad) assert.equal(parseClusterState(b), undefined, JSON.stringify(b));
});

test('a data dir holding anything a cluster does not make is foreign', () => {
  const ours = join(dir, 'ours');
  mkdirSync(join(ours, 'nodes', 'n1'), { recursive: true });
  writeFileSync(join(ours, 'cluster.json'), '{}');
  mkdirSync(join(ours, 'images'));
  assert.deepEqual(foreignEntries(ours), []);
  assert.deepEqual(foreignEntries(join(dir, 'not-there')), []);
  writeFileSync(join(ours, 'notes.txt'), 'mine');
  assert.deepEqual(foreignEntries(ours), ['notes.txt']);
});

test('the down command names only non-default flags', () => {
  assert.equal(downCommand('skiff', DEFAULT_DATA_DIR), 'npx skiff down');
  assert.equal(downCommand('demo', DEFAULT_DATA_DIR), 'npx skiff down --prefix demo');
  assert.equal(downCommand('skiff', '/tmp/x'), 'npx skiff down --data-dir /tmp/x');
});

test('next steps give the kubeconfig, kubectl, a way into a node and skiff down', () => {
  const text = nextSteps(sampleState('/tmp/demo')).join('\n');
  assert.match(text, /^ {2}export KUBECONFIG=\/tmp\/demo\/server\/kubeconfig$/m);
  assert.match(text, /^ {2}kubectl get nodes -o wide$/m);
  assert.match(text, /kubectl run hello --image=172\.30\.5\.1:5000\/skiff\/echo:1/);
  assert.match(text, /nsenter --net=\/run\/netns\/demo-n1 curl -s http:\/\/10\.96\.0\.42\//);
  assert.match(text, /nsenter --net=\/run\/netns\/demo-n1 curl -s http:\/\/POD_IP:8080/);
  const { sampleServiceIp: _, ...older } = sampleState('/tmp/demo');
  assert.doesNotMatch(nextSteps(older).join('\n'), /10\.96\.0\.42|deployment,service/);
  assert.match(text, /ip netns exec demo-n1 sh/);
  assert.match(text, /npx skiff down --prefix demo --data-dir \/tmp\/demo$/m);
});

test('progress lines number the steps and show the elapsed time', () => {
  const lines: string[] = [];
  let t = 1_000;
  const p = createProgress(
    3,
    (l) => lines.push(l),
    () => t,
  );
  p.step('first');
  t += 1_250;
  p.detail('half way');
  t += 10_000;
  p.step('second');
  assert.deepEqual(lines, ['[1/3] first (0.0s)', '      half way (1.3s)', '[2/3] second (11.3s)']);
  assert.equal(formatSeconds(-5), '0.0s');
});

test("createLocalNodes' log records become detail lines; noise is dropped", () => {
  const cases: { r: Record<string, unknown>; want: string | undefined }[] = [
    {
      r: {
        level: 'info',
        msg: 'Created host network',
        bridge: 'skiffbr0',
        subnet: '172.30.0.0/24',
      },
      want: 'bridge skiffbr0 on 172.30.0.0/24',
    },
    {
      r: {
        level: 'info',
        msg: 'Started registry with the sample images',
        address: '172.30.0.1:5000',
      },
      want: 'registry at 172.30.0.1:5000 holds the sample images',
    },
    {
      r: { level: 'info', msg: 'Started node', node: 'n2', ip: '172.30.0.12', netns: 'skiff-n2' },
      want: 'node n2: 172.30.0.12, namespace skiff-n2, dockerd running, images loaded',
    },
    { r: { level: 'info', msg: 'Something else' }, want: undefined },
    { r: { level: 'warn', msg: 'Removing leftovers' }, want: 'warn: Removing leftovers' },
  ];
  for (const c of cases) assert.equal(describeNodesRecord(c.r), c.want, String(c.r.msg));
});

test('summaries fold the mounts into one entry and cap the length', () => {
  const items = ['netns a-n1', 'mount /d/x', 'link abr0', 'mount /d/y'];
  assert.deepEqual(summarizeParts(items, '/d'), ['netns a-n1', 'link abr0', '2 mount(s) under /d']);
  assert.deepEqual(summarizeParts(['a', 'b', 'c'], '/d', 2), ['a', 'b', '... and 1 more']);
  assert.deepEqual(summarizeParts([], '/d'), []);
});

test('a node counts as ready only when Ready is True and it has a podCIDR', () => {
  const node = (ready: string | undefined, podCIDR?: string): Node =>
    ({
      metadata: { name: 'n1' },
      spec: podCIDR === undefined ? {} : { podCIDR },
      status: { conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready }] },
    }) as Node;
  assert.equal(nodeIsReady(node('True', '10.244.0.0/24')), true);
  assert.equal(nodeIsReady(node('True')), false);
  assert.equal(nodeIsReady(node('False', '10.244.0.0/24')), false);
  assert.equal(nodeIsReady(node(undefined, '10.244.0.0/24')), false);
});
