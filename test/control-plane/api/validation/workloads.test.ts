/** Deployment, ReplicaSet, DaemonSet and Job validation tables. */
import { test } from 'node:test';
import {
  DEPLOYMENTS,
  assertCauses,
  causesOf,
  container,
  deployment,
  res,
  type Expected,
} from './helpers.ts';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';

const REPLICASETS = res('apps', 'replicasets');
const DAEMONSETS = res('apps', 'daemonsets');
const JOBS = res('batch', 'jobs');

function replicaSet(spec: Record<string, unknown> = {}): Record<string, unknown> {
  const d = deployment(spec) as { spec: Record<string, unknown> };
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1' }, spec: d.spec };
}

function daemonSet(spec: Record<string, unknown> = {}): Record<string, unknown> {
  const d = deployment(spec) as { spec: Record<string, unknown> };
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: d.spec };
}

function job(
  spec: Record<string, unknown> = {},
  podSpec: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [container({ name: 'pi' })], ...podSpec },
      },
      ...spec,
    },
  };
}

const cases: {
  name: string;
  r: ResourceInfo;
  body: Record<string, unknown>;
  causes: Expected[];
}[] = [
  { name: 'deployment: minimal is valid', r: DEPLOYMENTS, body: deployment(), causes: [] },
  {
    name: 'deployment: selector required',
    r: DEPLOYMENTS,
    body: deployment({ selector: undefined }),
    causes: [{ field: 'spec.selector', reason: 'FieldValueRequired' }],
  },
  {
    name: 'deployment: empty selector',
    r: DEPLOYMENTS,
    body: deployment({ selector: {} }),
    causes: [{ field: 'spec.selector', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'deployment: selector must match template labels',
    r: DEPLOYMENTS,
    body: deployment({ selector: { matchLabels: { app: 'api' } } }),
    causes: [
      {
        field: 'spec.template.metadata.labels',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      },
    ],
  },
  {
    name: 'deployment: matchExpressions select the template too',
    r: DEPLOYMENTS,
    body: deployment({
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
    }),
    causes: [],
  },
  {
    name: 'deployment: bad selector operator',
    r: DEPLOYMENTS,
    body: deployment({
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'Like' }],
      },
    }),
    causes: [
      { field: 'spec.selector.matchExpressions[0].operator', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'deployment: negative replicas',
    r: DEPLOYMENTS,
    body: deployment({ replicas: -1 }),
    causes: [
      {
        field: 'spec.replicas',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: -1: must be greater than or equal to 0',
      },
    ],
  },
  {
    name: 'deployment: template restartPolicy must be Always',
    r: DEPLOYMENTS,
    body: deployment({}, { restartPolicy: 'Never' }),
    causes: [
      {
        field: 'spec.template.spec.restartPolicy',
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Never": supported values: "Always"',
      },
    ],
  },
  {
    name: 'deployment: activeDeadlineSeconds is forbidden in the template',
    r: DEPLOYMENTS,
    body: deployment({}, { activeDeadlineSeconds: 10 }),
    causes: [{ field: 'spec.template.spec.activeDeadlineSeconds', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'deployment: maxSurge and maxUnavailable both 0',
    r: DEPLOYMENTS,
    body: deployment({
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
    }),
    causes: [
      {
        field: 'spec.strategy.rollingUpdate.maxUnavailable',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "0%": may not be 0 when `maxSurge` is 0',
      },
    ],
  },
  {
    name: 'deployment: bad percentages and strategy type',
    r: DEPLOYMENTS,
    body: deployment({
      strategy: { type: 'BlueGreen', rollingUpdate: { maxSurge: 'lots', maxUnavailable: '150%' } },
    }),
    causes: [
      { field: 'spec.strategy.type', reason: 'FieldValueNotSupported' },
      {
        field: 'spec.strategy.rollingUpdate.maxUnavailable',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "150%": must not be greater than 100%',
      },
      { field: 'spec.strategy.rollingUpdate.maxSurge', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'deployment: Recreate with rollingUpdate',
    r: DEPLOYMENTS,
    body: deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
    causes: [{ field: 'spec.strategy.rollingUpdate', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'deployment: progressDeadlineSeconds must exceed minReadySeconds',
    r: DEPLOYMENTS,
    body: deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30 }),
    causes: [{ field: 'spec.progressDeadlineSeconds', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'deployment: template container errors carry the full path',
    r: DEPLOYMENTS,
    body: deployment(
      {},
      { containers: [container(), container({ name: 'side', ports: [{ containerPort: 0 }] })] },
    ),
    causes: [
      {
        field: 'spec.template.spec.containers[1].ports[0].containerPort',
        reason: 'FieldValueRequired',
      },
    ],
  },
  {
    name: 'deployment: template labels are validated',
    r: DEPLOYMENTS,
    body: deployment({
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', 'x/y/z': 'v' } },
        spec: { containers: [container()] },
      },
    }),
    causes: [{ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid' }],
  },
  { name: 'replicaset: minimal is valid', r: REPLICASETS, body: replicaSet(), causes: [] },
  {
    name: 'replicaset: template required',
    r: REPLICASETS,
    body: replicaSet({ template: undefined }),
    causes: [{ field: 'spec.template', reason: 'FieldValueRequired' }],
  },
  { name: 'daemonset: minimal is valid', r: DAEMONSETS, body: daemonSet(), causes: [] },
  {
    name: 'daemonset: update strategy type and zero budgets',
    r: DAEMONSETS,
    body: daemonSet({ updateStrategy: { type: 'Sometimes' } }),
    causes: [{ field: 'spec.updateStrategy.type', reason: 'FieldValueNotSupported' }],
  },
  {
    name: 'daemonset: maxUnavailable 0 with maxSurge 0',
    r: DAEMONSETS,
    body: daemonSet({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
    }),
    causes: [
      { field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', reason: 'FieldValueInvalid' },
    ],
  },
  { name: 'job: minimal is valid', r: JOBS, body: job(), causes: [] },
  {
    name: 'job: restartPolicy defaulted to Always is not supported',
    r: JOBS,
    body: job({}, { restartPolicy: undefined }),
    causes: [
      {
        field: 'spec.template.spec.restartPolicy',
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
      },
    ],
  },
  {
    name: 'job: negative counts',
    r: JOBS,
    body: job({ parallelism: -1, completions: -2, backoffLimit: -3 }),
    causes: [
      { field: 'spec.parallelism', reason: 'FieldValueInvalid' },
      { field: 'spec.completions', reason: 'FieldValueInvalid' },
      { field: 'spec.backoffLimit', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'job: completion mode enum; Indexed needs completions',
    r: JOBS,
    body: job({ completionMode: 'Indexed', parallelism: 2 }),
    causes: [{ field: 'spec.completions', reason: 'FieldValueRequired' }],
  },
  {
    name: 'job: manualSelector without a selector',
    r: JOBS,
    body: job({ manualSelector: true }),
    causes: [{ field: 'spec.selector', reason: 'FieldValueRequired' }],
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    assertCauses(causesOf(tc.r, JSON.parse(JSON.stringify(tc.body))), tc.causes);
  });
}
