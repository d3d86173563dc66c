/** Validation tables for Node, Namespace, ConfigMap, Secret, ServiceAccount, Lease and Event. */
import { test } from 'node:test';
import { assertCauses, causesOf, res, type Expected } from './helpers.ts';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';

const NODES = res('', 'nodes');
const NAMESPACES = res('', 'namespaces');
const CONFIGMAPS = res('', 'configmaps');
const SECRETS = res('', 'secrets');
const SERVICEACCOUNTS = res('', 'serviceaccounts');
const LEASES = res('coordination.k8s.io', 'leases');
const EVENTS = res('', 'events');

const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  rest: Record<string, unknown> = {},
  ns?: string,
) => ({
  apiVersion,
  kind,
  metadata: { name, ...(ns ? { namespace: ns } : {}) },
  ...rest,
});

const cases: {
  name: string;
  r: ResourceInfo;
  body: Record<string, unknown>;
  causes: Expected[];
}[] = [
  {
    name: 'namespace: minimal is valid',
    r: NAMESPACES,
    body: obj('v1', 'Namespace', 'team-a'),
    causes: [],
  },
  {
    name: 'namespace: name is a DNS label (no dots)',
    r: NAMESPACES,
    body: obj('v1', 'Namespace', 'team.a'),
    causes: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'namespace: cluster-scoped objects take no namespace',
    r: NAMESPACES,
    body: obj('v1', 'Namespace', 'team-a', {}, 'default'),
    causes: [
      {
        field: 'metadata.namespace',
        reason: 'FieldValueForbidden',
        message: 'Forbidden: not allowed on this type',
      },
    ],
  },
  {
    name: 'node: minimal is valid',
    r: NODES,
    body: obj('v1', 'Node', 'worker-1.example.com'),
    causes: [],
  },
  {
    name: 'node: taints need key and a known effect, unique per key and effect',
    r: NODES,
    body: obj('v1', 'Node', 'n1', {
      spec: {
        taints: [
          { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
          { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
          { key: 'gpu', effect: 'Sometimes' },
        ],
      },
    }),
    causes: [
      { field: 'spec.taints[1]', reason: 'FieldValueDuplicate' },
      { field: 'spec.taints[2].effect', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'node: pod CIDRs, addresses, capacities',
    r: NODES,
    body: obj('v1', 'Node', 'n1', {
      spec: { podCIDR: '10.244.1.0/33' },
      status: {
        capacity: { cpu: '-1' },
        allocatable: { cpu: '1' },
        addresses: [
          { type: 'InternalIP', address: 'host' },
          { type: 'Public', address: '1.2.3.4' },
        ],
      },
    }),
    causes: [
      { field: 'spec.podCIDR', reason: 'FieldValueInvalid' },
      { field: 'status.capacity[cpu]', reason: 'FieldValueInvalid' },
      { field: 'status.addresses[0].address', reason: 'FieldValueInvalid' },
      { field: 'status.addresses[1].type', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'node: status required fields are required when the status is written',
    r: NODES,
    body: obj('v1', 'Node', 'n1', { status: { conditions: [{ type: 'Ready' }] } }),
    causes: [{ field: 'status.conditions[0].status', reason: 'FieldValueRequired' }],
  },
  {
    name: 'configmap: keys and duplicates between data and binaryData',
    r: CONFIGMAPS,
    body: obj(
      'v1',
      'ConfigMap',
      'c',
      { data: { 'ok.key': 'v', 'bad key': 'v', same: 'v' }, binaryData: { same: 'AA==' } },
      'default',
    ),
    causes: [
      {
        field: 'data[bad key]',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "bad key": ${CONFIG_KEY_MSG}`,
      },
      {
        field: 'data[same]',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "same": duplicate of key present in binaryData',
      },
    ],
  },
  {
    name: 'configmap: at most 1 MiB',
    r: CONFIGMAPS,
    body: obj('v1', 'ConfigMap', 'c', { data: { big: 'x'.repeat(1024 * 1024 + 1) } }, 'default'),
    causes: [
      {
        field: '',
        reason: 'FieldValueTooLong',
        message: 'Too long: may not be more than 1048576 bytes',
      },
    ],
  },
  {
    name: 'secret: stringData keys are checked like data keys',
    r: SECRETS,
    body: obj('v1', 'Secret', 's', { stringData: { 'a/b': 'x' } }, 'default'),
    causes: [{ field: 'data[a/b]', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'secret: TLS secrets need tls.crt and tls.key',
    r: SECRETS,
    body: obj(
      'v1',
      'Secret',
      's',
      { type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==' } },
      'default',
    ),
    causes: [{ field: 'data[tls.key]', reason: 'FieldValueRequired' }],
  },
  {
    name: 'secret: service account token secrets name their account',
    r: SECRETS,
    body: obj('v1', 'Secret', 's', { type: 'kubernetes.io/service-account-token' }, 'default'),
    causes: [
      {
        field: 'metadata.annotations[kubernetes.io/service-account.name]',
        reason: 'FieldValueRequired',
      },
    ],
  },
  {
    name: 'serviceaccount: minimal is valid',
    r: SERVICEACCOUNTS,
    body: obj('v1', 'ServiceAccount', 'default', {}, 'default'),
    causes: [],
  },
  {
    name: 'lease: duration positive, transitions non-negative',
    r: LEASES,
    body: obj(
      'coordination.k8s.io/v1',
      'Lease',
      'l',
      { spec: { holderIdentity: 'a', leaseDurationSeconds: 0, leaseTransitions: -1 } },
      'kube-system',
    ),
    causes: [
      {
        field: 'spec.leaseDurationSeconds',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be greater than 0',
      },
      { field: 'spec.leaseTransitions', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'event: involved object in the same namespace, known type',
    r: EVENTS,
    body: obj(
      'v1',
      'Event',
      'web.17a',
      {
        involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' },
        type: 'Fatal',
        reason: 'Started',
      },
      'default',
    ),
    causes: [
      { field: 'involvedObject.namespace', reason: 'FieldValueInvalid' },
      { field: 'type', reason: 'FieldValueNotSupported' },
    ],
  },
  {
    name: 'event: involvedObject is required',
    r: EVENTS,
    body: obj('v1', 'Event', 'e', { reason: 'x' }, 'default'),
    causes: [{ field: 'involvedObject', reason: 'FieldValueRequired' }],
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    assertCauses(causesOf(tc.r, tc.body), tc.causes);
  });
}
