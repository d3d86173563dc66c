/**
 * startNode against a real API server (in-process, real SQLite store file),
 * with the machine's real readings, through a kubeconfig as the agent
 * connects: registration, status, conditions, the Lease, pod CIDR
 * assignment, re-registration, kubectl's view, and heartbeats that resume
 * after the API server stops and comes back on the same port and store.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ApiClient } from '../../../control-plane/api/client/client.ts';
import { createLogger } from '../../../control-plane/api/log.ts';
import { quantityValue } from '../../../control-plane/api/quantity.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Lease, Node, NodeCondition } from '../../../control-plane/api/types.ts';
import { kubeconfigFor } from '../../../control-plane/cli/server.ts';
import { KUBELET_VERSION, startNode, type NodeHandle } from '../../../node-agent/node/index.ts';
import { ApiFixture, eventually } from '../../control-plane/api/client/api-fixture.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;
const run = promisify(execFile);

const logLines: string[] = [];
const log = createLogger({}, { level: 'debug', sink: (l) => logLines.push(l) });

let fx: ApiFixture;
let admin: ApiClient;
let agentClient: ApiClient;
let kubeconfig: string;
const handles: NodeHandle[] = [];

before(async () => {
  fx = await ApiFixture.start();
  kubeconfig = join(fx.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(fx.url), { mode: 0o600 });
  admin = fx.client();
  agentClient = ApiClient.fromKubeconfig(kubeconfig, { timeoutMs: 5_000 });
});

after(async () => {
  await Promise.all(handles.map((h) => h.stop()));
  agentClient?.close();
  await fx?.destroy();
});

/** A node with short periods, so the test sees several passes in a second. */
async function start(nodeName: string, over: { statusReportMs?: number } = {}) {
  const h = await startNode({
    client: agentClient,
    nodeName,
    dataDir: fx.dir,
    runtimeVersion: async () => 'docker://20.10.24',
    statusUpdateMs: 200,
    statusReportMs: over.statusReportMs ?? 1_000,
    leaseRenewMs: 200,
    retryBackoff: { initialMs: 50, maxMs: 500 },
    log,
  });
  handles.push(h);
  return h;
}

const getNode = (name: string) => admin.get<Node>(NODES, name);
const getLease = (name: string) => admin.get<Lease>(LEASES, name, { namespace: 'kube-node-lease' });
/** The Lease's renewTime, '' while it does not exist yet. */
const renewTime = (name: string) =>
  getLease(name).then(
    (l) => l.spec?.renewTime ?? '',
    (err: unknown) => {
      if ((err as { code?: number }).code === 404) return '';
      throw err;
    },
  );
const condition = (n: Node, type: string): NodeCondition | undefined =>
  n.status?.conditions?.find((c) => c.type === type);

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    timeout: 60_000,
  });
  return stdout;
}

