import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  containerEngineName,
  containerLabels,
  labelFilter,
  parseContainerLabels,
} from '../../../../node-agent/kubelet/runtime/labels.ts';
import { container, pod } from '../fixtures.ts';

const p = pod(
  'web-1',
  [container('app')],
  {},
  { uid: 'a1b2c3d4-e5f6-7890-abcd-ef0123456789', namespace: 'shop' },
);

test('labels round-trip through parseContainerLabels', () => {
  const identity = {
    containerName: 'app',
    attempt: 7,
    nodeName: 'n2',
    hash: 'ff00',
    hashVersion: '1',
  };
  const labels = containerLabels(p, identity);
  assert.deepEqual(Object.keys(labels).sort(), [
    'io.skiff.container.attempt',
    'io.skiff.container.hash',
    'io.skiff.container.hash-version',
    'io.skiff.container.name',
    'io.skiff.node.name',
    'io.skiff.pod.name',
    'io.skiff.pod.namespace',
    'io.skiff.pod.uid',
  ]);
  assert.deepEqual(parseContainerLabels(labels), {
    ...identity,
    podUid: 'a1b2c3d4-e5f6-7890-abcd-ef0123456789',
    podNamespace: 'shop',
    podName: 'web-1',
  });
});

const incomplete: [string, Record<string, string> | null][] = [
  ['null', null],
  ['empty', {}],
  [
    'no pod uid',
    {
      'io.skiff.pod.namespace': 'a',
      'io.skiff.pod.name': 'b',
      'io.skiff.container.name': 'c',
      'io.skiff.container.attempt': '0',
      'io.skiff.node.name': 'n',
    },
  ],
  [
    'attempt not a number',
    {
      'io.skiff.pod.uid': 'u',
      'io.skiff.pod.namespace': 'a',
      'io.skiff.pod.name': 'b',
      'io.skiff.container.name': 'c',
      'io.skiff.container.attempt': '-1',
      'io.skiff.node.name': 'n',
    },
  ],
];
for (const [name, labels] of incomplete) {
  test(`labels that are not a complete set are not ours: ${name}`, () => {
    assert.equal(parseContainerLabels(labels), undefined);
  });
}

test('engine names are deterministic and follow the skiff_<container>_<pod>_<ns>_<uid8>_<attempt> form', () => {
  assert.equal(containerEngineName(p, 'app', 3), 'skiff_app_web-1_shop_a1b2c3d4_3');
  assert.equal(containerEngineName(p, 'POD', 0), 'skiff_POD_web-1_shop_a1b2c3d4_0');
  assert.match(containerEngineName(p, 'app', 0), /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
});

test('the label filter selects the node, and the pod when given', () => {
  assert.deepEqual(labelFilter('n1'), ['io.skiff.node.name=n1']);
  assert.deepEqual(labelFilter('n1', 'u'), ['io.skiff.node.name=n1', 'io.skiff.pod.uid=u']);
});
