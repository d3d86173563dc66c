// runtimeLogSource behind the kubelet server against a REAL dockerd: one
// test node (a network namespace with its own dockerd and skiff's sample
// images, deploy/local-cluster), destroyed in `after` even when a case
// fails. Prefix "skiffks" and a data dir of its own. A container crashes
// (attempt 0) and is restarted (attempt 1); /containerLogs reads the
// latest, the previous and a followed stream through DockerRuntime.
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Pod } from '../../../control-plane/api/types.ts';
import {
  createTestNodes,
  ECHO_IMAGE,
  type LocalNode,
  type LocalNodes,
} from '../../../deploy/local-cluster/index.ts';
import { DockerRuntime } from '../../../node-agent/kubelet/runtime/docker-runtime.ts';
import {
  runtimeLogSource,
  startKubeletServer,
  type KubeletServer,
} from '../../../node-agent/server/index.ts';
import { httpGetInNode, waitHttpOk } from '../../deploy/local-cluster/node-helpers.ts';
import { container, pod } from '../kubelet/fixtures.ts';

const PREFIX = 'skiffks';
const DATA_DIR = join(tmpdir(), 'skiffks-log-source-test');
const NETWORK = 'skiff-pods';
const WAIT_MS = 60_000;

let cluster: LocalNodes | undefined;
let runtime: DockerRuntime;
let server: KubeletServer | undefined;
let base: string;
// What the agent's pod cache would hold; the cases set the container's status.
const web: Pod = pod('web', [container('app')]);

before(async () => {
  cluster = await createTestNodes({ count: 1, prefix: PREFIX, dataDir: DATA_DIR, registry: false });
  runtime = await DockerRuntime.connect({
    dockerHost: `unix://${theNode().dockerSocket}`,
    nodeName: 'n1',
  });
  await runtime.ensureNetwork('10.244.1.0/24', NETWORK);
  server = await startKubeletServer({
    address: '127.0.0.1',
    port: 0,
    source: { pods: () => [web], healthy: () => ({ ok: true }), ...runtimeLogSource(runtime) },
    log: createLogger({}, { level: 'error' }),
  });
  base = `http://127.0.0.1:${server.port}/containerLogs/default/web/app`;
});

after(async () => {
  await server?.close();
  await cluster?.destroy();
});

function theNode(): LocalNode {
  const n = cluster?.nodes[0];
  assert.ok(n, 'the test node exists');
  return n;
}

async function waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${WAIT_MS} ms`);
}

async function logs(query = ''): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${query}`);
  return { status: res.status, text: await res.text() };
}

/** Sets the container's status in the pod the source reports. */
function setState(state: NonNullable<NonNullable<Pod['status']>['containerStatuses']>[0]['state']) {
  web.status = {
    phase: 'Running',
    containerStatuses: [
      { name: 'app', image: ECHO_IMAGE, imageID: '', ready: false, restartCount: 0, state },
    ],
  };
}

let sandboxId = '';
let podIp = '';

test('no instance yet: 400 waiting to start; then the crashed attempt 0 is the latest', async () => {
  setState({ waiting: { reason: 'ContainerCreating' } });
  assert.deepEqual(await logs(), {
    status: 400,
    text: JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'container "app" in pod "web" is waiting to start: ContainerCreating',
      reason: 'BadRequest',
      code: 400,
    }),
  });

  const sb = await runtime.createSandbox(web, { network: NETWORK, attempt: 0 });
  sandboxId = sb.id;
  podIp = sb.ip;
  const env = [
    { name: 'POD_NAME', value: 'attempt0' },
    { name: 'EXIT_CODE', value: '3' },
  ];
  const first = await runtime.createContainer(web, container('app'), sandboxId, 0, {
    image: ECHO_IMAGE,
    env,
    mounts: [],
  });
  await runtime.startContainer(first);
  await waitFor('attempt 0 exits', async () => (await runtime.inspect(first))?.state === 'exited');

  // Back-off: the exited instance is lastState, read by both forms.
  setState({ waiting: { reason: 'CrashLoopBackOff' } });
  for (const query of ['', '?previous=true']) {
    const r = await logs(query);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /crashing with exit code 3\n$/);
  }
  // Terminated for good: there is no previous instance.
  setState({ terminated: { exitCode: 3, reason: 'Error' } });
  const none = await logs('?previous=true');
  assert.equal(none.status, 400);
  assert.match(none.text, /previous terminated container \\"app\\" in pod \\"web\\" not found/);
});

test('after a restart: latest is attempt 1, previous is attempt 0, tail and follow work', async () => {
  const second = await runtime.createContainer(web, container('app'), sandboxId, 1, {
    image: ECHO_IMAGE,
    env: [{ name: 'POD_NAME', value: 'attempt1' }],
    mounts: [],
  });
  await runtime.startContainer(second);
  setState({ running: { startedAt: new Date().toISOString() } });
  await waitHttpOk(theNode(), `http://${podIp}:8080/one`);

  const latest = await logs();
  assert.equal(latest.status, 200);
  assert.match(latest.text, /listening pod=attempt1 port=8080/);
  assert.match(latest.text, /GET \/one from /);
  assert.doesNotMatch(latest.text, /attempt0/);

  const previous = await logs('?previous=true');
  assert.match(previous.text, /crashing with exit code 3/);
  assert.doesNotMatch(previous.text, /attempt1/);

  const tail = await logs('?tailLines=1&timestamps=true');
  assert.match(tail.text, /^\d{4}-\d\d-\d\dT\S+Z .*GET \/one from \S+\n$/);

  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${base}?follow=true`, resolve).on('error', reject);
  });
  assert.equal(res.statusCode, 200);
  let seen = '';
  const request = httpGetInNode(theNode(), `http://${podIp}:8080/while-following`);
  for await (const chunk of res) {
    seen += String(chunk);
    if (seen.includes('GET /while-following')) break;
  }
  res.destroy();
  await request;
  assert.match(seen, /listening pod=attempt1/);
  assert.match(seen, /GET \/while-following from /);
});
