// The node agent under failure, end to end (real server, real agent process
// in a test node, real dockerd): kill -9 of the agent with 10 pods running,
// and the API server away for 60 s while a client keeps hitting a pod.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/index.ts';
import { LABEL_POD_NAME } from '../../../node-agent/kubelet/runtime/labels.ts';
import { waitHttpOk } from '../../deploy/local-cluster/node-helpers.ts';
import { PODS, startAgentCluster, type AgentCluster } from '../fixtures/agent-cluster.ts';
import { containerStatus, podManifest } from './pod-helpers.ts';

let c: AgentCluster;

before(async () => {
  c = await startAgentCluster({ prefix: 'skiffr' });
});
after(() => c?.destroy());

const isReady = (p: Pod) => containerStatus(p, 'app')?.ready === true;

/** Every container of the node's pods as Docker reports it: pod/container → id and start time. */
async function dockerView(): Promise<Map<string, string>> {
  const docker = c.node('n1').docker;
  const out = new Map<string, string>();
  for (const entry of await docker.listContainers({ all: true })) {
    const info = await docker.getContainer(entry.Id).inspect();
    const labels = info.Config.Labels ?? {};
    const key = `${labels[LABEL_POD_NAME] ?? '?'}/${info.Name}`;
    out.set(key, `${info.Id} ${info.State.Status} ${info.State.StartedAt}`);
  }
  return out;
}

test('kill -9 the agent with 10 pods running, start it again: nothing restarts', async () => {
  const names = Array.from({ length: 10 }, (_, i) => `keep-${i}`);
  for (const name of names) {
    await c.client.create(
      PODS,
      podManifest(name, { containers: [{ name: 'app', image: ECHO_IMAGE }] }),
      {
        namespace: 'default',
      },
    );
  }
  for (const name of names) await c.waitPod(name, isReady, 'Ready', 120_000);
  const before = await dockerView();
  assert.equal(before.size, 20, 'ten sandboxes and ten app containers');

  c.agents.get('n1')?.kill();
  await sleep(1000);
  await c.startAgent('n1');
  // Several relists and sync passes of every pod.
  await sleep(8000);
  for (const name of names) {
    const p = await c.client.get<Pod>(PODS, name, { namespace: 'default' });
    assert.equal(containerStatus(p, 'app')?.restartCount, 0, `${name} restartCount`);
    assert.ok(isReady(p), `${name} still Ready`);
  }
  assert.deepEqual(await dockerView(), before, 'same container IDs, states and StartedAt');
  for (const name of names)
    await c.client.delete(PODS, name, { namespace: 'default', gracePeriodSeconds: 0 });
});

test('the API server away for 60 s: the pod keeps answering, nothing restarts, status catches up', async () => {
  await c.client.create(
    PODS,
    podManifest('steady', { containers: [{ name: 'app', image: ECHO_IMAGE }] }),
    {
      namespace: 'default',
    },
  );
  await c.client.create(
    PODS,
    podManifest('flaky', { containers: [{ name: 'app', image: ECHO_IMAGE }] }),
    {
      namespace: 'default',
    },
  );
  const steady = await c.waitPod('steady', isReady, 'Ready');
  const flaky = await c.waitPod('flaky', isReady, 'Ready');
  const steadyId = containerStatus(steady, 'app')?.containerID;

  // A client in the node hits the pod IP every 100 ms for the whole outage.
  const url = `http://${steady.status?.podIP}:8080/ping`;
  // Ready without a probe means running; wait until the server in it listens.
  await waitHttpOk(c.node('n1'), url);
  const script = `
    let ok = 0, failed = 0; const errors = [];
    const end = Date.now() + 70_000;
    while (Date.now() < end) {
      try {
        const r = await fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(2000) });
        await r.text();
        if (r.status === 200) ok++; else { failed++; errors.push(r.status); }
      } catch (err) { failed++; errors.push(String(err.cause?.code ?? err.name)); }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(JSON.stringify({ ok, failed, errors: errors.slice(0, 5) }));`;
  const client = c.node('n1').run(process.execPath, ['--input-type=module', '-e', script], {
    timeoutMs: 120_000,
  });

  await sleep(2000);
  await c.server.halt();
  // While the API is away the agent still runs its pods: a container that dies is restarted.
  const flakyId = (containerStatus(flaky, 'app')?.containerID ?? '').replace('docker://', '');
  await c.node('n1').docker.getContainer(flakyId).kill();
  await sleep(60_000);
  await c.server.restart();

  const result = await client;
  const counts = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as {
    ok: number;
    failed: number;
    errors: string[];
  };
  assert.equal(counts.failed, 0, `no failed request (${JSON.stringify(counts)})`);
  assert.ok(counts.ok > 300, `the client ran through the outage (${counts.ok} answers)`);

  const after = await c.client.get<Pod>(PODS, 'steady', { namespace: 'default' });
  assert.equal(containerStatus(after, 'app')?.restartCount, 0);
  assert.equal(containerStatus(after, 'app')?.containerID, steadyId);
  // The restart that happened during the outage reaches the API once it is back.
  await c.waitPod(
    'flaky',
    (p) => containerStatus(p, 'app')?.restartCount === 1 && isReady(p),
    'restartCount 1 reported after the outage',
    90_000,
  );
});
