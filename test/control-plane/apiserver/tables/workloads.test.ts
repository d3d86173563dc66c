// Tables of deployments, replicasets, daemonsets and jobs as `kubectl get` shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H, ago, obj, render, res, template, type TableCase } from './fixtures.ts';

const cases: TableCase[] = [
  {
    name: 'deployment',
    r: res('apps', 'deployments'),
    obj: obj('apps/v1', 'Deployment', {
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }),
    headers: [
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ],
    cells: ['x', '2/3', 3, 2, '120m', 'web,log', 'nginx:1.27,fluentd:1', 'app=web'],
  },
  {
    name: 'deployment without status',
    r: res('apps', 'deployments'),
    obj: obj('apps/v1', 'Deployment', { spec: { replicas: 1, selector: {}, template } }),
    headers: [
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ],
    cells: ['x', '0/1', 0, 0, '120m', 'web,log', 'nginx:1.27,fluentd:1', ''],
  },
  {
    name: 'replicaset',
    r: res('apps', 'replicasets'),
    obj: obj('apps/v1', 'ReplicaSet', {
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } },
        template,
      },
      status: { replicas: 2, readyReplicas: 1 },
    }),
    headers: ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
    cells: [
      'x',
      2,
      2,
      1,
      '120m',
      'web,log',
      'nginx:1.27,fluentd:1',
      'app=web,pod-template-hash=5d4f',
    ],
  },
  {
    name: 'daemonset',
    r: res('apps', 'daemonsets'),
    obj: obj('apps/v1', 'DaemonSet', {
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
        numberMisscheduled: 0,
      },
    }),
    headers: [
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ],
    cells: [
      'x',
      3,
      3,
      2,
      3,
      2,
      'kubernetes.io/os=linux',
      '120m',
      'web,log',
      'nginx:1.27,fluentd:1',
      'app=agent',
    ],
  },
  {
    name: 'job running',
    r: res('batch', 'jobs'),
    obj: obj('batch/v1', 'Job', {
      spec: {
        completions: 3,
        parallelism: 1,
        template,
        selector: { matchLabels: { 'job-name': 'x' } },
      },
      status: { startTime: ago(90_000), succeeded: 1, active: 1 },
    }),
    headers: [
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ],
    cells: ['x', 'Running', '1/3', '90s', '120m', 'web,log', 'nginx:1.27,fluentd:1', 'job-name=x'],
  },
  {
    name: 'job complete',
    r: res('batch', 'jobs'),
    obj: obj('batch/v1', 'Job', {
      spec: { completions: 1, template },
      status: {
        startTime: ago(H),
        completionTime: ago(H - 200_000),
        succeeded: 1,
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    }),
    headers: [
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ],
    cells: ['x', 'Complete', '1/1', '3m20s', '120m', 'web,log', 'nginx:1.27,fluentd:1', '<none>'],
  },
  {
    name: 'job failed, a work queue with parallelism',
    r: res('batch', 'jobs'),
    obj: obj('batch/v1', 'Job', {
      spec: { parallelism: 4, template },
      status: { conditions: [{ type: 'Failed', status: 'True' }] },
    }),
    headers: [
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ],
    cells: ['x', 'Failed', '0/1 of 4', '', '120m', 'web,log', 'nginx:1.27,fluentd:1', '<none>'],
  },
];

for (const c of cases) {
  test(`table: ${c.name}`, () => {
    assert.deepEqual(render(c), { headers: c.headers, cells: c.cells });
  });
}