describe('a node registered by startNode', () => {
  let h: NodeHandle;
  before(async () => {
    h = await start('node-a');
  });

  test('has capacity, allocatable, addresses, node info and Ready=True', async () => {
    const n = await getNode('node-a');
    const memTotal = Number(
      /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1],
    );
    assert.equal(n.status?.capacity?.cpu, String(cpus().length));
    assert.equal(quantityValue(n.status?.capacity?.memory ?? ''), memTotal * 1024);
    assert.equal(n.status?.capacity?.pods, '110');
    const cap = (k: string) => quantityValue(n.status?.capacity?.[k] ?? '') ?? 0;
    const alloc = (k: string) => quantityValue(n.status?.allocatable?.[k] ?? '') ?? 0;
    assert.equal(alloc('memory'), cap('memory') - 100 * 1024 * 1024);
    assert.ok(
      cap('ephemeral-storage') > 0 && alloc('ephemeral-storage') < cap('ephemeral-storage'),
    );
    assert.deepEqual(
      n.status?.addresses?.map((a) => a.type),
      ['InternalIP', 'Hostname'],
    );
    assert.equal(n.status?.addresses?.[0]?.address, h.nodeIp());
    assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
    assert.equal(n.status?.nodeInfo?.kubeletVersion, KUBELET_VERSION);
    assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'docker://20.10.24');
    assert.equal(n.status?.nodeInfo?.operatingSystem, 'linux');
    assert.ok(n.status?.nodeInfo?.osImage && n.status.nodeInfo.kernelVersion);
    assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], 'node-a');
    assert.equal(n.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.deepEqual(
      n.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
  });

  test('kubectl shows it Ready with its version and address', async () => {
    const n = JSON.parse(await kubectl('get', 'node', 'node-a', '-o', 'json')) as Node;
    assert.equal(condition(n, 'Ready')?.status, 'True');
    const wide = await kubectl('get', 'node', 'node-a', '-o', 'wide', '--no-headers');
    const cols = wide.trim().split(/\s+/);
    assert.equal(cols[0], 'node-a');
    assert.equal(cols[1], 'Ready');
    assert.ok(cols.includes(KUBELET_VERSION), wide);
    assert.ok(cols.includes(h.nodeIp()), wide);
    assert.ok(wide.includes('docker://20.10.24'), wide);
  });

  test('its Lease is owned by the Node and renewed', async () => {
    await eventually('the Lease', async () => (await renewTime('node-a')) !== '');
    const first = await getLease('node-a');
    const node = await getNode('node-a');
    assert.equal(first.spec?.holderIdentity, 'node-a');
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.deepEqual(first.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: node.metadata.uid },
    ]);
    await eventually(
      'a renewal',
      async () => (await renewTime('node-a')) !== first.spec?.renewTime,
      20_000,
    );
  });

  test('setRuntimeHealth turns Ready False with the message, and back', async () => {
    h.setRuntimeHealth(false, 'container runtime is down: connect ENOENT /run/docker.sock');
    await eventually('Ready=False', async () => {
      const ready = condition(await getNode('node-a'), 'Ready');
      return (
        ready?.status === 'False' &&
        ready.reason === 'KubeletNotReady' &&
        ready.message === 'container runtime is down: connect ENOENT /run/docker.sock'
      );
    });
    h.setRuntimeHealth(true);
    await eventually(
      'Ready=True',
      async () => condition(await getNode('node-a'), 'Ready')?.status === 'True',
    );
  });

  test('conditions someone else marked Unknown are put right', async () => {
    const n = await getNode('node-a');
    const conditions = (n.status?.conditions ?? []).map((c) => ({
      ...c,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    }));
    const marked = await admin.updateStatus(NODES, { ...n, status: { ...n.status, conditions } });
    assert.equal(condition(marked, 'Ready')?.status, 'Unknown');
    await eventually(
      'Ready=True again',
      async () => condition(await getNode('node-a'), 'Ready')?.status === 'True',
    );
  });

  test('a pod CIDR assigned after registration reaches onPodCidr', async () => {
    assert.equal(h.podCidr(), undefined);
    const seen: string[] = [];
    const unsubscribe = h.onPodCidr((c) => seen.push(c));
    const n = await getNode('node-a');
    // As the node IPAM controller does.
    const spec = { ...n.spec, podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.7.0/24'] };
    await admin.update(NODES, { ...n, spec });
    await eventually('the callback', () => seen.length > 0);
    assert.deepEqual(seen, ['10.244.7.0/24']);
    assert.equal(h.podCidr(), '10.244.7.0/24');
    unsubscribe();
  });

  test('a deleted Node is registered again and its Lease follows the new uid', async () => {
    const old = await getNode('node-a');
    await admin.delete(NODES, 'node-a');
    let fresh: Node | undefined;
    await eventually('the Node again', async () => {
      fresh = await getNode('node-a').catch(() => undefined);
      return fresh !== undefined && fresh.metadata.uid !== old.metadata.uid;
    });
    assert.equal(condition(fresh as Node, 'Ready')?.status, 'True');
    await eventually(
      'the Lease owned by the new Node',
      async () =>
        (await getLease('node-a')).metadata.ownerReferences?.[0]?.uid === fresh?.metadata.uid,
    );
  });

  test('stop() ends the loops and leaves no timers', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await h.stop();
    const rv = (await getLease('node-a')).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 600)); // three renew periods
    assert.equal((await getLease('node-a')).metadata.resourceVersion, rv);
    // The API server in this process may still be closing the watch it served.
    await eventually('no timers', () => timers() === 0, 10_000);
  });
});

