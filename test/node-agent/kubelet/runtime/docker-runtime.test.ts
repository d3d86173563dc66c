// DockerRuntime against a REAL dockerd: one test node (a network namespace
// with its own dockerd and skiff's sample images, deploy/local-cluster),
// shared by every case of this file and destroyed in `after`, even when a
// case fails. Prefix "skiffk" and a data dir of its own.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container, Pod } from '../../../../control-plane/api/types.ts';
import {
  createTestNodes,
  ECHO_IMAGE,
  type LocalNode,
  type LocalNodes,
} from '../../../../deploy/local-cluster/index.ts';
import { DockerRuntime } from '../../../../node-agent/kubelet/runtime/docker-runtime.ts';
import type {
  RuntimeContainerStatus,
  RuntimeEvent,
} from '../../../../node-agent/kubelet/runtime/runtime.ts';
import { isSyncError } from '../../../../node-agent/kubelet/sync-error.ts';
import { httpGetInNode, waitHttpOk } from '../../../deploy/local-cluster/node-helpers.ts';
import { container, pod } from '../fixtures.ts';

const PREFIX = 'skiffk';
const DATA_DIR = join(tmpdir(), 'skiffk-docker-runtime-test');
const POD_CIDR = '10.244.1.0/24';
const NETWORK = 'skiff-pods';
const WAIT_MS = 60_000;

let cluster: LocalNodes | undefined;
let runtime: DockerRuntime;

before(async () => {
  cluster = await createTestNodes({ count: 1, prefix: PREFIX, dataDir: DATA_DIR, registry: false });
  runtime = await DockerRuntime.connect({
    dockerHost: `unix://${theNode().dockerSocket}`,
    nodeName: 'n1',
  });
  await runtime.ensureNetwork(POD_CIDR, NETWORK);
});

after(async () => {
  await cluster?.destroy();
});

function theNode(): LocalNode {
  const n = cluster?.nodes[0];
  assert.ok(n, 'the test node exists');
  return n;
}

