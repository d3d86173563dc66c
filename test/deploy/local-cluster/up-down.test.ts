// `skiff up` and `skiff down` as a user runs them: real child processes of
// control-plane/cli/skiff.ts (as root), real namespaces, dockerds, registry,
// server and agents, and real kubectl. Prefix "skiffu" and a data dir of its
// own; `after` removes whatever is left even when a case failed. `skiff up`
// ends by reaching its sample app through a service IP, so this also runs
// the service proxy and pod network.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { stopAgentsByPidfile } from '../../../deploy/local-cluster/agent-pidfiles.ts';
import {
  parseClusterState,
  type ClusterState,
} from '../../../deploy/local-cluster/cluster-state.ts';
import { processesUnder } from '../../../deploy/local-cluster/down.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/images/sample-images.ts';
import {
  execRunner,
  findLeftovers,
  removeLocalNodes,
} from '../../../deploy/local-cluster/index.ts';
import { stopServerByPidfile } from '../../../deploy/local-cluster/server-process.ts';

const SKIFF = fileURLToPath(new URL('../../../control-plane/cli/skiff.ts', import.meta.url));
const PREFIX = 'skiffu';
const DATA_DIR = join(tmpdir(), 'skiffu-up-down-test');
const FLAGS = ['--prefix', PREFIX, '--data-dir', DATA_DIR];
const RUN_TIMEOUT_MS = 300_000;
const kubectlDir = mkdtempSync(join(tmpdir(), 'skiffu-kubectl-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node skiff.ts <args>` to completion (bounded). */
function skiff(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SKIFF, ...args],
      { timeout: RUN_TIMEOUT_MS, env, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function kubectl(kubeconfig: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', join(kubectlDir, 'cache'), ...args],
      { timeout: 60_000, env: { ...process.env, TMPDIR: kubectlDir } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function cleanup(): Promise<void> {
  await stopAgentsByPidfile(DATA_DIR).catch(() => []);
  // The server runs on the host, not in a node namespace: removeLocalNodes would not end it.
  await stopServerByPidfile(DATA_DIR).catch(() => undefined);
  await removeLocalNodes({ prefix: PREFIX, dataDir: DATA_DIR }, execRunner);
}

const leftovers = async () => [
  ...(await findLeftovers({ prefix: PREFIX, dataDir: DATA_DIR }, execRunner)),
  ...processesUnder(DATA_DIR).map((p) => `process ${p.pid}: ${p.cmdline}`),
];

let state: ClusterState;

before(cleanup);
after(async () => {
  await cleanup();
  rmSync(kubectlDir, { recursive: true, force: true });
});

test('skiff up without the Docker engine or ip on PATH says what is missing and creates nothing', async () => {
  const run = await skiff(['up', ...FLAGS], { ...process.env, PATH: '/nonexistent' });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /no Docker engine .*apt-get install -y docker\.io iptables conntrack/);
  assert.match(run.stderr, /ip not found .*apt-get install -y iproute2/);
  assert.match(run.stderr, /nsenter not found .*util-linux/);
  assert.deepEqual(await leftovers(), []);
});

test('skiff up brings up 2 Ready nodes with pod CIDRs and prints the next steps', async () => {
  const run = await skiff(['up', '--nodes', '2', ...FLAGS]);
  assert.equal(run.code, 0, `skiff up failed:\n${run.stdout}\n${run.stderr}`);
  for (let i = 1; i <= 6; i++) assert.match(run.stdout, new RegExp(`^\\[${i}/6\\] `, 'm'));
  const parsed = parseClusterState(
    JSON.parse(readFileSync(join(DATA_DIR, 'cluster.json'), 'utf8')),
  );
  assert.ok(parsed, 'cluster.json is a valid state file');
  state = parsed;
  assert.deepEqual(
    state.nodes.map((n) => [n.name, n.netns]),
    [
      ['n1', `${PREFIX}-n1`],
      ['n2', `${PREFIX}-n2`],
    ],
  );
  assert.equal(state.kubeconfig, join(DATA_DIR, 'server', 'kubeconfig'));
  assert.ok(run.stdout.includes(`export KUBECONFIG=${state.kubeconfig}`), run.stdout);
  assert.ok(run.stdout.includes(`nsenter --net=/run/netns/${PREFIX}-n1`), run.stdout);
  // The sample app answered through its service IP, and the next steps say how to ask again.
  assert.ok(state.sampleServiceIp, 'the state names the sample service IP');
  const answered = new RegExp(
    `http://${state.sampleServiceIp.replace(/\\./g, '\\.')}/ from node n1 answered: pod=echo-\\S+ path=/ client=`,
  );
  assert.match(run.stdout, answered);
  assert.ok(run.stdout.includes(`curl -s http://${state.sampleServiceIp}/`), run.stdout);
  assert.ok(run.stdout.includes(`npx skiff down --prefix ${PREFIX} --data-dir ${DATA_DIR}`));

  const nodes = JSON.parse(await kubectl(state.kubeconfig, ['get', 'nodes', '-o', 'json'])) as {
    items: {
      metadata: { name: string };
      spec: { podCIDR?: string };
      status: { conditions: { type: string; status: string }[]; addresses: { address: string }[] };
    }[];
  };
  assert.equal(nodes.items.length, 2);
  for (const n of nodes.items) {
    const ready = n.status.conditions.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True', `node ${n.metadata.name} Ready`);
    assert.ok(n.spec.podCIDR, `node ${n.metadata.name} has a podCIDR`);
    const ip = state.nodes.find((s) => s.name === n.metadata.name)?.ip;
    assert.ok(
      n.status.addresses.some((a) => a.address === ip),
      `node ${n.metadata.name} at ${ip}`,
    );
  }
});

test('a pod bound to each node through kubectl runs there and answers inside its node', async () => {
  assert.ok(state, 'the cluster is up');
  const pods = state.nodes.map((n) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `echo-${n.name}`, namespace: 'default' },
    spec: {
      nodeName: n.name,
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'echo',
          image: `${state.registry}/${ECHO_IMAGE}`,
          env: [{ name: 'POD_NAME', value: `echo-${n.name}` }],
        },
      ],
    },
  }));
  await kubectl(state.kubeconfig, ['apply', '-f', '-'], pods.map((p) => toYaml(p)).join('---\n'));
  for (const n of state.nodes) {
    const name = `echo-${n.name}`;
    let pod: { status?: { phase?: string; podIP?: string; hostIP?: string } } = {};
    const deadline = Date.now() + 120_000;
    while (pod.status?.phase !== 'Running' || !pod.status.podIP) {
      assert.ok(
        Date.now() < deadline,
        `pod ${name} Running within 120 s: ${JSON.stringify(pod.status)}`,
      );
      await sleep(500);
      pod = JSON.parse(
        await kubectl(state.kubeconfig, ['get', 'pod', name, '-o', 'json']),
      ) as typeof pod;
    }
    assert.equal(pod.status.hostIP, n.ip);
    // Running means started; the server in it may take a moment more to listen.
    const curl = () =>
      execRunner.run('nsenter', [
        `--net=/run/netns/${n.netns}`,
        'curl',
        ...['-s', '-m', '10', `http://${pod.status?.podIP}:8080/hello`],
      ]);
    let res = await curl();
    for (let i = 0; i < 60 && res.code !== 0; i++) {
      await sleep(500);
      res = await curl();
    }
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^pod=${name} path=/hello `));
  }
});

test('skiff up again finds the healthy cluster and reuses it', async () => {
  assert.ok(state, 'the cluster is up');
  const run = await skiff(['up', '--nodes', '2', ...FLAGS]);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /already up and healthy/);
  const again = parseClusterState(JSON.parse(readFileSync(join(DATA_DIR, 'cluster.json'), 'utf8')));
  assert.equal(again?.serverPid, state.serverPid);
});

test('skiff down removes everything of the cluster; a second down finds nothing', async () => {
  const run = await skiff(['down', ...FLAGS]);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, new RegExp(`netns ${PREFIX}-n1`));
  assert.match(run.stdout, /skiff server \(pid \d+\)/);
  assert.deepEqual(await leftovers(), []);
  const netns = await execRunner.run('ip', ['netns', 'list']);
  assert.doesNotMatch(netns.stdout, new RegExp(`^${PREFIX}-`, 'm'));
  const second = await skiff(['down', ...FLAGS]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Nothing to remove/);
});

test('a failed step is reported with its log lines and nothing is left behind', async () => {
  // A listener on every address takes the API port, so the server cannot bind it on the bridge.
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const run = await skiff(['up', '--nodes', '1', '--api-port', String(port), ...FLAGS]);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /skiff server on .* did not become ready/);
    assert.match(run.stderr, /EADDRINUSE/);
    assert.match(run.stdout, /nothing of the cluster is left/);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
  assert.deepEqual(await leftovers(), []);
});
