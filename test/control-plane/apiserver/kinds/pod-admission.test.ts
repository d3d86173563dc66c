import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  admitNewPod,
  DEFAULT_TOLERATION_SECONDS,
} from '../../../../control-plane/apiserver/kinds/pod-admission.ts';

const notReady = {
  key: 'node.kubernetes.io/not-ready',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
};
const unreachable = { ...notReady, key: 'node.kubernetes.io/unreachable' };

const cases: { name: string; tolerations?: unknown[]; want: unknown[] }[] = [
  { name: 'no tolerations: both defaults are added', want: [notReady, unreachable] },
  {
    name: 'an own not-ready toleration is kept and only unreachable is added',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
    want: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      unreachable,
    ],
  },
  {
    name: 'a toleration of every taint needs no defaults',
    tolerations: [{ operator: 'Exists' }],
    want: [{ operator: 'Exists' }],
  },
  {
    name: 'a NoSchedule toleration of the same key does not cover NoExecute',
    tolerations: [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' },
    ],
    want: [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' },
      notReady,
      unreachable,
    ],
  },
];

for (const tc of cases) {
  test(`default tolerations: ${tc.name}`, () => {
    const pod = {
      spec: { containers: [], ...(tc.tolerations ? { tolerations: tc.tolerations } : {}) },
    };
    admitNewPod(pod);
    assert.deepEqual((pod.spec as { tolerations?: unknown }).tolerations, tc.want);
  });
}

test('a new pod gets the default service account and priority 0, unless it names its own', () => {
  const plain: { spec: Record<string, unknown> } = { spec: {} };
  admitNewPod(plain);
  assert.equal(plain.spec.serviceAccountName, 'default');
  assert.equal(plain.spec.priority, 0);
  const own: { spec: Record<string, unknown> } = {
    spec: { serviceAccountName: 'builder', priority: 7 },
  };
  admitNewPod(own);
  assert.equal(own.spec.serviceAccountName, 'builder');
  assert.equal(own.spec.priority, 7);
});
