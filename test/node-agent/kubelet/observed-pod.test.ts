import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../../control-plane/api/types.ts';
import {
  checkSandbox,
  groupByPod,
  instancesOf,
  shouldRestart,
  type ObservedPod,
} from '../../../node-agent/kubelet/observed-pod.ts';
import { container, exited, observed, pod, sandbox } from './fixtures.ts';

const T = (s: number) => Date.parse('2025-01-01T00:00:00Z') + s * 1000;
const app = container('app');

test('groupByPod sorts each pod’s sandboxes and containers newest first', () => {
  const p1 = pod('one', [app]);
  const p2 = pod('two', [app]);
  const old = exited(p1, app, 1, T(5), { createdAt: T(1) });
  const cur = observed(p1, app, { state: 'running', attempt: 1, createdAt: T(6) });
  const other = observed(p2, app, { state: 'running' });
  const sb = sandbox(p1);
  const grouped = groupByPod([sb], [old, other, cur]);
  assert.deepEqual([...grouped.keys()].sort(), [p1.metadata.uid, p2.metadata.uid].sort());
  const g1 = grouped.get(p1.metadata.uid ?? '');
  assert.deepEqual(
    g1?.containers.map((c) => c.id),
    [cur.id, old.id],
  );
  assert.deepEqual(
    g1?.sandboxes.map((s) => s.id),
    [sb.id],
  );
  assert.deepEqual(grouped.get(p2.metadata.uid ?? '')?.sandboxes, []);
  assert.deepEqual(instancesOf(g1 ?? { sandboxes: [], containers: [] }, 'app').length, 2);
});

const restarts: [
  string,
  'Always' | 'OnFailure' | 'Never',
  (p: Pod) => ObservedPod['containers'],
  boolean,
  boolean?,
][] = [
  ['never ran', 'Never', () => [], true],
  ['running', 'Always', (p) => [observed(p, app, { state: 'running' })], false],
  ['created only', 'Never', (p) => [observed(p, app, { state: 'created' })], true],
  ['unknown', 'Never', (p) => [observed(p, app, { state: 'unknown' })], true],
  ['exited 0, Always', 'Always', (p) => [exited(p, app, 0, T(1))], true],
  ['exited 0, OnFailure', 'OnFailure', (p) => [exited(p, app, 0, T(1))], false],
  ['exited 1, OnFailure', 'OnFailure', (p) => [exited(p, app, 1, T(1))], true],
  ['exited 1, Never', 'Never', (p) => [exited(p, app, 1, T(1))], false],
  ['exited 1, Always, pod being deleted', 'Always', (p) => [exited(p, app, 1, T(1))], false, true],
];
for (const [name, policy, make, want, deleting] of restarts) {
  test(`shouldRestart: ${name} → ${want}`, () => {
    const p = pod(
      'web',
      [app],
      { restartPolicy: policy },
      deleting ? { deletionTimestamp: '2025-01-01T00:00:09Z' } : {},
    );
    assert.equal(shouldRestart(p, app, { sandboxes: [], containers: make(p) }), want);
  });
}

test('checkSandbox: the current sandbox, or the attempt of the next one and why', () => {
  const p = pod('web', [app]);
  assert.deepEqual(checkSandbox(p, { sandboxes: [], containers: [] }, 'net'), {
    changed: true,
    attempt: 0,
  });
  const ok = sandbox(p, { network: 'net', attempt: 2 });
  assert.deepEqual(checkSandbox(p, { sandboxes: [ok], containers: [] }, 'net'), {
    changed: false,
    attempt: 2,
    current: ok,
  });
  for (const bad of [
    sandbox(p, { network: 'net', attempt: 2, state: 'notready' }),
    sandbox(p, { network: 'other', attempt: 2 }),
    sandbox(p, { network: 'net', attempt: 2, ip: '' }),
  ]) {
    assert.deepEqual(checkSandbox(p, { sandboxes: [bad], containers: [] }, 'net'), {
      changed: true,
      attempt: 3,
      current: bad,
    });
  }
  const hp = pod('host', [app], { hostNetwork: true });
  const hs = sandbox(hp, { network: 'host', ip: '' });
  assert.equal(checkSandbox(hp, { sandboxes: [hs], containers: [] }, 'net').changed, false);
});
