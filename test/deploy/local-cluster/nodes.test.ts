// Real nodes: two network namespaces on a fenced host bridge, each with its
// own dockerd, skiff's sample images loaded and in a local registry; pods as
// a pause container plus an echo container in its network namespace. Shared
// by all cases of this file and removed by the last one (and by `after`,
// should a case fail first). Prefix "skifft" and a data dir of its own.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type Docker from 'dockerode';
import {
  createTestNodes,
  ECHO_IMAGE,
  execRunner,
  findLeftovers,
  PAUSE_IMAGE,
  type LocalNodes,
} from '../../../deploy/local-cluster/index.ts';
import { buildSampleImages } from '../../../deploy/local-cluster/images/sample-images.ts';
import {
  httpGetInNode,
  pidsMentioning,
  startContainer,
  udpAskInNode,
  waitExit,
  waitHttpOk,
  within,
} from './node-helpers.ts';

const PREFIX = 'skifft';
const DATA_DIR = join(tmpdir(), 'skifft-nodes-test');
const POD_SUBNET = '10.244.1.0/24';
const PODS_NETWORK = 'pods';
let cluster: LocalNodes;

before(async () => {
  cluster = await createTestNodes({ count: 2, prefix: PREFIX, dataDir: DATA_DIR });
  await node(0).docker.createNetwork({
    Name: PODS_NETWORK,
    Driver: 'bridge',
    IPAM: { Config: [{ Subnet: POD_SUBNET }] },
  });
});
after(async () => {
  await cluster?.destroy();
});

const node = (i: number) => {
  const n = cluster.nodes[i];
  assert.ok(n, `node ${i} exists`);
  return n;
};
const imageId = (ref: string) => cluster.images.images.find((i) => i.ref === ref)?.config.digest;

test('each dockerd answers on its own socket from inside its node namespace', async () => {
  for (const n of cluster.nodes) {
    const version = await n.docker.version();
    assert.equal(version.ApiVersion, '1.41');
    const ns = await execRunner.run('ip', ['netns', 'identify', String(n.dockerd.pid)]);
    assert.equal(ns.stdout.trim(), n.netns, `dockerd of ${n.name} runs in ${n.netns}`);
  }
  assert.notEqual(node(0).dockerSocket, node(1).dockerSocket);
});

test('nodes reach each other and the host bridge but have no route off the machine', async () => {
  const routes = await node(0).run('ip', ['route']);
  assert.doesNotMatch(routes.stdout, /default/);
  assert.match(routes.stdout, /^10\.96\.0\.0\/16 dev eth0 scope link/m);
  const out = await node(0).run('ip', ['route', 'get', '192.0.2.1']);
  assert.notEqual(out.code, 0, 'the uplink network is unreachable from a node');
  const ping = await node(0).run('/bin/busybox', ['ping', '-c', '1', '-W', '5', node(1).ip]);
  assert.equal(ping.code, 0, `n1 pings n2: ${ping.stdout}${ping.stderr}`);
  const fence = await execRunner.run('iptables', ['-w', '-S', cluster.network.chain]);
  const bridge = cluster.network.bridge;
  assert.match(fence.stdout, new RegExp(`-i ${bridge} -o ${bridge} -j ACCEPT`));
  assert.match(fence.stdout, new RegExp(`-i ${bridge} -j DROP`));
  assert.match(fence.stdout, new RegExp(`-o ${bridge} -j DROP`));
  const forward = await execRunner.run('iptables', ['-w', '-S', 'FORWARD']);
  assert.match(forward.stdout, new RegExp(`-A FORWARD -j ${cluster.network.chain}`));
  const proxyArp = readFileSync(`/proc/sys/net/ipv4/conf/${bridge}/proxy_arp`, 'utf8');
  assert.equal(proxyArp.trim(), '0');
});

