// podReferences (pure, table-driven) and PodObjectSource over a tiny fake
// client: only referenced objects are read, from the pod's namespace; a
// NotFound object is absent; any other failure falls back to the last copy
// read, and fails only when there is none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { ApiError } from '../../../control-plane/api/errors.ts';
import type { ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { ConfigMap, Pod, Secret } from '../../../control-plane/api/types.ts';
import { PodObjectSource, podReferences } from '../../../node-agent/kubelet/pod-object-source.ts';
import { container, pod } from './fixtures.ts';

interface RefCase {
  name: string;
  pod: Pod;
  configMaps: string[];
  secrets: string[];
}

const refCases: RefCase[] = [
  { name: 'no references', pod: pod('p', [container('app')]), configMaps: [], secrets: [] },
  {
    name: 'envFrom of app and init containers',
    pod: pod('p', [container('app', { envFrom: [{ configMapRef: { name: 'cm-app' } }] })], {
      initContainers: [
        container('init', {
          envFrom: [{ secretRef: { name: 's-init' } }, { configMapRef: { name: 'cm-init' } }],
        }),
      ],
    }),
    configMaps: ['cm-app', 'cm-init'],
    secrets: ['s-init'],
  },
  {
    name: 'env valueFrom keys; plain values and fieldRefs read nothing',
    pod: pod('p', [
      container('app', {
        env: [
          { name: 'A', value: 'x' },
          { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm-b', key: 'k' } } },
          { name: 'C', valueFrom: { secretKeyRef: { name: 's-c', key: 'k', optional: true } } },
          { name: 'D', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'E', valueFrom: { configMapKeyRef: { name: 'cm-b', key: 'other' } } },
        ],
      }),
    ]),
    configMaps: ['cm-b'],
    secrets: ['s-c'],
  },
  {
    name: 'configMap, secret and projected volumes; other volumes read nothing',
    pod: pod('p', [container('app')], {
      volumes: [
        { name: 'v1', configMap: { name: 'cm-vol' } },
        { name: 'v2', secret: { secretName: 's-vol' } },
        { name: 'v3', emptyDir: {} },
        {
          name: 'v4',
          projected: {
            sources: [
              { configMap: { name: 'cm-proj' } },
              { secret: { name: 's-proj' } },
              { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
            ],
          },
        },
        { name: 'v5', downwardAPI: { items: [] } },
      ],
    }),
    configMaps: ['cm-proj', 'cm-vol'],
    secrets: ['s-proj', 's-vol'],
  },
];

for (const tc of refCases) {
  test(`podReferences: ${tc.name}`, () => {
    const refs = podReferences(tc.pod);
    assert.deepEqual([...refs.configMaps].sort(), tc.configMaps);
    assert.deepEqual([...refs.secrets].sort(), tc.secrets);
  });
}

const configMap = (name: string, value: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'team' },
  data: { value },
});
const secret = (name: string, value: string): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'team' },
  data: { value: Buffer.from(value).toString('base64') },
});

type Answer = ConfigMap | Secret | Error;

/** A client whose get answers from `answers` ("configmaps/name" → object or error) and records calls. */
class FakeClient {
  readonly calls: string[] = [];
  answers = new Map<string, Answer>();

  async get(r: ResourceInfo, name: string, opts: { namespace?: string } = {}): Promise<unknown> {
    this.calls.push(`${r.plural}/${opts.namespace ?? ''}/${name}`);
    const a = this.answers.get(`${r.plural}/${name}`);
    if (a === undefined) throw ApiError.notFound({ kind: r.plural, name });
    if (a instanceof Error) throw a;
    return a;
  }
}

function source(): { fake: FakeClient; objects: PodObjectSource } {
  const fake = new FakeClient();
  return { fake, objects: new PodObjectSource(fake as unknown as ApiClient) };
}

const consumer = pod(
  'web',
  [
    container('app', {
      envFrom: [{ configMapRef: { name: 'settings' } }],
      env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'token', key: 'value' } } }],
    }),
  ],
  {},
  { namespace: 'team' },
);

const valueOf = (o: ConfigMap | Secret | undefined) => o?.data?.value;
const unreachable = () => new Error('connect ECONNREFUSED 127.0.0.1:6443');

test('PodObjectSource reads only the referenced objects, from the pod namespace', async () => {
  const { fake, objects } = source();
  fake.answers.set('configmaps/settings', configMap('settings', 'a'));
  fake.answers.set('secrets/token', secret('token', 's3cret'));
  fake.answers.set('configmaps/unrelated', configMap('unrelated', 'x'));
  const got = await objects.forPod(consumer);
  assert.deepEqual(fake.calls.sort(), ['configmaps/team/settings', 'secrets/team/token']);
  assert.equal(valueOf(got.configMap('settings')), 'a');
  assert.equal(valueOf(got.secret('token')), Buffer.from('s3cret').toString('base64'));
  assert.equal(got.configMap('unrelated'), undefined);
});

test('PodObjectSource: a NotFound object is absent, also after an earlier copy', async () => {
  const { fake, objects } = source();
  fake.answers.set('secrets/token', secret('token', 's3cret'));
  const first = await objects.forPod(consumer);
  assert.equal(first.configMap('settings'), undefined, 'never existed');
  assert.ok(first.secret('token'));
  fake.answers.delete('secrets/token');
  const second = await objects.forPod(consumer);
  assert.equal(second.secret('token'), undefined, 'deleted since: absent, not the old copy');
});

test('PodObjectSource: another error falls back to the last copy read', async () => {
  const { fake, objects } = source();
  fake.answers.set('configmaps/settings', configMap('settings', 'a'));
  fake.answers.set('secrets/token', secret('token', 's3cret'));
  await objects.forPod(consumer);
  fake.answers.set('configmaps/settings', unreachable());
  fake.answers.set(
    'secrets/token',
    new ApiError('ServiceUnavailable', 'the server is currently unable to handle the request'),
  );
  const got = await objects.forPod(consumer);
  assert.equal(valueOf(got.configMap('settings')), 'a');
  assert.equal(valueOf(got.secret('token')), Buffer.from('s3cret').toString('base64'));
  assert.equal(fake.calls.length, 4, 'each start reads again: the copy is only a fallback');

  fake.answers.set('configmaps/settings', configMap('settings', 'b'));
  const fresh = await objects.forPod(consumer);
  assert.equal(valueOf(fresh.configMap('settings')), 'b', 'a newer read replaces the copy');
});

test('PodObjectSource: another error with no copy read yet fails', async () => {
  const { fake, objects } = source();
  fake.answers.set('configmaps/settings', unreachable());
  fake.answers.set('secrets/token', secret('token', 's3cret'));
  await assert.rejects(objects.forPod(consumer), /ECONNREFUSED/);
});

test('PodObjectSource: another error after a NotFound keeps the object absent', async () => {
  const { fake, objects } = source();
  fake.answers.set('configmaps/settings', configMap('settings', 'a'));
  await objects.forPod(consumer);
  fake.answers.set('secrets/token', unreachable());
  const got = await objects.forPod(consumer);
  assert.equal(got.secret('token'), undefined, 'last known: not found');
  assert.ok(got.configMap('settings'));
});
