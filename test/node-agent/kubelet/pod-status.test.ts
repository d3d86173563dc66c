import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStatus, Pod, PodStatus } from '../../../control-plane/api/types.ts';
import type { SyncFailure } from '../../../node-agent/kubelet/container-statuses.ts';
import type { ObservedPod } from '../../../node-agent/kubelet/observed-pod.ts';
import { generatePodStatus, statusEqual } from '../../../node-agent/kubelet/pod-status.ts';
import { qosClassOf } from '../../../node-agent/kubelet/qos.ts';
import { container, exited, observed, pod, reverseKeys, sandbox } from './fixtures.ts';

const NOW = Date.parse('2025-01-01T00:01:00Z');
const NOW_TEXT = '2025-01-01T00:01:00Z';
const T = (s: number) => Date.parse('2025-01-01T00:00:00Z') + s * 1000;

type ProbeMap = Record<string, 'success' | 'failure'>;

function status(
  p: Pod,
  obs: ObservedPod,
  opts: { failures?: Record<string, SyncFailure>; ready?: ProbeMap; started?: ProbeMap } = {},
): PodStatus {
  return generatePodStatus({
    pod: p,
    observed: obs,
    failures: new Map(Object.entries(opts.failures ?? {})),
    probes: {
      readiness: (id) => opts.ready?.[id],
      startup: (id) => opts.started?.[id],
    },
    hostIPs: ['172.30.0.11'],
    network: 'skiff-pods',
    now: NOW,
  });
}

const cond = (s: PodStatus, type: string) => {
  const c = s.conditions?.find((x) => x.type === type);
  return c ? [c.status, c.reason ?? '', c.message ?? ''].join(' | ') : 'missing';
};
const byName = (list: ContainerStatus[] | undefined, name: string) => {
  const s = list?.find((x) => x.name === name);
  assert.ok(s, `status of ${name}`);
  return s;
};

test('nothing runs yet: Pending, ContainerCreating, no sandbox, kubelet conditions in order', () => {
  const p = pod('web', [container('app'), container('side')]);
  const s = status(p, { sandboxes: [], containers: [] });
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(
    s.conditions?.map((c) => `${c.type}=${c.status}`),
    [
      'PodReadyToStartContainers=False',
      'Initialized=True',
      'Ready=False',
      'ContainersReady=False',
      'PodScheduled=True',
    ],
  );
  assert.equal(
    cond(s, 'Ready'),
    'False | ContainersNotReady | containers with unready status: [app side]',
  );
  assert.ok(s.conditions?.every((c) => c.lastTransitionTime === NOW_TEXT));
  assert.deepEqual(byName(s.containerStatuses, 'app'), {
    name: 'app',
    state: { waiting: { reason: 'ContainerCreating' } },
    ready: false,
    restartCount: 0,
    image: 'skiff/echo:1',
    imageID: '',
    started: false,
  });
  assert.equal(s.podIP, undefined);
  assert.equal(s.hostIP, '172.30.0.11');
  assert.deepEqual(s.hostIPs, [{ ip: '172.30.0.11' }]);
  assert.equal(s.startTime, NOW_TEXT);
  assert.equal(s.initContainerStatuses, undefined);
});

test('with init containers everything waits as PodInitializing and Initialized lists them', () => {
  const p = pod('web', [container('app')], {
    initContainers: [container('init1'), container('init2')],
  });
  const s = status(p, { sandboxes: [sandbox(p)], containers: [] });
  assert.equal(s.phase, 'Pending');
  assert.equal(cond(s, 'PodReadyToStartContainers'), 'True |  | ');
  assert.equal(
    cond(s, 'Initialized'),
    'False | ContainersNotInitialized | containers with incomplete status: [init1 init2]',
  );
  assert.deepEqual(byName(s.containerStatuses, 'app').state, {
    waiting: { reason: 'PodInitializing' },
  });
  assert.deepEqual(
    s.initContainerStatuses?.map((c) => c.state?.waiting?.reason),
    ['PodInitializing', 'PodInitializing'],
  );
});

