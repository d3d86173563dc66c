/** Defaulting: the values Kubernetes fills in, per kind, and idempotence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import {
  applyDefaults,
  applyUpdateDefaults,
  defaultPullPolicy,
  qosClass,
} from '../../../control-plane/api/defaults.ts';
import type {
  DaemonSet,
  Deployment,
  Job,
  KubeObject,
  Namespace,
  Pod,
  Secret,
  Service,
} from '../../../control-plane/api/types.ts';

function r(group: string, plural: string): ResourceInfo {
  const found = findResource(group, 'v1', plural);
  assert.ok(found);
  return found;
}

function defaulted<T>(res: ResourceInfo, obj: Record<string, unknown>): T {
  const o = structuredClone(obj) as unknown as KubeObject;
  applyDefaults(res, o);
  return o as unknown as T;
}

const container = { name: 'web', image: 'nginx:1.25' };

test('pod spec, container, probe and volume defaults', () => {
  const pod = defaulted<Pod>(r('', 'pods'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          ...container,
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
      volumes: [
        { name: 'a', secret: { secretName: 's' } },
        { name: 'b', configMap: { name: 'c' } },
        { name: 'c' },
      ],
    },
  });
  const s = pod.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.enableServiceLinks, true);
  assert.deepEqual(s.securityContext, {});
  const c = s.containers[0];
  assert.ok(c);
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports?.[0]?.protocol, 'TCP');
  assert.deepEqual(c.livenessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(c.env?.[0]?.valueFrom?.fieldRef?.apiVersion, 'v1');
  assert.equal(s.volumes?.[0]?.secret?.defaultMode, 0o644);
  assert.equal(s.volumes?.[1]?.configMap?.defaultMode, 0o644);
  assert.deepEqual(s.volumes?.[2], { name: 'c', emptyDir: {} });
  assert.equal(pod.status?.phase, 'Pending');
  assert.equal(pod.status?.qosClass, 'BestEffort');
});

const pullPolicies: [string, string][] = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.25', 'IfNotPresent'],
  ['localhost:5000/app', 'Always'],
  ['localhost:5000/app:v2', 'IfNotPresent'],
  [
    'busybox@sha256:7c3c3cea5d4d6133d6a694d23382f6a7b32652f23855abdba3eb039ca5995447',
    'IfNotPresent',
  ],
];
for (const [image, policy] of pullPolicies) {
  test(`imagePullPolicy for ${image.slice(0, 30)} is ${policy}`, () => {
    assert.equal(defaultPullPolicy(image), policy);
  });
}

test('a limit without a request requests the limit; QoS follows', () => {
  const pod = defaulted<Pod>(r('', 'pods'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ ...container, resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
  });
  assert.deepEqual(pod.spec.containers[0]?.resources?.requests, { cpu: '1', memory: '1Gi' });
  assert.equal(pod.status?.qosClass, 'Guaranteed');
  assert.equal(
    qosClass({ containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] }),
    'Burstable',
  );
});

test('hostNetwork pods expose container ports on the host', () => {
  const pod = defaulted<Pod>(r('', 'pods'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { hostNetwork: true, containers: [{ ...container, ports: [{ containerPort: 9100 }] }] },
  });
  assert.equal(pod.spec.containers[0]?.ports?.[0]?.hostPort, 9100);
});

test('service defaults', () => {
  const svc = defaulted<Service>(r('', 'services'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: {
      ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
      sessionAffinity: 'ClientIP',
    },
  });
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.deepEqual(svc.spec.ports, [
    { port: 80, protocol: 'TCP', targetPort: 80 },
    { port: 53, protocol: 'UDP', targetPort: 'dns' },
  ]);
  assert.equal(svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds, 10800);
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(svc.spec.externalTrafficPolicy, undefined, 'only for externally reachable types');
  const np = defaulted<Service>(r('', 'services'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { type: 'NodePort', ports: [{ port: 80 }] },
  });
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec.sessionAffinity, 'None');
});

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } };

test('deployment defaults, template defaulted too', () => {
  const d = defaulted<Deployment>(r('apps', 'deployments'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'web' } }, template },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
  });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0]?.imagePullPolicy, 'IfNotPresent');
  assert.equal(
    d.spec.template.spec.enableServiceLinks,
    undefined,
    'only pods get enableServiceLinks',
  );
  const recreate = defaulted<Deployment>(r('apps', 'deployments'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'web' } }, template, strategy: { type: 'Recreate' } },
  });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
});

test('daemonset defaults', () => {
  const ds = defaulted<DaemonSet>(r('apps', 'daemonsets'), {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'web' } }, template },
  });
  assert.deepEqual(ds.spec.updateStrategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
});

test('job defaults and the selector generated from the uid', () => {
  const job = defaulted<Job>(r('batch', 'jobs'), {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', uid: 'u-1' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } },
  });
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);
  assert.deepEqual(job.spec.selector, {
    matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' },
  });
  assert.deepEqual(job.spec.template.metadata?.labels, {
    'batch.kubernetes.io/controller-uid': 'u-1',
    'controller-uid': 'u-1',
    'batch.kubernetes.io/job-name': 'pi',
    'job-name': 'pi',
  });
  const parallel = defaulted<Job>(r('batch', 'jobs'), {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: { parallelism: 3, template: { spec: { containers: [container] } } },
  });
  assert.equal(parallel.spec.completions, undefined, 'a work queue job: parallelism alone');
  assert.equal(parallel.spec.selector, undefined, 'no uid yet, no selector');
});

test('namespace and secret defaults; stringData is merged into data', () => {
  const ns = defaulted<Namespace>(r('', 'namespaces'), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'n' },
  });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  const secret = defaulted<Secret>(r('', 'secrets'), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { a: 'YQ==', b: 'b2xk' },
    stringData: { b: 'new', c: 'héllo' },
  });
  assert.equal(secret.type, 'Opaque');
  assert.equal(secret.stringData, undefined);
  assert.deepEqual(secret.data, { a: 'YQ==', b: 'bmV3', c: 'aMOpbGxv' });
});

const idempotent: { plural: string; group: string; body: Record<string, unknown> }[] = [
  {
    group: '',
    plural: 'pods',
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [container] },
    },
  },
  {
    group: 'apps',
    plural: 'deployments',
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'web' } }, template },
    },
  },
  {
    group: 'batch',
    plural: 'jobs',
    body: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', uid: 'u' },
      spec: { template },
    },
  },
  {
    group: '',
    plural: 'services',
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    },
  },
];
for (const tc of idempotent) {
  test(`defaulting ${tc.plural} twice changes nothing`, () => {
    const once = defaulted<KubeObject>(r(tc.group, tc.plural), tc.body);
    const twice = defaulted<KubeObject>(
      r(tc.group, tc.plural),
      once as unknown as Record<string, unknown>,
    );
    assert.deepEqual(twice, once);
  });
}

test('on update, a replacement keeps the cluster IP, node ports and the generated job selector', () => {
  const services = r('', 'services');
  const old = defaulted<KubeObject>(services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.9',
      clusterIPs: ['10.96.0.9'],
      ports: [{ port: 80, nodePort: 30080 }],
    },
  });
  const next = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { type: 'NodePort', ports: [{ port: 80 }] },
  } as unknown as KubeObject;
  applyUpdateDefaults(services, next, old);
  const spec = (next as unknown as Service).spec;
  assert.equal(spec.clusterIP, '10.96.0.9');
  assert.equal(spec.ports?.[0]?.nodePort, 30080);

  const jobs = r('batch', 'jobs');
  const oldJob = defaulted<KubeObject>(jobs, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', uid: 'u' },
    spec: { template },
  });
  const nextJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j' },
    spec: { template: structuredClone(template) },
  } as unknown as KubeObject;
  applyUpdateDefaults(jobs, nextJob, oldJob);
  assert.deepEqual(
    (nextJob as unknown as Job).spec.selector,
    (oldJob as unknown as Job).spec.selector,
  );
});
