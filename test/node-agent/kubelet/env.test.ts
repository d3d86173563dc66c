import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Container, EnvVar, Secret } from '../../../control-plane/api/types.ts';
import { resolveEnv } from '../../../node-agent/kubelet/env.ts';
import { expandVars } from '../../../node-agent/kubelet/expansion.ts';
import { podObjects } from '../../../node-agent/kubelet/pod-objects.ts';
import { isSyncError } from '../../../node-agent/kubelet/sync-error.ts';
import { container, pod } from './fixtures.ts';

const vars: Record<string, string> = { A: 'alpha', B: 'beta', EMPTY: '' };
const lookup = (n: string) => vars[n];

const expansions: [string, string, string][] = [
  ['plain text', 'hello', 'hello'],
  ['one reference', '$(A)', 'alpha'],
  ['references inside text', 'x-$(A)-$(B)-y', 'x-alpha-beta-y'],
  ['unknown reference stays', '$(NOPE)/$(A)', '$(NOPE)/alpha'],
  ['empty value', '[$(EMPTY)]', '[]'],
  ['escaped operator', '$$(A)', '$(A)'],
  ['double escape', '$$$$', '$$'],
  ['dollar before other text', '$A and $', '$A and $'],
  ['unclosed reference', '$(A', '$(A'],
  ['trailing dollar', 'cost: 5$', 'cost: 5$'],
  ['empty name', '$()', '$()'],
];

for (const [name, input, want] of expansions) {
  test(`expandVars: ${name}`, () => assert.equal(expandVars(input, lookup), want));
}

const cm: ConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default' },
  data: { mode: 'fast', 'log.level': 'debug', '1bad': 'x' },
};
const secret: Secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds', namespace: 'default' },
  data: { password: Buffer.from('s3cret').toString('base64') },
};
const objects = podObjects([cm], [secret]);

const p = pod(
  'web',
  [container('app')],
  { serviceAccountName: 'robot' },
  {
    uid: '11111111-2222-3333-4444-555555555555',
    labels: { app: 'web', tier: 'front' },
  },
);
const addrs = { podIPs: ['10.244.1.7'], hostIPs: ['172.30.0.11'] };

interface EnvCase {
  name: string;
  c: Partial<Container>;
  want?: Record<string, string>;
  error?: string;
  warnings?: string[];
}

const env = (...e: EnvVar[]) => ({ env: e });

const cases: EnvCase[] = [
  {
    name: 'values expand earlier variables only',
    c: env(
      { name: 'HOST', value: 'db' },
      { name: 'URL', value: 'http://$(HOST):$(PORT)' },
      { name: 'PORT', value: '5432' },
    ),
    want: { HOST: 'db', URL: 'http://db:$(PORT)', PORT: '5432' },
  },
  {
    name: 'a later entry overrides an earlier one of the same name',
    c: env({ name: 'X', value: '1' }, { name: 'X', value: '$(X)2' }),
    want: { X: '12' },
  },
  {
    name: 'fieldRef: name, namespace, uid, IPs, node, service account, label',
    c: env(
      ...[
        ['N', 'metadata.name'],
        ['NS', 'metadata.namespace'],
        ['UID', 'metadata.uid'],
        ['IP', 'status.podIP'],
        ['HOST', 'status.hostIP'],
        ['NODE', 'spec.nodeName'],
        ['SA', 'spec.serviceAccountName'],
        ['APP', "metadata.labels['app']"],
        ['LABELS', 'metadata.labels'],
      ].map(([name = '', fieldPath = '']) => ({ name, valueFrom: { fieldRef: { fieldPath } } })),
    ),
    want: {
      N: 'web',
      NS: 'default',
      UID: '11111111-2222-3333-4444-555555555555',
      IP: '10.244.1.7',
      HOST: '172.30.0.11',
      NODE: 'n1',
      SA: 'robot',
      APP: 'web',
      LABELS: 'app="web"\ntier="front"',
    },
  },
  {
    name: 'a value may use a variable set from valueFrom before it',
    c: env(
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'ADDR', value: '$(IP):8080' },
    ),
    want: { IP: '10.244.1.7', ADDR: '10.244.1.7:8080' },
  },
  {
    name: 'configMapKeyRef and secretKeyRef',
    c: env(
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
    ),
    want: { MODE: 'fast', PW: 's3cret' },
  },
  {
    name: 'optional references to missing objects and keys are left out',
    c: env(
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
      { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
      { name: 'C', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
      { name: 'D', value: 'kept' },
    ),
    want: { D: 'kept' },
  },
  {
    name: 'missing configmap',
    c: env({ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }),
    error: 'configmap "nope" not found',
  },
  {
    name: 'missing configmap key',
    c: env({ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey' } } }),
    error: "couldn't find key nokey in ConfigMap default/cfg",
  },
  {
    name: 'missing secret',
    c: env({ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }),
    error: 'secret "nope" not found',
  },
  {
    name: 'missing secret key',
    c: env({ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }),
    error: "couldn't find key user in Secret default/creds",
  },
  {
    name: 'unsupported fieldPath',
    c: env({ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }),
    error: 'unsupported fieldPath: spec.hostname',
  },
  {
    name: 'envFrom in order with a prefix (which makes 1bad a valid name); env wins',
    c: {
      envFrom: [
        { configMapRef: { name: 'cfg' }, prefix: 'CFG_' },
        { secretRef: { name: 'creds' } },
        { configMapRef: { name: 'absent', optional: true } },
      ],
      env: [{ name: 'password', value: 'override' }],
    },
    want: { CFG_mode: 'fast', 'CFG_log.level': 'debug', CFG_1bad: 'x', password: 'override' },
  },
  {
    name: 'envFrom without prefix reports keys that are not variable names',
    c: { envFrom: [{ configMapRef: { name: 'cfg' } }] },
    want: { mode: 'fast', 'log.level': 'debug' },
    warnings: [
      'Keys [1bad] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.',
    ],
  },
  {
    name: 'envFrom of a missing secret',
    c: { envFrom: [{ secretRef: { name: 'gone' } }] },
    error: 'secret "gone" not found',
  },
  {
    name: 'resourceFieldRef: limits rounded up by divisor, unset limit from allocatable',
    c: {
      resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m' } },
      env: [
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        {
          name: 'MCPU',
          valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
        },
        {
          name: 'MEM',
          valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
        },
        { name: 'EPH', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage' } } },
      ],
    },
    want: { CPU: '1', MCPU: '100', MEM: '64', EPH: '1000' },
  },
];

for (const tc of cases) {
  test(`resolveEnv: ${tc.name}`, () => {
    const c = container('app', tc.c);
    const run = () =>
      resolveEnv(p, c, { ...addrs, objects, allocatable: { 'ephemeral-storage': '1000' } });
    if (tc.error) {
      assert.throws(run, (err: unknown) => {
        assert.ok(isSyncError(err, 'CreateContainerConfigError'), String(err));
        assert.equal(err.message, tc.error);
        return true;
      });
      return;
    }
    const got = run();
    assert.deepEqual(Object.fromEntries(got.env.map((e) => [e.name, e.value])), tc.want);
    assert.deepEqual(got.warnings, tc.warnings ?? []);
  });
}