test('a running init container keeps the pod Pending; a completed one is ready', () => {
  const i1 = container('init1');
  const i2 = container('init2');
  const p = pod('web', [container('app')], { initContainers: [i1, i2] });
  const s = status(p, {
    sandboxes: [sandbox(p)],
    containers: [observed(p, i2, { state: 'running', createdAt: T(5) }), exited(p, i1, 0, T(4))],
  });
  assert.equal(s.phase, 'Pending');
  assert.equal(
    cond(s, 'Initialized'),
    'False | ContainersNotInitialized | containers with incomplete status: [init2]',
  );
  const [s1, s2] = s.initContainerStatuses ?? [];
  assert.equal(s1?.state?.terminated?.reason, 'Completed');
  assert.equal(s1?.ready, true);
  assert.equal(s2?.state?.running?.startedAt, '2025-01-01T00:00:05Z');
  assert.equal(s2?.ready, false);
});

test('all running, no probes: Running and Ready, pod IP from the sandbox, runtime details', () => {
  const app = container('app');
  const p = pod('web', [app]);
  const running = observed(p, app, {
    state: 'running',
    attempt: 2,
    createdAt: T(10),
    startedAt: T(11),
  });
  const s = status(p, { sandboxes: [sandbox(p, { ip: '10.244.1.9' })], containers: [running] });
  assert.equal(s.phase, 'Running');
  for (const type of [
    'PodReadyToStartContainers',
    'Initialized',
    'Ready',
    'ContainersReady',
    'PodScheduled',
  ]) {
    assert.equal(cond(s, type), 'True |  | ', type);
  }
  assert.equal(s.podIP, '10.244.1.9');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.1.9' }]);
  assert.deepEqual(byName(s.containerStatuses, 'app'), {
    name: 'app',
    state: { running: { startedAt: '2025-01-01T00:00:11Z' } },
    ready: true,
    restartCount: 2,
    image: 'skiff/echo:1',
    imageID: running.imageRef,
    containerID: `docker://${running.id}`,
    started: true,
  });
});

test('readiness and startup probes decide ready and started', () => {
  const probe = { httpGet: { path: '/ready', port: 8080 } };
  const a = container('a', { readinessProbe: probe });
  const b = container('b', { startupProbe: probe });
  const c = container('c', { readinessProbe: probe });
  const p = pod('web', [a, b, c]);
  const ra = observed(p, a, { state: 'running' });
  const rb = observed(p, b, { state: 'running' });
  const rc = observed(p, c, { state: 'running' });
  const s = status(
    p,
    { sandboxes: [sandbox(p)], containers: [ra, rb, rc] },
    {
      ready: { [ra.id]: 'failure', [rc.id]: 'success' },
    },
  );
  assert.deepEqual(
    (s.containerStatuses ?? []).map((x) => [x.name, x.started, x.ready]),
    [
      ['a', true, false],
      ['b', false, false],
      ['c', true, true],
    ],
  );
  assert.equal(s.phase, 'Running');
  assert.equal(
    cond(s, 'ContainersReady'),
    'False | ContainersNotReady | containers with unready status: [a b]',
  );
  const later = status(
    p,
    { sandboxes: [sandbox(p)], containers: [ra, rb, rc] },
    {
      ready: { [ra.id]: 'success', [rc.id]: 'success' },
      started: { [rb.id]: 'success' },
    },
  );
  assert.equal(cond(later, 'Ready'), 'True |  | ');
});

test('CrashLoopBackOff: waiting with the back-off message, last termination, restart count', () => {
  const app = container('app');
  const p = pod('web', [app]);
  const last = exited(p, app, 1, T(30), { attempt: 3 });
  const message = `back-off 40s restarting failed container=app pod=web_default(${p.metadata.uid ?? ''})`;
  const s = status(
    p,
    {
      sandboxes: [sandbox(p)],
      containers: [last, exited(p, app, 1, T(10), { attempt: 2, createdAt: T(8) })],
    },
    {
      failures: { app: { reason: 'CrashLoopBackOff', message } },
    },
  );
  const app1 = byName(s.containerStatuses, 'app');
  assert.deepEqual(app1.state, { waiting: { reason: 'CrashLoopBackOff', message } });
  assert.deepEqual(app1.lastState, {
    terminated: {
      exitCode: 1,
      reason: 'Error',
      startedAt: '2025-01-01T00:00:29Z',
      finishedAt: '2025-01-01T00:00:30Z',
      containerID: `docker://${last.id}`,
    },
  });
  assert.equal(app1.restartCount, 3);
  assert.equal(app1.ready, false);
  assert.equal(s.phase, 'Running', 'restartPolicy Always: restarting counts as Running');
});

