// The pod table: READY, STATUS and RESTARTS as `kubectl get pods` shows
// them for the container states the kubelet reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { toTable } from '../../../../control-plane/apiserver/tables/index.ts';

const pods = findResource('', 'v1', 'pods') as ResourceInfo;
const now = new Date('2025-03-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

const running = { running: { startedAt: ago(10 * MIN) } };
const waiting = (reason: string) => ({ waiting: { reason } });
const terminated = (exitCode: number, reason?: string, extra: object = {}) => ({
  terminated: { exitCode, ...(reason ? { reason } : {}), ...extra },
});
const status = (name: string, state: object, ready = false, restartCount = 0, extra = {}) => ({
  name,
  state,
  ready,
  restartCount,
  image: 'x',
  imageID: '',
  ...extra,
});

function pod(opts: {
  containers?: string[];
  init?: { name: string; restartPolicy?: string }[];
  phase?: string;
  reason?: string;
  statuses?: object[];
  initStatuses?: object[];
  conditions?: object[];
  deleting?: boolean;
  readinessGates?: string[];
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      creationTimestamp: ago(5 * MIN),
      ...(opts.deleting ? { deletionTimestamp: ago(MIN) } : {}),
    },
    spec: {
      containers: (opts.containers ?? ['app']).map((name) => ({ name, image: 'x' })),
      ...(opts.init ? { initContainers: opts.init.map((c) => ({ image: 'x', ...c })) } : {}),
      ...(opts.readinessGates
        ? { readinessGates: opts.readinessGates.map((conditionType) => ({ conditionType })) }
        : {}),
      nodeName: 'node-a',
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.conditions ? { conditions: opts.conditions } : {}),
      ...(opts.statuses ? { containerStatuses: opts.statuses } : {}),
      ...(opts.initStatuses ? { initContainerStatuses: opts.initStatuses } : {}),
      podIP: '10.244.1.5',
      podIPs: [{ ip: '10.244.1.5' }],
    },
  };
}

interface Case {
  name: string;
  pod: KubeObject;
  ready: string;
  status: string;
  restarts: string;
}

