// The node agent end to end: a real `skiff server`, a real `skiff agent` in
// a test node (network namespace + its own dockerd), real images built
// here, real kubectl. Each case creates its pods and checks what Kubernetes
// users would see. The back-off base is 2 s so that CrashLoopBackOff
// doubling is visible in seconds.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Container, Pod } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/index.ts';
import {
  LABEL_ATTEMPT,
  LABEL_CONTAINER_NAME,
  LABEL_POD_UID,
} from '../../../node-agent/kubelet/runtime/labels.ts';
import { httpGetInNode } from '../../deploy/local-cluster/node-helpers.ts';
import { PODS, startAgentCluster, type AgentCluster } from '../fixtures/agent-cluster.ts';
import {
  containerStatus,
  podManifest,
  waitEvents,
  waiting,
  watchWaitingReasons,
} from './pod-helpers.ts';

let c: AgentCluster;

before(async () => {
  c = await startAgentCluster({
    prefix: 'skiffa',
    agentArgs: ['--backoff-base', '2', '--backoff-cap', '16'],
  });
});
after(() => c?.destroy());

const create = (p: Pod) => c.client.create(PODS, p, { namespace: 'default' });

test('init container, two app containers and a readiness probe: Pending → Running and Ready', async () => {
  const app = (name: string, port: number, extra: Partial<Container> = {}): Container => ({
    name,
    image: ECHO_IMAGE,
    env: [
      { name: 'PORT', value: String(port) },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    ports: [{ containerPort: port }],
    ...extra,
  });
  const created = await create(
    podManifest('web', {
      initContainers: [
        { name: 'setup', image: ECHO_IMAGE, command: ['sh', '-c', 'echo setting up; sleep 1'] },
      ],
      containers: [
        app('web', 8080, {
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
        }),
        app('side', 9090),
      ],
    }),
  );
  assert.equal(created.status?.phase, 'Pending');
  const pod = await c.waitPod(
    'web',
    (p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true,
    'Ready=True',
  );
  assert.equal(pod.status?.phase, 'Running');
  assert.match(pod.status?.podIP ?? '', /^10\.244\.\d+\.\d+$/);
  assert.equal(pod.status?.hostIP, c.node('n1').ip);
  for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
    assert.equal(
      pod.status?.conditions?.find((x) => x.type === type)?.status,
      'True',
      `${type} is True`,
    );
  }
  const setup = pod.status?.initContainerStatuses?.[0];
  assert.equal(setup?.state?.terminated?.reason, 'Completed');
  for (const name of ['web', 'side']) {
    const s = containerStatus(pod, name);
    assert.ok(s?.state?.running?.startedAt, `${name} runs`);
    assert.equal(s.ready, true);
    assert.equal(s.started, true);
    assert.equal(s.restartCount, 0);
    assert.match(s.containerID ?? '', /^docker:\/\/[0-9a-f]{64}$/);
    assert.match(s.imageID ?? '', /sha256:[0-9a-f]{64}/);
  }

  // Same network namespace: the sidecar reaches web on localhost.
  const sideId = (containerStatus(pod, 'side')?.containerID ?? '').replace('docker://', '');
  const exec = await c
    .node('n1')
    .run('docker', [
      '-H',
      `unix://${c.node('n1').dockerSocket}`,
      'exec',
      sideId,
      'node',
      '-e',
      "fetch('http://127.0.0.1:8080/from-side').then(r=>r.text()).then(t=>console.log(t))",
    ]);
  assert.match(exec.stdout, /^pod=web path=\/from-side client=127\.0\.0\.1/);
  // And the pod IP answers from the node.
  const fromNode = await httpGetInNode(c.node('n1'), `http://${pod.status?.podIP}:9090/hello`);
  assert.match(fromNode.body ?? String(fromNode.error), /^pod=web path=\/hello/);

  const wide = await c.kubectl(['get', 'pod', 'web', '-o', 'wide']);
  assert.match(wide, /web\s+2\/2\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+n1/);
  const describe = await c.kubectl(['describe', 'pod', 'web']);
  assert.match(describe, /Status:\s+Running/);
  assert.match(describe, /Init Containers:\s+setup:/);
  assert.match(describe, /Reason:\s+Completed/);
  await waitEvents(c, 'web', (events) =>
    ['Pulled', 'Created', 'Started'].every((r) => events.some((e) => e.reason === r)),
  );
  assert.match(await c.kubectl(['describe', 'pod', 'web']), /Started container web/);
});

test('a container that exits 1: CrashLoopBackOff, restart delays that double', async () => {
  await create(
    podManifest('crash', {
      containers: [{ name: 'app', image: ECHO_IMAGE, env: [{ name: 'EXIT_CODE', value: '1' }] }],
    }),
  );
  // Each instance's run, read from Docker with sub-second times while it is there
  // (old instances are garbage-collected): attempt → [startedAt, finishedAt].
  const runs = new Map<number, [number, number]>();
  let seenBackOff = false;
  const deadline = Date.now() + 90_000;
  let last: Pod | undefined;
  const docker = c.node('n1').docker;
  while (Date.now() < deadline && runs.size < 4) {
    last = await c.client.get<Pod>(PODS, 'crash', { namespace: 'default' });
    if (waiting(last, 'app')?.reason === 'CrashLoopBackOff') seenBackOff = true;
    const listed = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_POD_UID}=${last.metadata.uid}`, `${LABEL_CONTAINER_NAME}=app`] },
    });
    for (const entry of listed) {
      // The kubelet may garbage-collect an old instance between list and inspect.
      const info = await docker
        .getContainer(entry.Id)
        .inspect()
        .catch((err: { statusCode?: number }) => {
          if (err.statusCode === 404) return undefined;
          throw err;
        });
      if (!info) continue;
      const attempt = Number(info.Config.Labels?.[LABEL_ATTEMPT] ?? -1);
      if (info.State.Status === 'exited')
        runs.set(attempt, [Date.parse(info.State.StartedAt), Date.parse(info.State.FinishedAt)]);
    }
    await sleep(200);
  }
  assert.ok(seenBackOff, `CrashLoopBackOff shown: ${JSON.stringify(last?.status)}`);
  assert.ok(
    runs.size >= 4,
    `4 runs seen (${runs.size}): ${JSON.stringify(last?.status)}\n${c.logs()}`,
  );
  // The wait between an exit and the next start: none, then the 2 s base, then 4 s.
  const waits = [1, 2, 3].map((a) => (runs.get(a)?.[0] ?? 0) - (runs.get(a - 1)?.[1] ?? 0));
  const [, w2 = 0, w3 = 0] = waits;
  assert.ok(w2 >= 1900, `second wait ${w2} ms ≥ 2 s (waits ${waits})`);
  assert.ok(w3 >= 3900, `third wait ${w3} ms ≥ 4 s (waits ${waits})`);
  assert.ok(w3 > w2 * 1.6, `the delay doubles (waits ${waits})`);
  const status = containerStatus(last!, 'app');
  assert.equal(status?.lastState?.terminated?.exitCode, 1);
  assert.equal(status?.lastState?.terminated?.reason, 'Error');
  assert.ok((status?.restartCount ?? 0) >= 3);
  await c.client.delete(PODS, 'crash', { namespace: 'default', gracePeriodSeconds: 0 });
});

test('over its memory limit: OOMKilled; restartPolicy Never and exit 0: Succeeded, Completed', async () => {
  await create(
    podManifest('hog', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: ECHO_IMAGE,
          env: [{ name: 'EAT_MEMORY_MB', value: '200' }],
          resources: { limits: { memory: '64Mi' } },
        },
      ],
    }),
  );
  await create(
    podManifest('once', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: ECHO_IMAGE, env: [{ name: 'EXIT_CODE', value: '0' }] }],
    }),
  );
  const hog = await c.waitPod('hog', (p) => p.status?.phase === 'Failed', 'phase Failed');
  assert.equal(containerStatus(hog, 'app')?.state?.terminated?.reason, 'OOMKilled');
  assert.equal(containerStatus(hog, 'app')?.state?.terminated?.exitCode, 137);
  const once = await c.waitPod('once', (p) => p.status?.phase === 'Succeeded', 'phase Succeeded');
  assert.equal(containerStatus(once, 'app')?.state?.terminated?.reason, 'Completed');
  assert.equal(containerStatus(once, 'app')?.state?.terminated?.exitCode, 0);
});

test('a failing liveness probe restarts the container; a failing readiness probe only unreadies it', async () => {
  const probe = {
    httpGet: { path: '/healthz', port: 8080 },
    periodSeconds: 1,
    failureThreshold: 2,
  };
  // The liveness probe starts late enough for the server to listen on a loaded machine,
  // and the readiness probe says when it does.
  await create(
    podManifest('live', {
      containers: [
        {
          name: 'app',
          image: ECHO_IMAGE,
          livenessProbe: { ...probe, initialDelaySeconds: 10 },
          readinessProbe: probe,
        },
      ],
    }),
  );
  await create(
    podManifest('ready', {
      containers: [{ name: 'app', image: ECHO_IMAGE, readinessProbe: probe }],
    }),
  );
  const isReady = (p: Pod) => containerStatus(p, 'app')?.ready === true;
  await c.waitPod('ready', isReady, 'ready');
  const live = await c.waitPod('live', isReady, 'ready');
  const liveId = containerStatus(live, 'app')?.containerID ?? '';
  const docker = ['-H', `unix://${c.node('n1').dockerSocket}`];
  const touch = async (p: Pod) => {
    const id = (containerStatus(p, 'app')?.containerID ?? '').replace('docker://', '');
    await c.node('n1').run('docker', [...docker, 'exec', id, 'touch', '/tmp/unhealthy']);
  };
  await touch(live);
  await touch(await c.client.get<Pod>(PODS, 'ready', { namespace: 'default' }));

  const restarted = await c.waitPod(
    'live',
    (p) =>
      (containerStatus(p, 'app')?.restartCount ?? 0) >= 1 &&
      containerStatus(p, 'app')?.containerID !== liveId,
    'a restart after the liveness probe failed',
  );
  assert.ok(containerStatus(restarted, 'app')?.lastState?.terminated);
  await waitEvents(c, 'live', (events) => {
    const lines = events.map((e) => `${e.reason}: ${e.message}`);
    return (
      lines.some((r) =>
        /^Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500/.test(r),
      ) &&
      lines.some((r) => /^Killing: Container app failed liveness probe, will be restarted/.test(r))
    );
  });

  const unready = await c.waitPod('ready', (p) => !isReady(p), 'Ready false');
  assert.equal(unready.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  assert.equal(containerStatus(unready, 'app')?.restartCount, 0);
  assert.ok(containerStatus(unready, 'app')?.state?.running, 'still running');
});

test('kubectl logs and kubectl logs -f return the container output', async () => {
  const script = 'i=0; while true; do echo "line-$i"; i=$((i+1)); sleep 0.5; done';
  await create(
    podManifest('talk', {
      containers: [{ name: 'app', image: ECHO_IMAGE, command: ['sh', '-c', script] }],
    }),
  );
  await c.waitPod(
    'talk',
    (p) => containerStatus(p, 'app')?.state?.running !== undefined,
    'running',
  );
  let logs = '';
  const deadline = Date.now() + 30_000;
  while (!/line-2\n/.test(logs) && Date.now() < deadline) {
    logs = await c.kubectl(['logs', 'talk']);
    await sleep(250);
  }
  assert.match(logs, /^line-0\nline-1\nline-2\n/);
  const seen = Number(/line-(\d+)\n$/.exec(logs)?.[1] ?? 0);
  const follower = c.kubectlFollow(['logs', '-f', '--tail=1', 'talk']);
  try {
    // Lines written after kubectl started arrive while it runs.
    await follower.waitFor(new RegExp(`line-${seen + 4}\\n`));
  } finally {
    follower.stop();
  }
});

test('deleting a pod that ignores SIGTERM completes after its grace period; nothing remains', async () => {
  await create(
    podManifest('stubborn', {
      terminationGracePeriodSeconds: 3,
      containers: [
        { name: 'app', image: ECHO_IMAGE, env: [{ name: 'IGNORE_SIGTERM', value: '1' }] },
      ],
    }),
  );
  const pod = await c.waitPod('stubborn', (p) => p.status?.phase === 'Running', 'Running');
  const uid = pod.metadata.uid ?? '';
  const started = Date.now();
  await c.client.delete(PODS, 'stubborn', { namespace: 'default' });
  const deadline = Date.now() + 60_000;
  let gone = false;
  while (!gone && Date.now() < deadline) {
    try {
      await c.client.get(PODS, 'stubborn', { namespace: 'default' });
      await sleep(200);
    } catch {
      gone = true;
    }
  }
  assert.ok(gone, `the pod is gone within 60 s\n${c.logs()}`);
  const took = Date.now() - started;
  assert.ok(took >= 3000, `it took the grace period (${took} ms)`);
  const left = await c.node('n1').docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_POD_UID}=${uid}`] },
  });
  assert.deepEqual(left, [], 'none of its containers remains');
});

test('an unreachable registry: ErrImagePull then ImagePullBackOff; a malformed name: InvalidImageName', async () => {
  const reasons = watchWaitingReasons(c, 'unpullable', 'app');
  await create(
    podManifest('unpullable', { containers: [{ name: 'app', image: '127.0.0.1:5999/none:1' }] }),
  );
  await create(
    podManifest('malformed', { containers: [{ name: 'app', image: 'Not A Valid Image!' }] }),
  );
  try {
    await reasons.waitFor(['ErrImagePull', 'ImagePullBackOff']);
  } finally {
    reasons.stop();
  }
  const bad = await c.waitPod(
    'malformed',
    (p) => waiting(p, 'app')?.reason === 'InvalidImageName',
    'InvalidImageName',
  );
  assert.match(waiting(bad, 'app')?.message ?? '', /Not A Valid Image!/);
  // Neither disturbed the pod that runs.
  const web = await c.client.get<Pod>(PODS, 'web', { namespace: 'default' });
  assert.equal(containerStatus(web, 'web')?.restartCount, 0);
  assert.equal(web.status?.phase, 'Running');
});

test('env from ConfigMap, Secret and pod fields; configMap, secret, emptyDir and hostPath volumes; resources; runAsUser', async () => {
  const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
  const SECRETS = findResource('', 'v1', 'secrets') as ResourceInfo;
  await c.client.create(
    CONFIGMAPS,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { greeting: 'hello', 'app.conf': 'mode=fast' },
    },
    { namespace: 'default' },
  );
  await c.client.create(
    SECRETS,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds' },
      data: { token: Buffer.from('s3cret').toString('base64') },
    },
    { namespace: 'default' },
  );
  // A directory of the node's filesystem (the agent runs in the host's mount namespace).
  const hostDir = join(c.node('n1').dir, 'host-data');
  await mkdir(hostDir, { recursive: true });
  await writeFile(join(hostDir, 'marker'), 'on-the-node');
  const script = [
    'echo "greeting=$GREETING token=$TOKEN pod=$MY_POD ns=$MY_NS ip=$MY_IP node=$MY_NODE uid=$(id -u)"',
    'echo "conf=$(cat /etc/app/app.conf) secret=$(cat /etc/creds/token) shared=$(cat /shared/note) host=$(cat /host/marker)"',
    'sleep 3600',
  ].join('; ');
  await create(
    podManifest('wired', {
      volumes: [
        { name: 'cfg', configMap: { name: 'settings' } },
        { name: 'sec', secret: { secretName: 'creds' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'host', hostPath: { path: hostDir, type: 'Directory' } },
      ],
      initContainers: [
        {
          name: 'prepare',
          image: ECHO_IMAGE,
          command: ['sh', '-c', 'echo from-init > /shared/note'],
          volumeMounts: [{ name: 'scratch', mountPath: '/shared' }],
        },
      ],
      containers: [
        {
          name: 'app',
          image: ECHO_IMAGE,
          command: ['sh', '-c', script],
          securityContext: { runAsUser: 1000 },
          resources: {
            requests: { cpu: '250m', memory: '32Mi' },
            limits: { cpu: '500m', memory: '128Mi' },
          },
          env: [
            {
              name: 'GREETING',
              valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } },
            },
            { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
            { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          ],
          volumeMounts: [
            { name: 'cfg', mountPath: '/etc/app' },
            { name: 'sec', mountPath: '/etc/creds' },
            { name: 'scratch', mountPath: '/shared' },
            { name: 'host', mountPath: '/host', readOnly: true },
          ],
        },
      ],
    }),
  );
  const pod = await c.waitPod(
    'wired',
    (p) => containerStatus(p, 'app')?.state?.running !== undefined,
    'running',
  );
  let logs = '';
  const deadline = Date.now() + 30_000;
  while (!/host=/.test(logs) && Date.now() < deadline) {
    logs = await c.kubectl(['logs', 'wired']);
    await sleep(250);
  }
  assert.match(
    logs,
    new RegExp(
      `greeting=hello token=s3cret pod=wired ns=default ip=${pod.status?.podIP?.replace(/\./g, '\\.')} node=n1 uid=1000`,
    ),
  );
  assert.match(logs, /conf=mode=fast secret=s3cret shared=from-init host=on-the-node/);
  const id = (containerStatus(pod, 'app')?.containerID ?? '').replace('docker://', '');
  const info = await c.node('n1').docker.getContainer(id).inspect();
  assert.equal(info.HostConfig.CpuShares, 256, 'requests.cpu 250m → 256 shares');
  assert.equal(info.HostConfig.CpuQuota, 50_000, 'limits.cpu 500m → 50 ms per 100 ms');
  assert.equal(info.HostConfig.Memory, 128 * 1024 * 1024);
  assert.equal(pod.status?.qosClass, 'Burstable');
});
