/**
 * Acceptance: bad input against `skiff server` (a separate process), sent
 * with plain HTTP so the exact answer can be checked. Each case expects the
 * code, reason and (where Kubernetes gives causes) the fields that the real
 * Kubernetes API server answers, in a metav1.Status body; nothing is ever a
 * 5xx. After the table, the objects stored before it are byte-for-byte what
 * they were (same resourceVersion and content), nothing new was stored, and
 * the server still serves.
 *
 * Where the expected answer comes from (Kubernetes 1.32): validation in
 * pkg/apis/{core,apps}/validation and apimachinery's ValidateObjectMeta;
 * decode errors (wrong JSON type, bad base64, wrong kind) are 400 from the
 * create/update handlers; Service IPs and ports are checked while allocating
 * (spec.clusterIPs, spec.ports[i].nodePort); patch errors as in
 * endpoints/handlers/patch.go. One deliberate difference: Kubernetes answers
 * a watch with a malformed resourceVersion with a 500 (kubernetes#139485,
 * a known bug); skiff answers 400 BadRequest, as the fix proposes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSkiff, type SkiffProcess } from './fixtures/skiff-process.ts';

const NS = 'bad-input';
const CORE = `/api/v1/namespaces/${NS}`;
const APPS = `/apis/apps/v1/namespaces/${NS}`;
const SEED_NODE_PORT = 30080;

type Json = Record<string, unknown>;

/** Values only known once the seed objects exist (resourceVersions, the allocated ClusterIP). */
interface Seeds {
  configMapRV: string;
  clusterIP: string;
}

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string | ((s: Seeds) => string);
  /** An object is sent as JSON; a string or Buffer as it is. */
  body?: unknown;
  contentType?: string;
  code: number;
  reason: string;
  /**
   * The details.causes[].field values (any order) where Kubernetes sends
   * field causes; left out where it sends none (decode errors, 404s...).
   */
  fields?: string[];
  message?: RegExp;
}

// ----- bodies -----

const container = { name: 'app', image: 'registry.local/app:1' };

function pod(spec: Json = {}, metadata: Json = { name: 'p' }): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [container], ...spec } };
}

function podWith(c: Json): Json {
  return pod({ containers: [{ ...container, ...c }] });
}

function deployment(spec: Json = {}, name = 'd'): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [container] } },
      ...spec,
    },
  };
}

function service(spec: Json = {}, name = 's'): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: 's' }, ports: [{ port: 80 }], ...spec },
  };
}

function configMap(metadata: Json = { name: 'c' }, data: unknown = { k: 'v' }): Json {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
}

const labelled = (labels: unknown): Json => configMap({ name: 'c', labels });
const annotated = (annotations: unknown): Json => configMap({ name: 'c', annotations });
const namespace = (metadata: Json): Json => ({ apiVersion: 'v1', kind: 'Namespace', metadata });

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

// ----- the table -----

