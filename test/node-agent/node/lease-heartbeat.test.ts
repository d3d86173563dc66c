import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Lease } from '../../../control-plane/api/types.ts';
import { microTime, renewedLease } from '../../../node-agent/node/lease-heartbeat.ts';

const T0 = Date.parse('2025-03-01T10:00:00.123Z');
const NODE_OWNER = { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'uid-1' };

test('microTime has microseconds, as metav1.MicroTime', () => {
  assert.equal(microTime(T0), '2025-03-01T10:00:00.123000Z');
  assert.match(microTime(Date.now()), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

describe('renewedLease', () => {
  const stored: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: 'node-1',
      namespace: 'kube-node-lease',
      resourceVersion: '42',
      uid: 'lease-uid',
      ownerReferences: [NODE_OWNER],
    },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: microTime(T0) },
  };
  const cases = [
    {
      name: 'a new lease with its owner',
      base: undefined,
      uid: 'uid-1',
      owners: [NODE_OWNER],
      rv: undefined,
    },
    {
      name: 'a new lease before the Node uid is known has no owner',
      base: undefined,
      uid: undefined,
      owners: undefined,
      rv: undefined,
    },
    {
      name: 'a stored lease keeps its owner and resourceVersion',
      base: stored,
      uid: 'uid-1',
      owners: [NODE_OWNER],
      rv: '42',
    },
    {
      name: 'a re-created Node (new uid) takes the lease over',
      base: stored,
      uid: 'uid-2',
      owners: [{ ...NODE_OWNER, uid: 'uid-2' }],
      rv: '42',
    },
    {
      name: 'a lease without owner gets one',
      base: { ...stored, metadata: { ...stored.metadata, ownerReferences: undefined } },
      uid: 'uid-1',
      owners: [NODE_OWNER],
      rv: '42',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const l = renewedLease('node-1', c.base, c.uid, 40, T0 + 10_000);
      assert.equal(l.apiVersion, 'coordination.k8s.io/v1');
      assert.equal(l.kind, 'Lease');
      assert.equal(l.metadata.name, 'node-1');
      assert.equal(l.metadata.namespace, 'kube-node-lease');
      assert.equal(l.metadata.resourceVersion, c.rv);
      assert.deepEqual(l.metadata.ownerReferences, c.owners);
      assert.deepEqual(l.spec, {
        holderIdentity: 'node-1',
        leaseDurationSeconds: 40,
        renewTime: '2025-03-01T10:00:10.123000Z',
      });
    });
  }
});
