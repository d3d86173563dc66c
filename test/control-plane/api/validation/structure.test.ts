/**
 * The structural pass: JSON type errors are 400 BadRequest naming the
 * field, unknown fields are reported (and removed) for the caller's
 * fieldValidation decision, and type meta must match the endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../../../control-plane/api/errors.ts';
import { validateObject } from '../../../../control-plane/api/validation/index.ts';
import {
  base64ErrorAt,
  checkStructure,
} from '../../../../control-plane/api/validation/structure.ts';
import { DEPLOYMENTS, PODS, container, deployment, pod, res } from './helpers.ts';
import type { ResourceInfo } from '../../../../control-plane/api/resources.ts';

const SECRETS = res('', 'secrets');
const LEASES = res('coordination.k8s.io', 'leases');

/** The 400's message and causes; fails if validation does not throw a BadRequest. */
function badRequest(
  r: ResourceInfo,
  body: unknown,
): { message: string; fields: string[]; reasons: string[] } {
  try {
    validateObject(r, body, { operation: 'create' });
  } catch (err) {
    assert.ok(isApiError(err, 'BadRequest'), `expected BadRequest, got ${String(err)}`);
    assert.equal(err.code, 400);
    const causes = err.details?.causes ?? [];
    return {
      message: err.message,
      fields: causes.map((c) => c.field),
      reasons: causes.map((c) => c.reason),
    };
  }
  assert.fail('expected a 400');
}

const typeErrors: { name: string; r: ResourceInfo; body: unknown; fields: string[] }[] = [
  {
    name: 'string for an integer',
    r: DEPLOYMENTS,
    body: deployment({ replicas: 'three' }),
    fields: ['spec.replicas'],
  },
  {
    name: 'float for an integer',
    r: DEPLOYMENTS,
    body: deployment({ replicas: 1.5 }),
    fields: ['spec.replicas'],
  },
  {
    name: 'int32 overflow',
    r: DEPLOYMENTS,
    body: deployment({ replicas: 2 ** 31 }),
    fields: ['spec.replicas'],
  },
  {
    name: 'object for a list',
    r: PODS,
    body: pod({ containers: { name: 'web' } }),
    fields: ['spec.containers'],
  },
  {
    name: 'number for a string in a list item',
    r: PODS,
    body: pod({ containers: [container({ args: ['a', 1] })] }),
    fields: ['spec.containers[0].args[1]'],
  },
  {
    name: 'number for a label value',
    r: PODS,
    body: pod({}, { labels: { replicas: 3 } }),
    fields: ['metadata.labels[replicas]'],
  },
  {
    name: 'boolean for a string',
    r: PODS,
    body: pod({ nodeName: true }),
    fields: ['spec.nodeName'],
  },
  {
    name: 'string for a boolean',
    r: PODS,
    body: pod({ hostNetwork: 'yes' }),
    fields: ['spec.hostNetwork'],
  },
  {
    name: 'float for an int-or-string',
    r: PODS,
    body: pod({ containers: [container({ livenessProbe: { tcpSocket: { port: 80.5 } } })] }),
    fields: ['spec.containers[0].livenessProbe.tcpSocket.port'],
  },
  {
    name: 'malformed quantity',
    r: PODS,
    body: pod({ containers: [container({ resources: { limits: { memory: '1Gb' } } })] }),
    fields: ['spec.containers[0].resources.limits[memory]'],
  },
  {
    name: 'malformed timestamp',
    r: LEASES,
    body: {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l' },
      spec: { renewTime: 'yesterday' },
    },
    fields: ['spec.renewTime'],
  },
  {
    name: 'secret data that is not base64',
    r: SECRETS,
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'hunter2!' },
    },
    fields: ['data[password]'],
  },
  {
    name: 'two errors, both named',
    r: PODS,
    body: pod({ hostPID: 1, hostIPC: 'no' }),
    fields: ['spec.hostPID', 'spec.hostIPC'],
  },
];

for (const tc of typeErrors) {
  test(`400 for ${tc.name}`, () => {
    const got = badRequest(tc.r, tc.body);
    assert.deepEqual(got.fields, tc.fields);
    assert.ok(got.reasons.every((r) => r === 'FieldValueTypeInvalid'));
    assert.match(
      got.message,
      new RegExp(`^${tc.r.kind} in version "v1" cannot be handled as a ${tc.r.kind}: `),
    );
  });
}

