/**
 * The garbage collector's pure decisions and its owner → dependents graph.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { KubeObject, OwnerReference } from '../../../control-plane/api/types.ts';
import {
  blocksOwner,
  decideDependent,
  gcRelevantChange,
  ownerStateOf,
  type OwnerState,
} from '../../../control-plane/controllers/garbage-collector/decide.ts';
import {
  DependentsGraph,
  gcKey,
  parseGcKey,
} from '../../../control-plane/controllers/garbage-collector/graph.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const RS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;

const ref = (uid: string, block = false): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: `rs-${uid}`,
  uid,
  ...(block ? { blockOwnerDeletion: true } : {}),
});

function obj(
  name: string,
  refs: OwnerReference[],
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ownerReferences: refs, ...meta },
  };
}

describe('ownerStateOf', () => {
  const r = ref('a');
  const cases: { name: string; found: KubeObject | undefined; want: OwnerState }[] = [
    { name: 'not found: dangling', found: undefined, want: 'dangling' },
    {
      name: 'a namesake with another uid: dangling',
      found: obj('rs-a', [], { uid: 'other' }),
      want: 'dangling',
    },
    { name: 'the same uid: solid', found: obj('rs-a', [], { uid: 'a' }), want: 'solid' },
    {
      name: 'deleted in the foreground: waiting',
      found: obj('rs-a', [], {
        uid: 'a',
        deletionTimestamp: 't',
        finalizers: ['foregroundDeletion'],
      }),
      want: 'waiting',
    },
    {
      name: 'being orphaned is still an owner',
      found: obj('rs-a', [], { uid: 'a', deletionTimestamp: 't', finalizers: ['orphan'] }),
      want: 'solid',
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(ownerStateOf(r, c.found), c.want));
});

describe('decideDependent', () => {
  const states = (pairs: [string, OwnerState][]) => new Map(pairs);
  const cases = [
    {
      name: 'no owners: nothing',
      o: obj('p', []),
      s: states([]),
      deps: false,
      cycle: false,
      want: { kind: 'none' },
    },
    {
      name: 'a live owner: nothing',
      o: obj('p', [ref('a')]),
      s: states([['a', 'solid']]),
      deps: false,
      cycle: false,
      want: { kind: 'none' },
    },
    {
      name: 'owner gone: background delete',
      o: obj('p', [ref('a')]),
      s: states([['a', 'dangling']]),
      deps: false,
      cycle: false,
      want: { kind: 'delete', policy: 'Background' },
    },
    {
      name: 'one owner gone, one live: drop the reference only',
      o: obj('p', [ref('a'), ref('b')]),
      s: states([
        ['a', 'dangling'],
        ['b', 'solid'],
      ]),
      deps: false,
      cycle: false,
      want: { kind: 'remove-refs', uids: ['a'] },
    },
    {
      name: 'an owner waiting in the foreground and a live one: let the waiting owner go',
      o: obj('p', [ref('a'), ref('b')]),
      s: states([
        ['a', 'waiting'],
        ['b', 'solid'],
      ]),
      deps: false,
      cycle: false,
      want: { kind: 'remove-refs', uids: ['a'] },
    },
    {
      name: 'an unresolvable owner counts as live',
      o: obj('p', [ref('a'), ref('x')]),
      s: states([
        ['a', 'dangling'],
        ['x', 'unknown'],
      ]),
      deps: false,
      cycle: false,
      want: { kind: 'remove-refs', uids: ['a'] },
    },
    {
      name: 'owner waiting, no dependents of its own: background',
      o: obj('p', [ref('a')]),
      s: states([['a', 'waiting']]),
      deps: false,
      cycle: false,
      want: { kind: 'delete', policy: 'Background' },
    },
    {
      name: 'owner waiting, has dependents: foreground',
      o: obj('p', [ref('a')]),
      s: states([['a', 'waiting']]),
      deps: true,
      cycle: false,
      want: { kind: 'delete', policy: 'Foreground' },
    },
    {
      name: 'owner waiting, a dependent waits on us too: break the cycle',
      o: obj('p', [ref('a')]),
      s: states([['a', 'waiting']]),
      deps: true,
      cycle: true,
      want: { kind: 'remove-refs', uids: ['a'] },
    },
    {
      name: 'own orphan finalizer honoured',
      o: obj('p', [ref('a')], { finalizers: ['orphan'] }),
      s: states([['a', 'dangling']]),
      deps: true,
      cycle: false,
      want: { kind: 'delete', policy: 'Orphan' },
    },
    {
      name: 'own foreground finalizer honoured',
      o: obj('p', [ref('a')], { finalizers: ['foregroundDeletion'] }),
      s: states([['a', 'dangling']]),
      deps: true,
      cycle: false,
      want: { kind: 'delete', policy: 'Foreground' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(decideDependent(c.o, c.s, c.deps, c.cycle), c.want));
  }
});

describe('blocksOwner and gcRelevantChange', () => {
  test('only a reference with blockOwnerDeletion to that owner blocks it', () => {
    const p = obj('p', [ref('a', true), ref('b')]);
    assert.equal(blocksOwner(p, 'a'), true);
    assert.equal(blocksOwner(p, 'b'), false);
    assert.equal(blocksOwner(p, 'c'), false);
  });
  const base = obj('p', [ref('a')]);
  const cases = [
    { name: 'labels only', next: obj('p', [ref('a')], { labels: { x: 'y' } }), want: false },
    { name: 'a reference added', next: obj('p', [ref('a'), ref('b')]), want: true },
    {
      name: 'deletion started',
      next: obj('p', [ref('a')], { deletionTimestamp: 't' }),
      want: true,
    },
    {
      name: 'finalizers changed',
      next: obj('p', [ref('a')], { finalizers: ['orphan'] }),
      want: true,
    },
  ];
  for (const c of cases)
    test(`relevant change: ${c.name}`, () => assert.equal(gcRelevantChange(base, c.next), c.want));
});

describe('DependentsGraph', () => {
  test('tracks references by owner uid, as keys', () => {
    const g = new DependentsGraph();
    const p1 = obj('p1', [ref('a'), ref('b')]);
    const p2 = obj('p2', [ref('a')]);
    const rs = {
      ...obj('rs-a', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd' }]),
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
    };
    g.add(PODS, p1);
    g.add(PODS, p2);
    g.add(RS, rs);
    assert.deepEqual(g.dependentsOf('a'), ['pods|ns/p1', 'pods|ns/p2']);
    assert.deepEqual(g.dependentsOf('d'), ['replicasets.apps|ns/rs-a']);
    g.remove(PODS, p1);
    assert.deepEqual(g.dependentsOf('a'), ['pods|ns/p2']);
    assert.deepEqual(g.dependentsOf('b'), []);
    assert.equal(g.owners, 2);
  });
  test('keys round-trip', () => {
    const key = gcKey(RS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'x', namespace: 'ns' },
    });
    assert.equal(key, 'replicasets.apps|ns/x');
    assert.deepEqual(parseGcKey(key), { resource: 'replicasets.apps', objectKey: 'ns/x' });
  });
});