const NAMES: Case[] = [
  ...(
    [
      ['an uppercase pod name', 'Web'],
      ['a pod name over 253 characters', 'p'.repeat(254)],
      ['a pod name with a leading dash', '-web'],
      ['a pod name with a space', 'my pod'],
    ] as const
  ).map(([name, value]): Case => ({
    name,
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({}, { name: value }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
  })),
  {
    name: 'a pod with neither name nor generateName',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({}, {}),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
    message: /name or generateName is required/,
  },
  ...(
    [
      ['a service name with dots', 'web.v1'],
      ['a service name starting with a digit', '1web'],
      ['an uppercase service name', 'Web'],
      ['a service name over 63 characters', 's'.repeat(64)],
    ] as const
  ).map(([name, value]): Case => ({
    name,
    method: 'POST',
    path: `${CORE}/services`,
    body: service({}, value),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
  })),
  {
    name: 'an uppercase namespace name',
    method: 'POST',
    path: '/api/v1/namespaces',
    body: namespace({ name: 'Team' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
  },
  {
    name: 'a namespace name with a dot',
    method: 'POST',
    path: '/api/v1/namespaces',
    body: namespace({ name: 'team.a' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
  },
  {
    // The kubernetes.io/metadata.name label defaulted from the name is too long as well.
    name: 'a namespace name over 63 characters',
    method: 'POST',
    path: '/api/v1/namespaces',
    body: namespace({ name: 'n'.repeat(64) }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name', 'metadata.labels'],
  },
  {
    name: 'a configmap name with an underscore',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'app_config' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
  },
  {
    name: 'a configmap name ending in a dot',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'config.' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.name'],
  },
  {
    name: 'an uppercase pod generateName',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({}, { generateName: 'Web-' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.generateName', 'metadata.name'],
  },
  {
    name: 'a configmap generateName with an underscore',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ generateName: 'cfg_' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.generateName', 'metadata.name'],
  },
  {
    name: 'an uppercase namespace generateName',
    method: 'POST',
    path: '/api/v1/namespaces',
    body: namespace({ generateName: 'Team-' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.generateName', 'metadata.name'],
  },
];

const LABELS: Case[] = [
  ...(
    [
      ['a label key name part over 63 characters', { ['k'.repeat(64)]: 'v' }],
      ['a label key prefix over 253 characters', { [`${'a'.repeat(254)}/k`]: 'v' }],
      ['a label key with an uppercase prefix', { 'Example.COM/app': 'v' }],
      ['a label key with a bad character', { 'app!': 'v' }],
      ['a label key with an empty name part', { 'example.com/': 'v' }],
      ['a label value over 63 characters', { app: 'v'.repeat(64) }],
      ['a label value with a space', { app: 'a b' }],
      ['a label value with a leading dash', { app: '-web' }],
    ] as const
  ).map(([name, labels]): Case => ({
    name,
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: labelled(labels),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.labels'],
  })),
  {
    name: 'a label value that is not a string',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: labelled({ app: 5 }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'annotations over 256 KiB in total',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: annotated({ a: 'x'.repeat(128 * 1024), b: 'y'.repeat(128 * 1024) }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.annotations'],
    message: /Too long: may not be more than 262144 bytes/,
  },
  {
    name: 'an annotation key with a space',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: annotated({ 'bad key': 'v' }),
    code: 422,
    reason: 'Invalid',
    fields: ['metadata.annotations'],
  },
];

const PODS: Case[] = [
  {
    name: 'a pod without containers',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({ containers: [] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers'],
  },
  {
    name: 'a container without an image',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({ containers: [{ name: 'app' }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].image'],
  },
  {
    name: 'duplicate container names',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({ containers: [container, { ...container, image: 'registry.local/other:1' }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[1].name'],
  },
  {
    name: 'an init container named like an app container',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({ initContainers: [container] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.initContainers[0].name'],
  },
  {
    name: 'a container name with an underscore',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ name: 'my_app' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].name'],
  },
  {
    name: 'containerPort 0',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ ports: [{ containerPort: 0 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].ports[0].containerPort'],
  },
  {
    name: 'containerPort 70000',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ ports: [{ containerPort: 70000 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].ports[0].containerPort'],
  },
  {
    name: 'hostPort 70000',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ ports: [{ containerPort: 80, hostPort: 70000 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].ports[0].hostPort'],
  },
  {
    name: 'a port protocol that does not exist',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ ports: [{ containerPort: 80, protocol: 'HTTP' }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].ports[0].protocol'],
    message: /Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"/,
  },
  {
    name: 'a restartPolicy that does not exist',
    method: 'POST',
    path: `${CORE}/pods`,
    body: pod({ restartPolicy: 'Sometimes' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.restartPolicy'],
  },
  {
    name: 'an imagePullPolicy that does not exist',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ imagePullPolicy: 'Sometimes' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].imagePullPolicy'],
  },
  {
    name: 'a CPU request above its limit',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].resources.requests[cpu]'],
  },
  {
    name: 'a volumeMount of a volume the pod does not have',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.containers[0].volumeMounts[0].name'],
  },
  {
    name: 'a quantity that does not parse',
    method: 'POST',
    path: `${CORE}/pods`,
    body: podWith({ resources: { limits: { memory: 'lots' } } }),
    code: 400,
    reason: 'BadRequest',
  },
];

const DEPLOYMENTS: Case[] = [
  {
    name: 'negative replicas',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ replicas: -1 }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.replicas'],
  },
  {
    name: 'replicas of the wrong JSON type ("three")',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ replicas: 'three' }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a selector that does not match the template labels',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ selector: { matchLabels: { app: 'other' } } }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.template.metadata.labels'],
    message: /`selector` does not match template `labels`/,
  },
  {
    name: 'an empty selector',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ selector: {} }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.selector'],
  },
  {
    name: 'maxSurge and maxUnavailable both 0',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.strategy.rollingUpdate.maxUnavailable'],
  },
  {
    name: 'maxUnavailable over 100%',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ strategy: { rollingUpdate: { maxUnavailable: '110%' } } }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.strategy.rollingUpdate.maxUnavailable'],
  },
  {
    name: 'a strategy type that does not exist',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({ strategy: { type: 'Fast' } }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.strategy.type'],
  },
  {
    name: 'a template restartPolicy other than Always',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: deployment({
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { restartPolicy: 'Never', containers: [container] },
      },
    }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.template.spec.restartPolicy'],
  },
];

const SERVICES: Case[] = [
  {
    name: 'a service with no ports',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ ports: [] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports'],
  },
  {
    name: 'a clusterIP that is not an IP',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ clusterIP: '10.96.0.300' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.clusterIPs[0]'],
  },
  {
    name: 'a clusterIP outside the service range',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ clusterIP: '10.0.0.5' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.clusterIPs'],
    message:
      /failed to allocate IP 10\.0\.0\.5: the provided IP \(10\.0\.0\.5\) is not in the valid range/,
  },
  {
    name: 'a clusterIP another service holds',
    method: 'POST',
    path: `${CORE}/services`,
    body: (s: Seeds) => service({ clusterIP: s.clusterIP }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.clusterIPs'],
    message: /provided IP is already allocated/,
  },
  {
    name: 'a nodePort outside the node port range',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[0].nodePort'],
  },
  {
    name: 'a nodePort another service holds',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ type: 'NodePort', ports: [{ port: 80, nodePort: SEED_NODE_PORT }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[0].nodePort'],
    message: /provided port is already allocated/,
  },
  {
    name: 'a nodePort on a ClusterIP service',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ ports: [{ port: 80, nodePort: 30001 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[0].nodePort'],
  },
  {
    name: 'a sessionAffinity that does not exist',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ sessionAffinity: 'Sticky' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.sessionAffinity'],
  },
  {
    name: 'a service type that does not exist',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ type: 'Fancy' }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.type'],
  },
  {
    name: 'service port 0',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ ports: [{ port: 0 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[0].port'],
  },
  {
    name: 'a service port protocol that does not exist',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ ports: [{ port: 80, protocol: 'ICMP' }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[0].protocol'],
  },
  {
    name: 'two service ports without names',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({ ports: [{ port: 80 }, { port: 81 }] }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[0].name', 'spec.ports[1].name'],
  },
  {
    name: 'the same service port twice',
    method: 'POST',
    path: `${CORE}/services`,
    body: service({
      ports: [
        { name: 'a', port: 80 },
        { name: 'b', port: 80 },
      ],
    }),
    code: 422,
    reason: 'Invalid',
    fields: ['spec.ports[1]'],
  },
];

const DATA: Case[] = [
  {
    name: 'secret data that is not base64',
    method: 'POST',
    path: `${CORE}/secrets`,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a secret key with a space',
    method: 'POST',
    path: `${CORE}/secrets`,
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { 'bad key': 'YQ==' },
    },
    code: 422,
    reason: 'Invalid',
    fields: ['data[bad key]'],
  },
  {
    name: 'a configmap key with a space',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'c' }, { 'bad key': 'v' }),
    code: 422,
    reason: 'Invalid',
    fields: ['data[bad key]'],
  },
  {
    name: 'configmap data over 1 MiB',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'c' }, { k: 'x'.repeat(1024 * 1024 + 1) }),
    code: 422,
    reason: 'Invalid',
    fields: [''],
  },
];

const BODIES: Case[] = [
  {
    name: 'a ConfigMap sent to the pods path',
    method: 'POST',
    path: `${CORE}/pods`,
    body: configMap(),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'an apiVersion the endpoint does not serve (apps/v1beta1)',
    method: 'POST',
    path: `${APPS}/deployments`,
    body: { ...deployment(), apiVersion: 'apps/v1beta1' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'an apiVersion that does not exist (v2)',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: { ...configMap(), apiVersion: 'v2' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a namespace in the body other than the path',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'c', namespace: 'default' }),
    code: 400,
    reason: 'BadRequest',
    message: /does not match the namespace/,
  },
  {
    name: 'a body that is not JSON',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: '{"metadata": {"name": "c"',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a JSON array body',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: JSON.stringify([configMap()]),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a JSON null body',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: 'null',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'an empty body',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: '',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a YAML body with a syntax error',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\ndata: [',
    contentType: 'application/yaml',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a body over 3 MiB',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'c' }, { k: 'x'.repeat(3 * 1024 * 1024) }),
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: /^Request entity too large: limit is 3145728$/,
  },
  {
    name: 'an unsupported Content-Type',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: JSON.stringify(configMap()),
    contentType: 'text/plain',
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    name: 'unknown fields with fieldValidation=Strict',
    method: 'POST',
    path: `${APPS}/deployments?fieldValidation=Strict`,
    body: deployment({ replicaz: 2 }),
    code: 400,
    reason: 'BadRequest',
    message: /strict decoding error: unknown field "spec\.replicaz"/,
  },
  {
    name: 'a fieldValidation value that does not exist',
    method: 'POST',
    path: `${CORE}/configmaps?fieldValidation=Loose`,
    body: configMap(),
    code: 422,
    reason: 'Invalid',
    fields: ['fieldValidation'],
  },
  {
    name: 'a dryRun value that does not exist',
    method: 'POST',
    path: `${CORE}/configmaps?dryRun=Maybe`,
    body: configMap(),
    code: 422,
    reason: 'Invalid',
    fields: ['dryRun'],
  },
  {
    name: 'a create in a namespace that does not exist',
    method: 'POST',
    path: '/api/v1/namespaces/nowhere/configmaps',
    body: configMap(),
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'a POST to a named object',
    method: 'POST',
    path: `${CORE}/configmaps/seed`,
    body: configMap(),
    code: 405,
    reason: 'MethodNotAllowed',
  },
];

const WRITES: Case[] = [
  {
    name: 'an update with a stale resourceVersion',
    method: 'PUT',
    path: `${CORE}/configmaps/seed`,
    body: (s: Seeds) =>
      configMap({ name: 'seed', resourceVersion: String(Number(s.configMapRV) - 1) }, { k: 'x' }),
    code: 409,
    reason: 'Conflict',
    message: /the object has been modified/,
  },
  {
    name: 'a create of a name that exists',
    method: 'POST',
    path: `${CORE}/configmaps`,
    body: configMap({ name: 'seed' }),
    code: 409,
    reason: 'AlreadyExists',
    message: /^configmaps "seed" already exists$/,
  },
  {
    name: 'an update whose name differs from the path',
    method: 'PUT',
    path: `${CORE}/configmaps/seed`,
    body: configMap({ name: 'other' }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a change of a deployment selector',
    method: 'PATCH',
    path: `${APPS}/deployments/seed`,
    body: {
      spec: {
        selector: { matchLabels: { app: 'moved' } },
        template: { metadata: { labels: { app: 'moved' } } },
      },
    },
    contentType: MERGE,
    code: 422,
    reason: 'Invalid',
    fields: ['spec.selector'],
    message: /field is immutable/,
  },
  {
    name: 'a change of a service clusterIP',
    method: 'PATCH',
    path: `${CORE}/services/seed`,
    body: { spec: { clusterIP: '10.96.77.77' } },
    contentType: MERGE,
    code: 422,
    reason: 'Invalid',
    fields: ['spec.clusterIPs[0]'],
    message: /may not change once set/,
  },
  {
    name: 'a delete with an unknown propagationPolicy',
    method: 'DELETE',
    path: `${CORE}/configmaps/seed?propagationPolicy=Sideways`,
    code: 422,
    reason: 'Invalid',
    fields: ['propagationPolicy'],
  },
  {
    name: 'a delete whose uid precondition fails',
    method: 'DELETE',
    path: `${CORE}/configmaps/seed`,
    body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'not-the-uid' } },
    code: 409,
    reason: 'Conflict',
  },
  {
    name: 'a delete of an object that does not exist',
    method: 'DELETE',
    path: `${CORE}/configmaps/absent`,
    code: 404,
    reason: 'NotFound',
    message: /^configmaps "absent" not found$/,
  },
];

const PATCHES: Case[] = [
  {
    name: 'a JSON patch that is not JSON',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: '[{"op": "replace", "path": "/data/k"',
    contentType: JSON_PATCH,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a JSON patch that is an object, not a list of operations',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: { op: 'replace', path: '/data/k', value: 'x' },
    contentType: JSON_PATCH,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a JSON patch test operation that fails',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: [
      { op: 'test', path: '/data/k', value: 'not-the-value' },
      { op: 'replace', path: '/data/k', value: 'changed' },
    ],
    contentType: JSON_PATCH,
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'a JSON patch removing a path that does not exist',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: [{ op: 'remove', path: '/data/absent' }],
    contentType: JSON_PATCH,
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'a merge patch to an object that does not exist',
    method: 'PATCH',
    path: `${CORE}/configmaps/absent`,
    body: { data: { k: 'v' } },
    contentType: MERGE,
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'a merge patch that makes the object invalid',
    method: 'PATCH',
    path: `${APPS}/deployments/seed`,
    body: { spec: { replicas: -3 } },
    contentType: MERGE,
    code: 422,
    reason: 'Invalid',
    fields: ['spec.replicas'],
  },
  {
    name: 'a strategic merge patch that makes the object invalid',
    method: 'PATCH',
    path: `${APPS}/deployments/seed`,
    body: { spec: { template: { spec: { containers: [{ name: 'app', image: '' }] } } } },
    contentType: STRATEGIC,
    code: 422,
    reason: 'Invalid',
    fields: ['spec.template.spec.containers[0].image'],
  },
  {
    name: 'a strategic merge patch with a list item lacking its merge key',
    method: 'PATCH',
    path: `${APPS}/deployments/seed`,
    body: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    contentType: STRATEGIC,
    code: 422,
    reason: 'Invalid',
    fields: ['patch'],
  },
  {
    name: 'a strategic merge patch mixing element types in a list',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: { metadata: { finalizers: [1] } },
    contentType: STRATEGIC,
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'a merge patch that is not JSON',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: '{"data": ',
    contentType: MERGE,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a merge patch that renames the object',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: { metadata: { name: 'renamed' } },
    contentType: MERGE,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a merge patch that sets a wrong JSON type',
    method: 'PATCH',
    path: `${APPS}/deployments/seed`,
    body: { spec: { replicas: 'three' } },
    contentType: MERGE,
    code: 422,
    reason: 'Invalid',
    fields: ['patch'],
  },
  {
    name: 'a PATCH with a plain JSON Content-Type',
    method: 'PATCH',
    path: `${CORE}/configmaps/seed`,
    body: { data: { k: 'v' } },
    contentType: 'application/json',
    code: 415,
    reason: 'UnsupportedMediaType',
  },
];

const READS: Case[] = [
  {
    name: 'a malformed labelSelector',
    method: 'GET',
    path: `${CORE}/configmaps?labelSelector=${encodeURIComponent('app in (web')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a labelSelector with a bad key',
    method: 'GET',
    path: `${CORE}/configmaps?labelSelector=${encodeURIComponent('!!app')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a fieldSelector without an operator',
    method: 'GET',
    path: `${CORE}/pods?fieldSelector=spec.nodeName`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a field selector label pods do not support',
    method: 'GET',
    path: `${CORE}/pods?fieldSelector=${encodeURIComponent('spec.image=nginx')}`,
    code: 400,
    reason: 'BadRequest',
    message: /field label not supported: spec\.image/,
  },
  {
    name: 'a field selector label configmaps do not support',
    method: 'GET',
    path: `${CORE}/configmaps?fieldSelector=${encodeURIComponent('data.k=v')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'an unknown resource',
    method: 'GET',
    path: `${CORE}/widgets`,
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'an unknown API group',
    method: 'GET',
    path: '/apis/example.com/v1/widgets',
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'an unknown version of a known group',
    method: 'GET',
    path: `/apis/apps/v2/namespaces/${NS}/deployments`,
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'a watch with a malformed resourceVersion',
    method: 'GET',
    path: `${CORE}/configmaps?watch=true&resourceVersion=abc`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'a watch with a negative resourceVersion',
    method: 'GET',
    path: `${CORE}/configmaps?watch=true&resourceVersion=-1`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'resourceVersionMatch without a resourceVersion',
    method: 'GET',
    path: `${CORE}/configmaps?resourceVersionMatch=Exact`,
    code: 422,
    reason: 'Invalid',
    fields: ['resourceVersionMatch'],
  },
  {
    name: 'a continue token that is not one',
    method: 'GET',
    path: `${CORE}/configmaps?limit=1&continue=garbage`,
    code: 400,
    reason: 'BadRequest',
  },
];

const CASES: Case[] = [
  ...NAMES,
  ...LABELS,
  ...PODS,
  ...DEPLOYMENTS,
  ...SERVICES,
  ...DATA,
  ...BODIES,
  ...WRITES,
  ...PATCHES,
  ...READS,
];

// ----- the run -----

let skiff: SkiffProcess;

before(async () => {
  skiff = await startSkiff('skiff-e2e-bad-input');
});
after(() => skiff?.stop());

async function send(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; type: string | null; text: string }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': contentType };
  }
  const res = await fetch(skiff.url + path, init);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function mustSend(method: string, path: string, body?: unknown): Promise<Json> {
  const r = await send(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as Json;
}

/** The collections the table writes to; everything stored in them is compared before and after. */
const WATCHED = [
  '/api/v1/namespaces',
  `${CORE}/configmaps`,
  `${CORE}/secrets`,
  `${CORE}/pods`,
  `${CORE}/services`,
  `${APPS}/deployments`,
];

/** Every object of the watched collections, by path, as the raw JSON a GET returns. */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const list of WATCHED) {
    const items = (await mustSend('GET', list)).items as Json[];
    for (const item of items) {
      const name = String((item.metadata as Json).name);
      const path = `${list}/${name}`;
      out.set(path, (await send('GET', path)).text);
    }
  }
  return out;
}

describe('bad input against skiff server', () => {
  const seeds: Seeds = { configMapRV: '', clusterIP: '' };
  let before: Map<string, string>;

  it('stores the objects the table must leave alone', async () => {
    await mustSend('POST', '/api/v1/namespaces', namespace({ name: NS }));
    const cm = await mustSend('POST', `${CORE}/configmaps`, configMap({ name: 'seed' }));
    seeds.configMapRV = String((cm.metadata as Json).resourceVersion);
    await mustSend('POST', `${APPS}/deployments`, deployment({}, 'seed'));
    const svc = await mustSend(
      'POST',
      `${CORE}/services`,
      service({ type: 'NodePort', ports: [{ port: 80, nodePort: SEED_NODE_PORT }] }, 'seed'),
    );
    seeds.clusterIP = String((svc.spec as Json).clusterIP);
    await mustSend('POST', `${CORE}/pods`, pod({}, { name: 'seed' }));
    await mustSend('POST', `${CORE}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'seed' },
      data: { k: Buffer.from('v').toString('base64') },
    });
    before = await snapshot();
    assert.ok(before.size >= 6, 'the seeds and the bootstrap namespaces are listed');
  });

  it(`the table has at least 60 cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 60);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    it(`${c.name} → ${c.code} ${c.reason}${c.fields ? ` [${c.fields.join(', ')}]` : ''}`, async () => {
      const path = typeof c.path === 'function' ? c.path(seeds) : c.path;
      const body = typeof c.body === 'function' ? (c.body as (s: Seeds) => unknown)(seeds) : c.body;
      const r = await send(c.method, path, body, c.contentType);
      assert.ok(r.status < 500, `never a 5xx: ${r.status} ${r.text}`);
      assert.equal(r.status, c.code, r.text);
      assert.equal(r.type, 'application/json');
      const status = JSON.parse(r.text) as Json;
      assert.equal(status.kind, 'Status');
      assert.equal(status.apiVersion, 'v1');
      assert.equal(status.status, 'Failure');
      assert.equal(status.code, c.code);
      assert.equal(status.reason, c.reason, String(status.message));
      assert.equal(typeof status.message, 'string');
      if (c.message) assert.match(String(status.message), c.message);
      if (c.fields) {
        const causes = ((status.details as Json | undefined)?.causes ?? []) as Json[];
        assert.deepEqual(
          causes.map((cause) => cause.field).sort(),
          [...c.fields].sort(),
          String(status.message),
        );
      }
    });
  }

  it('left every stored object byte-for-byte as it was, and stored nothing new', async () => {
    const now = await snapshot();
    assert.deepEqual([...now.keys()].sort(), [...before.keys()].sort());
    for (const [path, text] of before) assert.equal(now.get(path), text, path);
  });

  it('keeps serving: a create and a get still work', async () => {
    const created = await mustSend('POST', `${CORE}/configmaps`, configMap({ name: 'after' }));
    const got = await mustSend('GET', `${CORE}/configmaps/after`);
    assert.equal((got.metadata as Json).uid, (created.metadata as Json).uid);
    assert.deepEqual(got.data, { k: 'v' });
  });
});
