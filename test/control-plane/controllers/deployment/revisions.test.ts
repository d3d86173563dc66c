/** The annotations on a Deployment's ReplicaSets that kubectl rollout history/undo read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  maxRevision,
  setNewReplicaSetAnnotations,
} from '../../../../control-plane/controllers/deployment/revisions.ts';
import { deployment, rs } from './builders.ts';

const d = () => {
  const x = deployment({ replicas: 4, maxSurge: 1 });
  x.metadata.annotations = {
    'kubernetes.io/change-cause': 'kubectl set image',
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
    'deployment.kubernetes.io/revision': '9',
  };
  return x;
};

test('a new ReplicaSet: revision, replicas annotations, copied annotations (not kubectl state)', () => {
  const r = rs('new', { replicas: 0 });
  assert.equal(setNewReplicaSetAnnotations(d(), r, 3, false, 1), true);
  assert.deepEqual(r.metadata.annotations, {
    'kubernetes.io/change-cause': 'kubectl set image',
    'deployment.kubernetes.io/revision': '3',
    'deployment.kubernetes.io/desired-replicas': '4',
    'deployment.kubernetes.io/max-replicas': '5',
  });
});

test('rolled back to: higher revision, the old one kept in revision-history', () => {
  const r = rs('back', { replicas: 0, revision: 1 });
  r.metadata.annotations = {
    ...r.metadata.annotations,
    'deployment.kubernetes.io/revision-history': '',
  };
  assert.equal(setNewReplicaSetAnnotations(d(), r, 3, true, 1), true);
  assert.equal(r.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(r.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d(), r, 5, true, 1);
  assert.equal(r.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1,3');
});

test('up to date: nothing changes; a higher revision is never lowered', () => {
  const r = rs('cur', { replicas: 4, revision: 7 });
  setNewReplicaSetAnnotations(d(), r, 7, true, 1);
  assert.equal(setNewReplicaSetAnnotations(d(), r, 7, true, 1), false);
  assert.equal(setNewReplicaSetAnnotations(d(), r, 6, true, 1), false);
  assert.equal(r.metadata.annotations?.['deployment.kubernetes.io/revision'], '7');
});

test('maxRevision ignores missing and malformed revisions', () => {
  const a = rs('a', { replicas: 0, revision: 2 });
  const b = rs('b', { replicas: 0, annotations: { 'deployment.kubernetes.io/revision': 'x' } });
  const c = rs('c', { replicas: 0, revision: 5 });
  assert.equal(maxRevision([a, b, c]), 5);
  assert.equal(maxRevision([]), 0);
});
