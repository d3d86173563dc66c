/** ControllerExpectations: creations counted, deletions tracked by key, a TTL. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Expectations } from '../../../../control-plane/controllers/replicaset-expectations.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';

test('satisfied once every expected creation was observed', () => {
  const e = new Expectations({ clock: new FakeClock() });
  assert.equal(e.satisfied('ns/rs'), true, 'no expectations: free to sync');
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  e.creationObserved('ns/rs');
  assert.deepEqual(e.pending('ns/rs'), { add: 0, del: 0 }, 'never below zero');
});

test('deletions are tracked by pod key: the same deletion seen twice counts once', () => {
  const e = new Expectations({ clock: new FakeClock() });
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfied('ns/rs'), false);
  e.deletionObserved('ns/rs', 'ns/other');
  assert.equal(e.satisfied('ns/rs'), false);
  e.deletionObserved('ns/rs', 'ns/b');
  assert.equal(e.satisfied('ns/rs'), true);
});

test('unmet expectations stop blocking after the TTL', () => {
  const clock = new FakeClock();
  const e = new Expectations({ clock, ttlMs: 5 * 60_000 });
  e.expectCreations('ns/rs', 3);
  clock.advance(5 * 60_000);
  assert.equal(e.satisfied('ns/rs'), false);
  clock.advance(1);
  assert.equal(e.satisfied('ns/rs'), true);
});

test('delete forgets the owner', () => {
  const e = new Expectations({ clock: new FakeClock() });
  e.expectCreations('ns/rs', 1);
  e.delete('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  assert.equal(e.pending('ns/rs'), undefined);
});