test('quantity errors use the Kubernetes decoder wording', () => {
  const got = badRequest(
    PODS,
    pod({ containers: [container({ resources: { requests: { cpu: 'lots' } } })] }),
  );
  assert.match(got.message, /quantities must match the regular expression/);
});

test('a body that is not an object is a 400', () => {
  for (const body of [null, [], 'pod', 3])
    assert.match(badRequest(PODS, body).message, /cannot be handled as a Pod/);
});

test('apiVersion and kind must name the endpoint; missing ones are filled in', () => {
  assert.equal(
    badRequest(DEPLOYMENTS, { ...deployment(), apiVersion: 'extensions/v1beta1' }).message,
    'the API version in the data (extensions/v1beta1) does not match the expected API version (apps/v1)',
  );
  assert.equal(
    badRequest(PODS, { ...pod(), kind: 'Service' }).message,
    'the kind in the data (Service) does not match the expected kind (Pod)',
  );
  const { apiVersion: _a, kind: _k, ...bare } = pod();
  const { object } = validateObject(PODS, bare, { operation: 'create' });
  assert.equal(object.apiVersion, 'v1');
  assert.equal(object.kind, 'Pod');
});

test('unknown fields are reported by path and removed, known ones kept', () => {
  const body = pod(
    {
      containers: [container({ bogus: 1, ports: [{ containerPort: 80, portName: 'x' }] })],
      extra: {},
    },
    { team: 'a' },
  );
  (body as Record<string, unknown>).statuz = {};
  const { object, unknownFields } = validateObject(PODS, body, { operation: 'create' });
  assert.deepEqual(unknownFields.sort(), [
    'metadata.team',
    'spec.containers[0].bogus',
    'spec.containers[0].ports[0].portName',
    'spec.extra',
    'statuz',
  ]);
  const spec = object['spec'] as { containers: Record<string, unknown>[] };
  assert.equal(spec.containers[0]?.['bogus'], undefined);
  assert.equal(spec.containers[0]?.['image'], 'nginx:1.25');
  assert.equal(object['statuz'], undefined);
});

test('the input object is not modified', () => {
  const body = pod({ containers: [container({ bogus: 1 })] });
  const before = JSON.stringify(body);
  validateObject(PODS, body, { operation: 'create' });
  assert.equal(JSON.stringify(body), before);
});

test('null means unset, as when Kubernetes decodes into Go structs', () => {
  const { object, unknownFields } = validateObject(
    PODS,
    pod({ nodeName: null, tolerations: null }, { labels: null }),
    { operation: 'create' },
  );
  assert.deepEqual(unknownFields, []);
  assert.equal((object['spec'] as Record<string, unknown>)['nodeName'], undefined);
  assert.equal(object.metadata.labels, undefined);
});

test('server-managed metadata and loosely typed sources are accepted as they are', () => {
  const body = pod(
    {
      volumes: [
        { name: 'v', csi: { driver: 'x', volumeAttributes: { a: 'b' }, anything: [1, 2] } },
      ],
    },
    {
      uid: '0f3c',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2024-05-01T10:00:00Z',
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:containers': {} } },
        },
      ],
    },
  );
  const { unknownFields } = validateObject(PODS, body, { operation: 'create' });
  assert.deepEqual(unknownFields, []);
});

test('int-or-string fields take either', () => {
  for (const port of [8080, 'http']) {
    const body = pod({ containers: [container({ livenessProbe: { httpGet: { port } } })] });
    assert.doesNotThrow(() => validateObject(PODS, body, { operation: 'create' }));
  }
});

test('checkStructure reports required fields that are absent', () => {
  const s = checkStructure(
    { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    {},
  );
  assert.deepEqual(s.missing, ['name']);
});

const base64Cases: { input: string; valid: boolean; at?: number }[] = [
  { input: '', valid: true },
  { input: 'd2Vi', valid: true },
  { input: 'd2ViMQ==', valid: true },
  { input: 'd2ViMTI=', valid: true },
  { input: 'd2Vi\nMTI=', valid: true },
  { input: 'd2V', valid: false },
  { input: 'd2Vi=', valid: false },
  { input: 'd2V!', valid: false, at: 3 },
];
for (const tc of base64Cases) {
  test(`base64 ${JSON.stringify(tc.input)} is ${tc.valid ? 'valid' : 'invalid'}`, () => {
    const at = base64ErrorAt(tc.input);
    if (tc.valid) assert.equal(at, -1);
    else assert.ok(at >= 0);
    if (tc.at !== undefined) assert.equal(at, tc.at);
  });
}