describe('re-registration over an existing Node', () => {
  test('keeps spec (podCIDR, taints) and labels of others, replaces its own labels', async () => {
    const h1 = await start('node-b');
    const uid = h1.node().metadata.uid;
    await h1.stop();
    const n = await getNode('node-b');
    await admin.update(NODES, {
      ...n,
      metadata: {
        ...n.metadata,
        labels: { ...n.metadata.labels, team: 'a', 'kubernetes.io/hostname': 'stale' },
      },
      spec: {
        podCIDR: '10.244.9.0/24',
        podCIDRs: ['10.244.9.0/24'],
        taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
      },
    });
    const h2 = await start('node-b');
    assert.equal(h2.podCidr(), '10.244.9.0/24');
    const after = await getNode('node-b');
    assert.equal(after.metadata.uid, uid);
    assert.equal(after.spec?.podCIDR, '10.244.9.0/24');
    assert.deepEqual(after.spec?.taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.equal(after.metadata.labels?.team, 'a');
    assert.equal(after.metadata.labels?.['kubernetes.io/hostname'], 'node-b');
    assert.equal(condition(after, 'Ready')?.status, 'True');
    await h2.stop();
  });
});

test('a Node the server finds invalid fails startNode at once, naming it', async () => {
  await assert.rejects(start('Bad_Name'), /the API server rejected node "Bad_Name"/);
});

describe('status writes', () => {
  test('only on change until the report interval is due', async () => {
    const h = await start('node-e', { statusReportMs: 60_000 });
    const rv = (await getNode('node-e')).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 1_000)); // five passes at 200 ms
    assert.equal((await getNode('node-e')).metadata.resourceVersion, rv);
    h.setRuntimeHealth(false);
    await eventually(
      'Ready=False written',
      async () =>
        condition(await getNode('node-e'), 'Ready')?.message === 'container runtime is down',
    );
    await h.stop();
  });
});

describe('API server outages', () => {
  test('registration waits for the API server, logging each retry', async () => {
    await fx.stop();
    const before = logLines.length;
    const starting = start('node-c');
    await eventually('two logged retries', () => retries(logLines.slice(before), 'node-c') >= 2);
    await fx.restart();
    const h = await starting;
    assert.equal((await getNode('node-c')).metadata.uid, h.node().metadata.uid);
    await h.stop();
  });

  test('heartbeats and status resume after the API server comes back', async () => {
    const h = await start('node-d');
    await eventually('a first renewal', async () => (await renewTime('node-d')) !== '');
    await fx.stop();
    await new Promise((r) => setTimeout(r, 1_500)); // several renewals fail meanwhile
    const back = Date.now();
    await fx.restart();
    await eventually(
      'a lease renewed after the restart',
      async () => Date.parse(await renewTime('node-d')) >= back,
      20_000,
    );
    await eventually(
      'a status heartbeat after the restart',
      async () =>
        Date.parse(condition(await getNode('node-d'), 'Ready')?.lastHeartbeatTime ?? '') >=
        back - 1_000, // heartbeat times have whole seconds
      20_000,
    );
    assert.equal(h.node().metadata.name, 'node-d');
    await h.stop();
  });
});

function retries(lines: string[], node: string): number {
  return lines
    .map((l) => JSON.parse(l) as { msg?: string; node?: string })
    .filter((l) => l.msg === 'Unable to register node with API server, retrying' && l.node === node)
    .length;
}