test('a restarted container shows its previous instance as lastState', () => {
  const app = container('app');
  const p = pod('web', [app]);
  const prev = exited(p, app, 137, T(20), { reason: 'OOMKilled', createdAt: T(1) });
  const cur = observed(p, app, { state: 'running', attempt: 1, createdAt: T(21) });
  const s = status(p, { sandboxes: [sandbox(p)], containers: [cur, prev] });
  const st = byName(s.containerStatuses, 'app');
  assert.equal(st.lastState?.terminated?.reason, 'OOMKilled');
  assert.equal(st.lastState?.terminated?.exitCode, 137);
  assert.equal(st.restartCount, 1);
  assert.ok(st.state?.running);
});

interface PhaseCase {
  name: string;
  policy: 'Always' | 'OnFailure' | 'Never';
  exits: number[];
  want: string;
  ready?: string;
}

const phases: PhaseCase[] = [
  {
    name: 'Never, all exited 0',
    policy: 'Never',
    exits: [0, 0],
    want: 'Succeeded',
    ready: 'False | PodCompleted | ',
  },
  {
    name: 'Never, one exited 1',
    policy: 'Never',
    exits: [0, 1],
    want: 'Failed',
    ready: 'False | PodFailed | ',
  },
  { name: 'OnFailure, all exited 0', policy: 'OnFailure', exits: [0, 0], want: 'Succeeded' },
  { name: 'OnFailure, one exited 1', policy: 'OnFailure', exits: [0, 1], want: 'Running' },
  { name: 'Always, all exited 0', policy: 'Always', exits: [0, 0], want: 'Running' },
];

for (const tc of phases) {
  test(`phase: ${tc.name} → ${tc.want}`, () => {
    const cs = tc.exits.map((_, i) => container(`c${i}`));
    const p = pod('job', cs, { restartPolicy: tc.policy });
    const s = status(p, {
      sandboxes: [sandbox(p, { state: 'notready', ip: '' })],
      containers: cs.map((c, i) => exited(p, c, tc.exits[i] ?? 0, T(10 + i))),
    });
    assert.equal(s.phase, tc.want);
    if (tc.ready) assert.equal(cond(s, 'Ready'), tc.ready);
    if (tc.want === 'Succeeded') {
      assert.equal(cond(s, 'Initialized'), 'True | PodCompleted | ');
      assert.equal(byName(s.containerStatuses, 'c0').state?.terminated?.reason, 'Completed');
    }
  });
}

test('a failed init container under restartPolicy Never fails the pod', () => {
  const init = container('init');
  const p = pod('web', [container('app')], { initContainers: [init], restartPolicy: 'Never' });
  const s = status(p, { sandboxes: [sandbox(p)], containers: [exited(p, init, 2, T(5))] });
  assert.equal(s.phase, 'Failed');
  assert.deepEqual(byName(s.containerStatuses, 'app').state, {
    waiting: { reason: 'PodInitializing' },
  });
});

test('a failed init container under Always waits in its back-off and keeps the pod Pending', () => {
  const init = container('init');
  const p = pod('web', [container('app')], { initContainers: [init] });
  const s = status(
    p,
    { sandboxes: [sandbox(p)], containers: [exited(p, init, 2, T(5))] },
    {
      failures: { init: { reason: 'CrashLoopBackOff', message: 'back-off 10s ...' } },
    },
  );
  assert.equal(s.phase, 'Pending');
  assert.equal(s.initContainerStatuses?.[0]?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(s.initContainerStatuses?.[0]?.lastState?.terminated?.exitCode, 2);
});

test('image and config failures of never-created containers show as waiting reasons', () => {
  const p = pod('web', [container('a'), container('b')]);
  const s = status(
    p,
    { sandboxes: [sandbox(p)], containers: [] },
    {
      failures: {
        a: {
          reason: 'ErrImagePull',
          message: 'failed to pull image "127.0.0.1:5999/none:1": connection refused',
        },
        b: { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' },
      },
    },
  );
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(byName(s.containerStatuses, 'a').state?.waiting?.reason, 'ErrImagePull');
  assert.deepEqual(byName(s.containerStatuses, 'b').state, {
    waiting: { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' },
  });
});

test('a terminal phase is never left, and its reason and message stay', () => {
  const app = container('app');
  const p = pod('web', [app], { restartPolicy: 'Never' });
  p.status = {
    phase: 'Failed',
    reason: 'DeadlineExceeded',
    message: 'too slow',
    qosClass: 'BestEffort',
  };
  const s = status(p, {
    sandboxes: [sandbox(p)],
    containers: [observed(p, app, { state: 'running' })],
  });
  assert.equal(s.phase, 'Failed');
  assert.equal(s.reason, 'DeadlineExceeded');
  assert.equal(s.message, 'too slow');
});

test('transition times stay while a condition keeps its status; other conditions are kept', () => {
  const app = container('app');
  const p = pod('web', [app]);
  const old = '2025-01-01T00:00:30Z';
  p.status = {
    phase: 'Running',
    startTime: '2025-01-01T00:00:02Z',
    qosClass: 'BestEffort',
    podIP: '10.244.1.3',
    conditions: [
      { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' },
      { type: 'Ready', status: 'True', lastTransitionTime: old },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: old },
    ],
  };
  const s = status(p, {
    sandboxes: [sandbox(p, { ip: '10.244.1.3' })],
    containers: [observed(p, app, { state: 'running' })],
  });
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.lastTransitionTime]),
    [
      ['DisruptionTarget', undefined],
      ['PodReadyToStartContainers', NOW_TEXT],
      ['Initialized', NOW_TEXT],
      ['Ready', old],
      ['ContainersReady', NOW_TEXT],
      ['PodScheduled', old],
    ],
  );
  assert.equal(s.startTime, '2025-01-01T00:00:02Z');
});

