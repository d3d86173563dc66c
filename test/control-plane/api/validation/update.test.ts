/** Update rules: immutable fields, what a pod update may change, immutable ConfigMaps/Secrets, status writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../../../control-plane/api/defaults.ts';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { validateObject } from '../../../../control-plane/api/validation/index.ts';
import {
  DEPLOYMENTS,
  PODS,
  SERVICES,
  assertCauses,
  causesOf,
  container,
  deployment,
  pod,
  res,
  service,
  type Expected,
} from './helpers.ts';

const JOBS = res('batch', 'jobs');
const CONFIGMAPS = res('', 'configmaps');
const SECRETS = res('', 'secrets');
const NODES = res('', 'nodes');
const REPLICASETS = res('apps', 'replicasets');

type Obj = Record<string, unknown>;

/** The object as the server stores it after a create: validated, defaulted, with server metadata. */
function stored(r: ResourceInfo, body: Obj, extra: (o: KubeObject) => void = () => {}): KubeObject {
  const { object } = validateObject(r, structuredClone(body), { operation: 'create' });
  object.metadata.uid = 'uid-1';
  object.metadata.creationTimestamp = '2024-05-01T10:00:00Z';
  object.metadata.resourceVersion = '7';
  applyDefaults(r, object);
  extra(object);
  return object;
}

/** Mutates a copy of `old` and returns it (a PATCH-like update keeps everything else). */
function edit(old: KubeObject, fn: (o: Obj & KubeObject) => void): Obj {
  const copy = structuredClone(old) as Obj & KubeObject;
  fn(copy);
  return copy;
}

const job = (spec: Obj = {}): Obj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi' },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [container({ name: 'pi' })] } },
    ...spec,
  },
});
const cm = (extra: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c' },
  data: { a: '1' },
  ...extra,
});
const secret = (extra: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  data: { a: 'MQ==' },
  ...extra,
});
const node = (spec: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  spec,
});

type Spec = Record<string, unknown> & { containers: Obj[]; tolerations?: Obj[] };
const podSpec = (o: Obj) => o['spec'] as Spec;

const oldPod = stored(PODS, pod({ tolerations: [{ key: 'a', operator: 'Exists' }] }));
const oldDeployment = stored(DEPLOYMENTS, deployment());
const oldJob = stored(JOBS, job());
const oldService = stored(SERVICES, service(), (s) => {
  (s['spec'] as Obj)['clusterIP'] = '10.96.0.20';
  (s['spec'] as Obj)['clusterIPs'] = ['10.96.0.20'];
});