test('sample images are loaded in every node with reproducible IDs', async () => {
  const rebuilt = await buildSampleImages(
    { cacheDir: join(DATA_DIR, 'images-rebuild') },
    execRunner,
  );
  for (const ref of [PAUSE_IMAGE, ECHO_IMAGE]) {
    const id = imageId(ref);
    assert.ok(id);
    assert.equal(
      rebuilt.images.find((i) => i.ref === ref)?.config.digest,
      id,
      `${ref} rebuilds identically`,
    );
    for (const n of cluster.nodes) assert.equal((await n.docker.getImage(ref).inspect()).Id, id);
  }
});

test('a pause container and an echo container joined to it answer with the pod name', async () => {
  const docker = node(0).docker;
  const pause = await startContainer(docker, {
    Image: PAUSE_IMAGE,
    name: 'web-1-pause',
    HostConfig: { NetworkMode: PODS_NETWORK },
  });
  const echo = await startContainer(docker, {
    Image: ECHO_IMAGE,
    name: 'web-1-echo',
    Env: ['POD_NAME=web-1'],
    HostConfig: { NetworkMode: `container:${pause.id}` },
  });
  const podIp = (await pause.inspect()).NetworkSettings.Networks[PODS_NETWORK]?.IPAddress ?? '';
  assert.match(podIp, /^10\.244\.1\.\d+$/);
  const res = await waitHttpOk(node(0), `http://${podIp}:8080/hello`);
  assert.match(res.body ?? '', /^pod=web-1 path=\/hello client=10\.244\.1\.1\n$/);
  const udp = await udpAskInNode(node(0), podIp, 8080);
  assert.match(udp.body ?? '', /^pod=web-1 client=/);

  assert.equal((await httpGetInNode(node(0), `http://${podIp}:8080/healthz`)).status, 200);
  await execIn(echo, ['touch', '/tmp/unhealthy']);
  assert.equal((await httpGetInNode(node(0), `http://${podIp}:8080/healthz`)).status, 500);

  await echo.stop({ t: 30 });
  assert.equal((await waitExit(echo)).ExitCode, 0, 'echo exits 0 on SIGTERM');
  await pause.stop({ t: 30 });
  assert.equal((await waitExit(pause)).ExitCode, 0, 'pause exits 0 on SIGTERM');
});

test('node 2 pulls the sample images from the local registry', async () => {
  const registry = cluster.registry;
  assert.ok(registry);
  const docker = node(1).docker;
  // Drop the loaded copies first, so every layer really comes over the bridge.
  for (const ref of [ECHO_IMAGE, PAUSE_IMAGE]) await docker.getImage(ref).remove();
  const ref = `${registry.address}/${ECHO_IMAGE}`;
  const stream = await docker.pull(ref);
  const events = await within(
    new Promise<unknown[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out ?? []))),
    ),
    180_000,
    `pull ${ref}`,
  );
  const completed = events.filter((e) => (e as { status?: unknown }).status === 'Pull complete');
  assert.equal(completed.length, 2, 'both layers were downloaded');
  assert.equal((await docker.getImage(ref).inspect()).Id, imageId(ECHO_IMAGE));
  const c = await startContainer(docker, { Image: ref, Env: ['EXIT_CODE=0'] });
  assert.equal((await waitExit(c)).ExitCode, 0);
});

interface BehaviourCase {
  name: string;
  env: string[];
  memoryMb?: number;
  /** Stop with this timeout instead of waiting for the container to exit by itself. */
  stopAfterStartSec?: number;
  exitCode: number;
  oomKilled?: boolean;
}

const behaviours: BehaviourCase[] = [
  { name: 'CRASH_AFTER_SECONDS exits 1', env: ['CRASH_AFTER_SECONDS=1'], exitCode: 1 },
  {
    name: 'EXIT_CODE sets the crash code',
    env: ['CRASH_AFTER_SECONDS=1', 'EXIT_CODE=3'],
    exitCode: 3,
  },
  { name: 'EXIT_CODE alone exits at once', env: ['EXIT_CODE=7'], exitCode: 7 },
  { name: 'SIGTERM exits 0', env: [], stopAfterStartSec: 30, exitCode: 0 },
  {
    name: 'IGNORE_SIGTERM is killed after the stop timeout',
    env: ['IGNORE_SIGTERM=1'],
    stopAfterStartSec: 2,
    exitCode: 137,
  },
  {
    name: 'EAT_MEMORY_MB over the limit is OOM-killed',
    env: ['EAT_MEMORY_MB=400'],
    memoryMb: 128,
    exitCode: 137,
    oomKilled: true,
  },
];

