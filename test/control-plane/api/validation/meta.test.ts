/** ObjectMeta validation: names per kind, generateName, namespace, labels, annotations, owners, finalizers. */
import { test } from 'node:test';
import {
  DEPLOYMENTS,
  PODS,
  SERVICES,
  assertCauses,
  causesOf,
  deployment,
  pod,
  service,
  type Expected,
} from './helpers.ts';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const owner = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: 'rs',
  uid: 'u1',
  ...extra,
});

const cases: {
  name: string;
  r: ResourceInfo;
  body: Record<string, unknown>;
  causes: Expected[];
}[] = [
  {
    name: 'pod names are DNS-1123 subdomains (dots allowed)',
    r: PODS,
    body: pod({}, { name: 'web.v1-0' }),
    causes: [],
  },
  {
    name: 'pod name with upper case',
    r: PODS,
    body: pod({}, { name: 'Web' }),
    causes: [
      {
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "Web": ${SUBDOMAIN_MSG}`,
      },
    ],
  },
  {
    name: 'name longer than 253',
    r: DEPLOYMENTS,
    body: { ...deployment(), metadata: { name: 'a'.repeat(254) } },
    causes: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'name or generateName is required',
    r: PODS,
    body: pod({}, { name: undefined }),
    causes: [
      {
        field: 'metadata.name',
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
      },
    ],
  },
  {
    name: 'generateName may end in a dash',
    r: PODS,
    body: pod({}, { name: undefined, generateName: 'web-' }),
    causes: [],
  },
  {
    name: 'generateName is checked as a prefix',
    r: SERVICES,
    body: service({}, { name: undefined, generateName: '9web-' }),
    causes: [{ field: 'metadata.generateName', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'namespace must be a DNS label',
    r: PODS,
    body: pod({}, { namespace: 'Team_A' }),
    causes: [{ field: 'metadata.namespace', reason: 'FieldValueInvalid' }],
  },
  {
    name: 'label keys and values',
    r: PODS,
    body: pod(
      {},
      {
        labels: { 'app.kubernetes.io/name': 'web', 'bad/key/x': 'v', '-dash': 'v', ok: 'not ok!' },
      },
    ),
    causes: [
      { field: 'metadata.labels', reason: 'FieldValueInvalid' },
      {
        field: 'metadata.labels',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "-dash": ${NAME_PART_MSG}`,
      },
      {
        field: 'metadata.labels',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "not ok!": ${LABEL_VALUE_MSG}`,
      },
    ],
  },
  {
    name: 'label value longer than 63',
    r: PODS,
    body: pod({}, { labels: { app: 'x'.repeat(64) } }),
    causes: [
      {
        field: 'metadata.labels',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
      },
    ],
  },
  {
    name: 'label prefix must be a DNS subdomain',
    r: PODS,
    body: pod({}, { labels: { 'Example.com/app': 'web' } }),
    causes: [
      {
        field: 'metadata.labels',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "Example.com/app": prefix part ${SUBDOMAIN_MSG}`,
      },
    ],
  },
  {
    name: 'annotations over 256 KiB in total',
    r: PODS,
    body: pod({}, { annotations: { a: 'x'.repeat(200 * 1024), b: 'y'.repeat(60 * 1024) } }),
    causes: [
      {
        field: 'metadata.annotations',
        reason: 'FieldValueTooLong',
        message: 'Too long: may not be more than 262144 bytes',
      },
    ],
  },
  {
    name: 'annotation keys may use capitals',
    r: PODS,
    body: pod({}, { annotations: { 'Example.com/Owner': 'team a' } }),
    causes: [],
  },
  {
    name: 'owner references need all four identifying fields and at most one controller',
    r: PODS,
    body: pod(
      {},
      {
        ownerReferences: [
          owner({ uid: '' }),
          owner({ name: 'a', controller: true }),
          owner({ name: 'b', uid: 'u2', controller: true }),
        ],
      },
    ),
    causes: [
      { field: 'metadata.ownerReferences[0].uid', reason: 'FieldValueInvalid' },
      { field: 'metadata.ownerReferences', reason: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'finalizers are qualified names',
    r: PODS,
    body: pod({}, { finalizers: ['example.com/cleanup', 'bad finalizer'] }),
    causes: [{ field: 'metadata.finalizers[1]', reason: 'FieldValueInvalid' }],
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    assertCauses(causesOf(tc.r, JSON.parse(JSON.stringify(tc.body))), tc.causes);
  });
}