const cases: {
  name: string;
  r: ResourceInfo;
  old: KubeObject;
  body: Obj;
  causes: Expected[];
  status?: boolean;
}[] = [
  {
    name: 'pod: image may change',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => (podSpec(p).containers[0]!['image'] = 'nginx:1.26')),
    causes: [],
  },
  {
    name: 'pod: labels may change',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => (p.metadata.labels = { v: '2' })),
    causes: [],
  },
  {
    name: 'pod: tolerations may be added',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => podSpec(p).tolerations!.push({ key: 'b', operator: 'Exists' })),
    causes: [],
  },
  {
    name: 'pod: tolerations may not be removed',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => (podSpec(p).tolerations = [])),
    causes: [{ field: 'spec', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'pod: command may not change',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => (podSpec(p).containers[0]!['command'] = ['sh'])),
    causes: [{ field: 'spec', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'pod: nodeName may not change through an update',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => (podSpec(p)['nodeName'] = 'worker-1')),
    causes: [{ field: 'spec', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'pod: a full replacement that leaves defaults out changes nothing',
    r: PODS,
    old: oldPod,
    body: {
      ...pod({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
      metadata: oldPod.metadata,
    },
    causes: [],
  },
  {
    name: 'metadata: name, namespace and uid are immutable',
    r: PODS,
    old: oldPod,
    body: edit(oldPod, (p) => {
      p.metadata.name = 'other';
      p.metadata.namespace = 'kube-system';
      p.metadata.uid = 'uid-2';
    }),
    causes: [
      {
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "other": field is immutable',
      },
      { field: 'metadata.namespace', reason: 'FieldValueInvalid' },
      { field: 'metadata.uid', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'deployment: replicas and template may change',
    r: DEPLOYMENTS,
    old: oldDeployment,
    body: edit(oldDeployment, (d) => {
      (d['spec'] as Obj)['replicas'] = 5;
      ((d['spec'] as Obj)['template'] as { spec: Spec }).spec.containers[0]!['image'] =
        'nginx:1.26';
    }),
    causes: [],
  },
  {
    name: 'deployment: selector is immutable',
    r: DEPLOYMENTS,
    old: oldDeployment,
    body: edit(oldDeployment, (d) => {
      (d['spec'] as Obj)['selector'] = { matchLabels: { app: 'web', tier: 'x' } };
      ((d['spec'] as Obj)['template'] as { metadata: Obj }).metadata['labels'] = {
        app: 'web',
        tier: 'x',
      };
    }),
    causes: [{ field: 'spec.selector', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'job: parallelism may change',
    r: JOBS,
    old: oldJob,
    body: edit(oldJob, (j) => ((j['spec'] as Obj)['parallelism'] = 3)),
    causes: [],
  },
  {
    name: 'job: template and completions are immutable',
    r: JOBS,
    old: oldJob,
    body: edit(oldJob, (j) => {
      (j['spec'] as Obj)['completions'] = 4;
      ((j['spec'] as Obj)['template'] as { spec: Spec }).spec.containers[0]!['image'] = 'perl';
    }),
    causes: [
      { field: 'spec.template', reason: 'FieldValueInvalid' },
      { field: 'spec.completions', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'service: clusterIP may not change',
    r: SERVICES,
    old: oldService,
    body: edit(oldService, (s) => {
      (s['spec'] as Obj)['clusterIP'] = '10.96.0.21';
      (s['spec'] as Obj)['clusterIPs'] = ['10.96.0.21'];
    }),
    causes: [{ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'service: a replacement without clusterIP keeps it',
    r: SERVICES,
    old: oldService,
    body: { ...service(), metadata: oldService.metadata },
    causes: [],
  },
  {
    name: 'configmap: immutable data stays',
    r: CONFIGMAPS,
    old: stored(CONFIGMAPS, cm({ immutable: true })),
    body: cm({ data: { a: '2' } }),
    causes: [
      { field: 'immutable', reason: 'FieldValueForbidden' },
      {
        field: 'data',
        reason: 'FieldValueForbidden',
        message: 'Forbidden: field is immutable when `immutable` is set',
      },
    ],
  },
  {
    name: 'configmap: mutable data changes',
    r: CONFIGMAPS,
    old: stored(CONFIGMAPS, cm()),
    body: cm({ data: { a: '2' } }),
    causes: [],
  },
  {
    name: 'secret: type is immutable',
    r: SECRETS,
    old: stored(SECRETS, secret()),
    body: secret({ type: 'example.com/custom' }),
    causes: [
      {
        field: 'type',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "example.com/custom": field is immutable',
      },
    ],
  },
  {
    name: 'node: podCIDR may be set once',
    r: NODES,
    old: stored(NODES, node()),
    body: node({ podCIDR: '10.244.1.0/24' }),
    causes: [],
  },
  {
    name: 'node: podCIDR may not change once set',
    r: NODES,
    old: stored(NODES, node({ podCIDR: '10.244.1.0/24' })),
    body: node({ podCIDR: '10.244.2.0/24' }),
    causes: [{ field: 'spec.podCIDR', reason: 'FieldValueForbidden' }],
  },
  {
    name: 'status: pod phase enum is checked, the spec is not',
    r: PODS,
    old: oldPod,
    status: true,
    body: edit(oldPod, (p) => {
      p['status'] = { phase: 'Done', podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }] };
    }),
    causes: [{ field: 'status.phase', reason: 'FieldValueNotSupported' }],
  },
  {
    name: 'status: workload counters are non-negative',
    r: DEPLOYMENTS,
    old: oldDeployment,
    status: true,
    body: edit(oldDeployment, (d) => (d['status'] = { replicas: -1, readyReplicas: 1 })),
    causes: [{ field: 'status.replicas', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'status: required status fields are required in status writes',
    r: REPLICASETS,
    old: stored(REPLICASETS, { ...deployment(), kind: 'ReplicaSet', metadata: { name: 'rs' } }),
    status: true,
    body: {
      ...deployment(),
      kind: 'ReplicaSet',
      metadata: { name: 'rs' },
      status: { readyReplicas: 1 },
    },
    causes: [{ field: 'status.replicas', reason: 'FieldValueRequired' }],
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    const ctx = {
      operation: 'update' as const,
      old: tc.old,
      ...(tc.status ? { subresource: 'status' as const } : {}),
    };
    assertCauses(causesOf(tc.r, tc.body, ctx), tc.causes);
  });
}

test('a main-resource create ignores what the status lacks (the server resets it)', () => {
  const body = { ...deployment(), kind: 'ReplicaSet', metadata: { name: 'rs' }, status: {} };
  assert.deepEqual(causesOf(REPLICASETS, body), []);
});