test('readiness gates: a missing or false gate condition keeps the pod unready', () => {
  const app = container('app');
  const p = pod('web', [app], { readinessGates: [{ conditionType: 'example.com/lb' }] });
  const obs = { sandboxes: [sandbox(p)], containers: [observed(p, app, { state: 'running' })] };
  assert.equal(
    cond(status(p, obs), 'Ready'),
    'False | ReadinessGatesNotReady | corresponding condition of pod readiness gate "example.com/lb" does not exist.',
  );
  p.status = { conditions: [{ type: 'example.com/lb', status: 'False' }] };
  assert.equal(
    cond(status(p, obs), 'Ready'),
    'False | ReadinessGatesNotReady | the status of pod readiness gate "example.com/lb" is not "True", but False',
  );
  p.status = { conditions: [{ type: 'example.com/lb', status: 'True' }] };
  assert.equal(cond(status(p, obs), 'Ready'), 'True |  | ');
});

test('a host-network pod has the node IP as pod IP; a finished pod keeps its pod IP', () => {
  const app = container('app');
  const hp = pod('agent', [app], { hostNetwork: true });
  const s = status(hp, { sandboxes: [sandbox(hp, { ip: '', network: 'host' })], containers: [] });
  assert.equal(s.podIP, '172.30.0.11');
  assert.equal(cond(s, 'PodReadyToStartContainers'), 'True |  | ');
  const p = pod('done', [app], { restartPolicy: 'Never' });
  p.status = { podIP: '10.244.1.4' };
  const gone = status(p, { sandboxes: [], containers: [exited(p, app, 0, T(3))] });
  assert.equal(gone.podIP, '10.244.1.4');
});

test('qosClass: from the old status, else computed by value', () => {
  const g = container('g', {
    resources: {
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '1000m', memory: '1024Mi' },
    },
  });
  const b = container('b', { resources: { requests: { cpu: '100m' } } });
  assert.equal(qosClassOf(pod('x', [g]).spec), 'Guaranteed');
  assert.equal(qosClassOf(pod('x', [g, b]).spec), 'Burstable');
  assert.equal(qosClassOf(pod('x', [container('n')]).spec), 'BestEffort');
  assert.equal(
    qosClassOf(pod('x', [container('z', { resources: { requests: { cpu: '0' } } })]).spec),
    'BestEffort',
  );
  const p = pod('x', [g]);
  p.status = {};
  assert.equal(status(p, { sandboxes: [], containers: [] }).qosClass, 'Guaranteed');
});

test('statusEqual ignores key order and probe times, and sees real changes', () => {
  const app = container('app');
  const p = pod('web', [app]);
  const obs = { sandboxes: [sandbox(p)], containers: [observed(p, app, { state: 'running' })] };
  const a = status(p, obs);
  const reordered = reverseKeys(a);
  reordered.conditions = reordered.conditions?.map((c) => ({
    ...c,
    lastProbeTime: '2025-01-01T00:00:00Z',
  }));
  assert.equal(statusEqual(a, reordered), true);
  const notReady = status(p, obs, { ready: {} });
  assert.equal(statusEqual(a, notReady), true, 'no readiness probe: same status');
  const crashed = status(p, { ...obs, containers: [exited(p, app, 1, T(40))] });
  assert.equal(statusEqual(a, crashed), false);
  assert.equal(statusEqual(undefined, a), false);
});