/** Polls `fn` until it returns a value (bounded); `what` names it in the failure. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${WAIT_MS} ms`);
}

async function waitExited(id: string): Promise<RuntimeContainerStatus> {
  return waitFor(`container ${id.slice(0, 12)} exits`, async () => {
    const s = await runtime.inspect(id);
    return s?.state === 'exited' ? s : undefined;
  });
}

/** Creates and starts a sandbox and the given containers of a pod; returns their IDs. */
async function runPod(
  p: Pod,
  start = true,
): Promise<{ sandbox: string; ip: string; ids: string[] }> {
  const sb = await runtime.createSandbox(p, { network: NETWORK, attempt: 0 });
  const ids: string[] = [];
  for (const c of p.spec.containers) {
    const env = (c.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' }));
    const id = await runtime.createContainer(p, c, sb.id, 0, {
      image: ECHO_IMAGE,
      env,
      mounts: [],
    });
    if (start) await runtime.startContainer(id);
    ids.push(id);
  }
  return { sandbox: sb.id, ip: sb.ip, ids };
}

async function readUntil(stream: Readable, text: string): Promise<string> {
  let seen = '';
  for await (const chunk of stream) {
    seen += String(chunk);
    if (seen.includes(text)) return seen;
  }
  throw new Error(`stream ended before "${text}"; got: ${seen}`);
}

const echo = (name: string, env: Record<string, string>, extra: Partial<Container> = {}) =>
  container(name, {
    env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
    ...extra,
  });

test('negotiates API 1.41 with the Debian engine and reports its version', async () => {
  const v = await runtime.version();
  assert.equal(v.name, 'docker');
  assert.equal(v.apiVersion, '1.41');
  assert.match(v.version, /^20\.10\./);
});

test('ensureNetwork is idempotent and refuses another subnet under the same name', async () => {
  const again = await runtime.ensureNetwork(POD_CIDR, NETWORK);
  assert.equal(again.subnet, POD_CIDR);
  assert.equal(again.gateway, '10.244.1.1');
  await assert.rejects(
    runtime.ensureNetwork('10.244.2.0/24', NETWORK),
    /exists with subnet 10\.244\.1\.0\/24/,
  );
});

test('a sandbox and two containers share one IP and reach each other on localhost', async () => {
  const p = pod('web', [
    echo('a', { PORT: '8080', POD_NAME: 'side-a' }),
    echo('b', { PORT: '8081', POD_NAME: 'side-b' }),
  ]);
  const { sandbox, ip, ids } = await runPod(p);
  assert.match(ip, /^10\.244\.1\.\d+$/);
  const [a, b] = ids;
  assert.ok(a && b);

  const fromNode = await waitHttpOk(theNode(), `http://${ip}:8081/from-node`);
  assert.match(fromNode.body ?? '', /^pod=side-b path=\/from-node /);
  const script =
    "fetch('http://127.0.0.1:8081/peer').then((r) => r.text()).then((t) => process.stdout.write(t))";
  const res = await runtime.exec(a, ['/usr/local/bin/node', '-e', script], 30_000);
  assert.equal(res.exitCode, 0, res.output);
  assert.equal(res.output, 'pod=side-b path=/peer client=127.0.0.1\n');

  const sandboxes = await runtime.listPodSandboxes({ podUid: p.metadata.uid ?? '' });
  assert.deepEqual(
    sandboxes.map((s) => [s.id, s.state, s.ip, s.network, s.containerName, s.podName]),
    [[sandbox, 'ready', ip, NETWORK, 'POD', 'web']],
  );
  const listed = await runtime.listContainers({ podUid: p.metadata.uid ?? '' });
  assert.deepEqual(
    listed.map((c) => [c.containerName, c.state, c.attempt, c.nodeName, c.podNamespace]).sort(),
    [
      ['a', 'running', 0, 'n1', 'default'],
      ['b', 'running', 0, 'n1', 'default'],
    ],
  );
  const status = await runtime.inspect(a);
  assert.equal(status?.state, 'running');
  assert.ok((status?.startedAt ?? 0) > 0);
  assert.match(status?.imageRef ?? '', /^docker:\/\/sha256:[0-9a-f]{64}$/);
  assert.equal(status?.image, ECHO_IMAGE);
  assert.equal(status?.hashVersion, '1');
});

test('logs: tail of the output, and a followed stream that sees new lines', async () => {
  const p = pod('logs', [echo('app', { POD_NAME: 'logs' })]);
  const { ip, ids } = await runPod(p);
  const [id] = ids;
  assert.ok(id);
  await waitHttpOk(theNode(), `http://${ip}:8080/first`);

  const tail = await readUntil(await runtime.containerLogs(id, { tailLines: 1 }), '\n');
  assert.match(tail, /GET \/first from /);
  assert.doesNotMatch(tail, /listening/, 'only the last line');

  const ac = new AbortController();
  const follow = await runtime.containerLogs(id, {
    follow: true,
    timestamps: true,
    signal: ac.signal,
  });
  const seen = readUntil(follow, 'GET /second');
  await httpGetInNode(theNode(), `http://${ip}:8080/second`);
  const text = await seen;
  ac.abort();
  assert.match(text, /listening pod=logs port=8080/);
  assert.match(text, /^\d{4}-\d\d-\d\dT\S+Z /m, 'engine timestamps were asked for');
});

test('stop with a grace period: SIGTERM exits 0 (Completed), an ignored SIGTERM is killed (137)', async () => {
  const p = pod('grace', [
    echo('polite', { PORT: '8080' }),
    echo('stubborn', { PORT: '8081', IGNORE_SIGTERM: '1' }),
  ]);
  const { ip, ids } = await runPod(p);
  const [polite, stubborn] = ids;
  assert.ok(polite && stubborn);
  await waitHttpOk(theNode(), `http://${ip}:8081/up`);

  await runtime.stopContainer(polite, 10);
  const ok = await waitExited(polite);
  assert.deepEqual([ok.exitCode, ok.reason], [0, 'Completed']);

  await runtime.stopContainer(stubborn, 2);
  const killed = await waitExited(stubborn);
  assert.deepEqual([killed.exitCode, killed.reason], [137, 'Error']);
  assert.ok((killed.finishedAt ?? 0) >= (killed.startedAt ?? Infinity));
  const logs = await readUntil(await runtime.containerLogs(stubborn, {}), 'SIGTERM ignored');
  assert.match(logs, /SIGTERM ignored \(IGNORE_SIGTERM=1\)/);
  await runtime.stopContainer(stubborn, 2); // stopping a stopped container is fine
});

test('exit codes map to Completed / Error, memory over the limit to OOMKilled', async () => {
  const p = pod('exits', [
    echo('zero', { EXIT_CODE: '0' }),
    echo('three', { EXIT_CODE: '3' }),
    echo('hog', { EAT_MEMORY_MB: '400' }, { resources: { limits: { memory: '128Mi' } } }),
  ]);
  const { ids } = await runPod(p);
  const results = await Promise.all(ids.map(waitExited));
  assert.deepEqual(
    results.map((r) => [r.containerName, r.exitCode, r.reason]),
    [
      ['zero', 0, 'Completed'],
      ['three', 3, 'Error'],
      ['hog', 137, 'OOMKilled'],
    ],
  );
});

test('a command that cannot run fails to start with RunContainerError and shows ContainerCannotRun', async () => {
  const p = pod('norun', [echo('bad', {}, { command: ['/no/such/binary'] })]);
  const { ids } = await runPod(p, false);
  const [id] = ids;
  assert.ok(id);
  await assert.rejects(runtime.startContainer(id), (err: unknown) => {
    assert.ok(isSyncError(err, 'RunContainerError'), String(err));
    assert.match(err.message, /no such file or directory/);
    return true;
  });
  const s = await runtime.inspect(id);
  assert.equal(s?.state, 'exited');
  assert.equal(s?.reason, 'ContainerCannotRun');
  assert.notEqual(s?.exitCode, 0);
  assert.match(s?.message ?? '', /no such file or directory/);
});

test('pulling from a loopback registry where nothing listens fails with ErrImagePull', async () => {
  const ref = '127.0.0.1:5999/none:1';
  assert.equal(await runtime.imagePresent(ref), undefined);
  assert.ok(await runtime.imagePresent(ECHO_IMAGE));
  await assert.rejects(runtime.pullImage(ref), (err: unknown) => {
    assert.ok(isSyncError(err, 'ErrImagePull'), String(err));
    assert.match(
      err.message,
      /^failed to pull image "127\.0\.0\.1:5999\/none:1": Get "http:\/\/127\.0\.0\.1:5999\/v2\/": dial tcp 127\.0\.0\.1:5999: connect: connection refused$/,
    );
    return true;
  });
});

test('a missing pause image fails the sandbox with CreatePodSandboxError and pulls nothing', async () => {
  const other = await DockerRuntime.connect({
    dockerHost: `unix://${theNode().dockerSocket}`,
    nodeName: 'n1',
    pauseImage: 'skiff/no-such-pause:1',
  });
  const p = pod('nopause', [echo('app', {})]);
  await assert.rejects(other.createSandbox(p, { network: NETWORK, attempt: 0 }), (err: unknown) => {
    assert.ok(isSyncError(err, 'CreatePodSandboxError'), String(err));
    assert.match(err.message, /the pause image skiff\/no-such-pause:1 is not on this node/);
    return true;
  });
  assert.deepEqual(await runtime.listPodSandboxes({ podUid: p.metadata.uid ?? '' }), []);
});

test("the event stream reports start and die of this node's containers", async () => {
  const ac = new AbortController();
  const events: RuntimeEvent[] = [];
  const since = Date.now() - 1000;
  const p = pod('events', [echo('short', { CRASH_AFTER_SECONDS: '1', EXIT_CODE: '4' })]);
  const { ids } = await runPod(p);
  const [id] = ids;
  assert.ok(id);
  // From a time before the pod: the engine replays what happened since.
  const iterator = runtime.events(ac.signal, since)[Symbol.asyncIterator]();
  let next = iterator.next();
  const deadline = Date.now() + WAIT_MS;
  while (!events.some((e) => e.containerId === id && e.action === 'die') && Date.now() < deadline) {
    const r = await next;
    if (r.done) break;
    events.push(r.value);
    next = iterator.next();
  }
  ac.abort();
  const mine = events.filter((e) => e.containerId === id);
  assert.deepEqual(
    mine.filter((e) => e.action === 'start' || e.action === 'die').map((e) => e.action),
    ['start', 'die'],
  );
  const die = mine.find((e) => e.action === 'die');
  assert.equal(die?.exitCode, 4);
  assert.equal(die?.containerName, 'short');
  assert.equal(die?.podUid, p.metadata.uid);
});

test('removeContainer removes sandboxes and containers; removing twice is fine', async () => {
  const all = [...(await runtime.listContainers()), ...(await runtime.listPodSandboxes())];
  assert.ok(all.length > 0);
  for (const c of all) {
    await runtime.removeContainer(c.id);
    await runtime.removeContainer(c.id);
  }
  assert.deepEqual(await runtime.listContainers(), []);
  assert.deepEqual(await runtime.listPodSandboxes(), []);
});