for (const tc of behaviours) {
  test(`echo behaviour: ${tc.name}`, async () => {
    const docker = node(0).docker;
    const c = await startContainer(docker, {
      Image: ECHO_IMAGE,
      Env: tc.env,
      HostConfig: {
        NetworkMode: 'none',
        ...(tc.memoryMb ? { Memory: tc.memoryMb * 1024 * 1024 } : {}),
      },
    });
    if (tc.stopAfterStartSec !== undefined) {
      await waitLogged(c, 'listening');
      await c.stop({ t: tc.stopAfterStartSec });
    }
    const state = await waitExit(c);
    assert.equal(state.ExitCode, tc.exitCode);
    assert.equal(state.OOMKilled, tc.oomKilled ?? false);
    await c.remove();
  });
}

test('HANG accepts connections but never answers', async () => {
  const docker = node(0).docker;
  const c = await startContainer(docker, {
    Image: ECHO_IMAGE,
    Env: ['HANG=1', 'POD_NAME=hung'],
    HostConfig: { NetworkMode: PODS_NETWORK },
  });
  await waitLogged(c, 'listening');
  const ip = (await c.inspect()).NetworkSettings.Networks[PODS_NETWORK]?.IPAddress ?? '';
  const res = await httpGetInNode(node(0), `http://${ip}:8080/`, 2_000);
  assert.equal(
    res.error,
    'TimeoutError',
    `no answer, but no refusal either: ${JSON.stringify(res)}`,
  );
  assert.match(await logsOf(c), /GET \/ from/, 'the request was accepted');
  // Left running: the next case crashes its dockerd under it.
});

test('destroy after a dockerd crash removes every namespace, link, chain, process, mount, cgroup and the data dir', async () => {
  const pids = [...cluster.nodes.map((n) => n.dockerd.pid), cluster.registry?.pid ?? 0];
  const teardown = { prefix: PREFIX, dataDir: DATA_DIR };
  assert.notDeepEqual(await findLeftovers(teardown, execRunner), [], 'leftovers are detected');
  // A crashed dockerd leaves containerd, shims, a running container and its mounts behind.
  process.kill(node(0).dockerd.pid, 'SIGKILL');
  await cluster.destroy();
  assert.deepEqual(await findLeftovers(teardown, execRunner), []);
  const netns = await execRunner.run('ip', ['netns', 'list']);
  assert.doesNotMatch(netns.stdout, /^skifft-/m);
  const links = await execRunner.run('ip', ['-o', 'link', 'show']);
  assert.doesNotMatch(links.stdout, /skifft/);
  const forward = await execRunner.run('iptables', ['-w', '-S']);
  assert.doesNotMatch(forward.stdout, /SKIFFT-HOST-FWD/);
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone`);
  assert.deepEqual(
    pidsMentioning(DATA_DIR),
    [],
    'no containerd, shim or other process of the nodes',
  );
  assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), /skifft/);
  assert.equal(existsSync(DATA_DIR), false);
  await cluster.destroy(); // idempotent
});

async function execIn(c: Docker.Container, cmd: string[]): Promise<void> {
  const exec = await c.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await within(
    new Promise((resolve) => stream.on('end', resolve).resume()),
    30_000,
    `exec ${cmd.join(' ')}`,
  );
  assert.equal((await exec.inspect()).ExitCode, 0, `${cmd.join(' ')} succeeds`);
}

async function logsOf(c: Docker.Container): Promise<string> {
  const buf = await c.logs({ stdout: true, stderr: true, follow: false });
  return buf.toString('utf8');
}

async function waitLogged(c: Docker.Container, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await logsOf(c)).includes(text)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`container ${c.id.slice(0, 12)} never logged "${text}": ${await logsOf(c)}`);
}
