/** Claiming (ControllerRefManager): keep, adopt, release, or leave alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorFromSpec } from '../../../../control-plane/api/selectors.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';
import { planClaim } from '../../../../control-plane/controllers/replicaset-ownership.ts';

const owner = (deleting = false): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'web',
    uid: 'me',
    ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
});

function obj(
  name: string,
  labels: Record<string, string>,
  ownerUid?: string,
  deleting = false,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels,
      ...(ownerUid
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'x',
                uid: ownerUid,
                controller: true,
              },
            ],
          }
        : {}),
      ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
  };
}

const selector = labelSelectorFromSpec({ matchLabels: { app: 'web' } });
const names = (xs: KubeObject[]) => xs.map((x) => x.metadata.name);

test('keeps owned matching, adopts matching orphans, releases owned non-matching, ignores others', () => {
  const plan = planClaim(owner(), selector, [
    obj('mine', { app: 'web' }, 'me'),
    obj('orphan', { app: 'web' }),
    obj('strayed', { app: 'db' }, 'me'),
    obj('theirs', { app: 'web' }, 'someone-else'),
    obj('unrelated', { app: 'db' }),
    obj('dying-orphan', { app: 'web' }, undefined, true),
  ]);
  assert.deepEqual(names(plan.owned), ['mine']);
  assert.deepEqual(names(plan.adopt), ['orphan']);
  assert.deepEqual(names(plan.release), ['strayed']);
});

test('an owner being deleted neither adopts nor releases', () => {
  const plan = planClaim(owner(true), selector, [
    obj('mine', { app: 'web' }, 'me'),
    obj('orphan', { app: 'web' }),
    obj('strayed', { app: 'db' }, 'me'),
  ]);
  assert.deepEqual(names(plan.owned), ['mine']);
  assert.deepEqual(plan.adopt, []);
  assert.deepEqual(plan.release, []);
});