const cases: Case[] = [
  {
    name: 'pending, nothing reported yet',
    pod: pod({ phase: 'Pending' }),
    ready: '0/1',
    status: 'Pending',
    restarts: '0',
  },
  {
    name: 'container creating',
    pod: pod({ phase: 'Pending', statuses: [status('app', waiting('ContainerCreating'))] }),
    ready: '0/1',
    status: 'ContainerCreating',
    restarts: '0',
  },
  {
    name: 'running and ready',
    pod: pod({ statuses: [status('app', running, true)] }),
    ready: '1/1',
    status: 'Running',
    restarts: '0',
  },
  {
    name: 'running, not ready',
    pod: pod({ statuses: [status('app', running, false)] }),
    ready: '0/1',
    status: 'Running',
    restarts: '0',
  },
  {
    name: 'crash loop with the last restart time',
    pod: pod({
      statuses: [
        status('app', waiting('CrashLoopBackOff'), false, 3, {
          lastState: terminated(1, 'Error', { finishedAt: ago(2 * MIN) }),
        }),
      ],
    }),
    ready: '0/1',
    status: 'CrashLoopBackOff',
    restarts: '3 (2m ago)',
  },
  {
    name: 'image pull failure',
    pod: pod({ phase: 'Pending', statuses: [status('app', waiting('ErrImagePull'))] }),
    ready: '0/1',
    status: 'ErrImagePull',
    restarts: '0',
  },
  {
    name: 'completed pod',
    pod: pod({ phase: 'Succeeded', statuses: [status('app', terminated(0, 'Completed'))] }),
    ready: '0/1',
    status: 'Completed',
    restarts: '0',
  },
  {
    name: 'failed container with Error',
    pod: pod({ phase: 'Failed', statuses: [status('app', terminated(1, 'Error'))] }),
    ready: '0/1',
    status: 'Error',
    restarts: '0',
  },
  {
    name: 'terminated without a reason shows the exit code',
    pod: pod({ statuses: [status('app', terminated(137))] }),
    ready: '0/1',
    status: 'ExitCode:137',
    restarts: '0',
  },
  {
    name: 'terminated by a signal',
    pod: pod({ statuses: [status('app', terminated(0, undefined, { signal: 9 }))] }),
    ready: '0/1',
    status: 'Signal:9',
    restarts: '0',
  },
  {
    name: 'two containers, one ready',
    pod: pod({
      containers: ['app', 'side'],
      statuses: [status('app', running, true), status('side', running, false)],
    }),
    ready: '1/2',
    status: 'Running',
    restarts: '0',
  },
  {
    name: 'one container completed, another still running and the pod ready',
    pod: pod({
      containers: ['app', 'job'],
      conditions: [{ type: 'Ready', status: 'True' }],
      statuses: [status('app', running, true), status('job', terminated(0, 'Completed'))],
    }),
    ready: '1/2',
    status: 'Running',
    restarts: '0',
  },
  {
    name: 'one container completed, another running, pod not ready',
    pod: pod({
      containers: ['app', 'job'],
      statuses: [status('app', running, true), status('job', terminated(0, 'Completed'))],
    }),
    ready: '1/2',
    status: 'NotReady',
    restarts: '0',
  },
  {
    name: 'first init container waiting',
    pod: pod({
      phase: 'Pending',
      init: [{ name: 'setup' }, { name: 'migrate' }],
      initStatuses: [
        status('setup', waiting('PodInitializing')),
        status('migrate', waiting('PodInitializing')),
      ],
      statuses: [status('app', waiting('PodInitializing'))],
    }),
    ready: '0/1',
    status: 'Init:0/2',
    restarts: '0',
  },
  {
    name: 'second init container running',
    pod: pod({
      phase: 'Pending',
      init: [{ name: 'setup' }, { name: 'migrate' }],
      initStatuses: [status('setup', terminated(0, 'Completed')), status('migrate', running)],
    }),
    ready: '0/1',
    status: 'Init:1/2',
    restarts: '0',
  },
  {
    name: 'init container crash looping',
    pod: pod({
      phase: 'Pending',
      init: [{ name: 'setup' }],
      initStatuses: [
        status('setup', waiting('CrashLoopBackOff'), false, 4, {
          lastState: terminated(1, 'Error', { finishedAt: ago(30_000) }),
        }),
      ],
    }),
    ready: '0/1',
    status: 'Init:CrashLoopBackOff',
    restarts: '4 (30s ago)',
  },
  {
    name: 'init container failed',
    pod: pod({
      phase: 'Pending',
      init: [{ name: 'setup' }],
      initStatuses: [status('setup', terminated(2, 'Error'))],
    }),
    ready: '0/1',
    status: 'Init:Error',
    restarts: '0',
  },
  {
    name: 'init container failed without a reason',
    pod: pod({
      phase: 'Pending',
      init: [{ name: 'setup' }],
      initStatuses: [status('setup', terminated(3))],
    }),
    ready: '0/1',
    status: 'Init:ExitCode:3',
    restarts: '0',
  },
  {
    name: 'init done, app container initializing',
    pod: pod({
      phase: 'Pending',
      init: [{ name: 'setup' }],
      initStatuses: [status('setup', terminated(0, 'Completed'))],
      statuses: [status('app', waiting('PodInitializing'))],
    }),
    ready: '0/1',
    status: 'PodInitializing',
    restarts: '0',
  },
  {
    name: 'sidecar counts toward READY once started',
    pod: pod({
      init: [{ name: 'proxy', restartPolicy: 'Always' }],
      conditions: [{ type: 'Initialized', status: 'True' }],
      initStatuses: [status('proxy', running, true, 1, { started: true })],
      statuses: [status('app', running, true)],
    }),
    ready: '2/2',
    status: 'Running',
    restarts: '1',
  },
  {
    name: 'being deleted',
    pod: pod({ deleting: true, statuses: [status('app', running, true)] }),
    ready: '1/1',
    status: 'Terminating',
    restarts: '0',
  },
  {
    name: 'deleted while its node is unreachable',
    pod: pod({ deleting: true, reason: 'NodeLost', statuses: [status('app', running, true)] }),
    ready: '1/1',
    status: 'Unknown',
    restarts: '0',
  },
  {
    name: 'a finished pod being deleted keeps its status',
    pod: pod({
      deleting: true,
      phase: 'Succeeded',
      statuses: [status('app', terminated(0, 'Completed'))],
    }),
    ready: '0/1',
    status: 'Completed',
    restarts: '0',
  },
  {
    name: 'evicted pods show the pod reason',
    pod: pod({ phase: 'Failed', reason: 'Evicted' }),
    ready: '0/1',
    status: 'Evicted',
    restarts: '0',
  },
  {
    name: 'scheduling gated',
    pod: pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    }),
    ready: '0/1',
    status: 'SchedulingGated',
    restarts: '0',
  },
];

for (const c of cases) {
  test(`pod: ${c.name}`, () => {
    const [row] = toTable(pods, [c.pod], { now }).rows;
    assert.ok(row);
    assert.deepEqual(row.cells.slice(0, 5), ['web-1', c.ready, c.status, c.restarts, '5m']);
  });
}

test('pod columns and wide cells', () => {
  const table = toTable(pods, [pod({ statuses: [status('app', running, true)] })], { now });
  assert.deepEqual(
    table.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
  assert.deepEqual(table.rows[0]?.cells.slice(5), ['10.244.1.5', 'node-a', '<none>', '<none>']);
  for (const c of table.columnDefinitions) assert.ok(c.description.length > 0, c.name);
});

test('unscheduled pod: <none> for IP and node; readiness gates counted', () => {
  const p = pod({
    phase: 'Pending',
    readinessGates: ['example.com/lb', 'example.com/dns'],
    conditions: [{ type: 'example.com/lb', status: 'True' }],
  });
  const spec = p.spec as { nodeName?: string };
  delete spec.nodeName;
  const st = p.status as { podIP?: string; podIPs?: unknown };
  delete st.podIP;
  delete st.podIPs;
  const [row] = toTable(pods, [p], { now }).rows;
  assert.deepEqual(row?.cells.slice(5), ['<none>', '<none>', '<none>', '1/2']);
});

test('finished pods carry the Completed row condition', () => {
  const table = toTable(
    pods,
    [pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' }), pod({ phase: 'Running' })],
    { now },
  );
  assert.deepEqual(table.rows[0]?.conditions, [
    {
      type: 'Completed',
      status: 'True',
      reason: 'Succeeded',
      message: 'The pod has completed successfully.',
    },
  ]);
  assert.equal(table.rows[1]?.conditions?.[0]?.reason, 'Failed');
  assert.equal(table.rows[2]?.conditions, undefined);
});
