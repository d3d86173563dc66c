/**
 * The scheduling queue: priority order, backoff, the unschedulable holding
 * area and the cluster events that move pods out of it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SchedulingQueue } from '../../../control-plane/scheduler/queue.ts';
import { pod } from './builders.ts';

const T0 = Date.UTC(2024, 0, 1);

// Pops everything active, returning the pod names in order.
function drain(q: SchedulingQueue): string[] {
  const out: string[] = [];
  for (let e = q.pop(); e; e = q.pop()) {
    out.push(e.pod.metadata.name ?? '');
    q.done(e.key);
  }
  return out;
}

describe('scheduling queue', () => {
  test('highest priority first, then oldest, then by name', () => {
    const q = new SchedulingQueue();
    q.add(pod('low-old', { priority: 0, created: '2024-01-01T00:00:00Z' }), T0);
    q.add(pod('high-new', { priority: 100, created: '2024-01-03T00:00:00Z' }), T0);
    q.add(pod('high-old', { priority: 100, created: '2024-01-02T00:00:00Z' }), T0);
    q.add(pod('mid', { priority: 50, created: '2024-01-09T00:00:00Z' }), T0);
    q.add(pod('low-b', { priority: 0, created: '2024-01-05T00:00:00Z' }), T0);
    q.add(pod('low-a', { priority: 0, created: '2024-01-05T00:00:00Z' }), T0);
    assert.deepEqual(drain(q), ['high-old', 'high-new', 'mid', 'low-old', 'low-a', 'low-b']);
  });

  test('a pod waits at most once; adding it again updates it in place', () => {
    const q = new SchedulingQueue();
    q.add(pod('a', { priority: 0 }), T0);
    q.add(pod('b', { priority: 10 }), T0);
    q.add(pod('a', { priority: 20 }), T0);
    assert.deepEqual(q.sizes.active, 2);
    assert.deepEqual(drain(q), ['a', 'b']);
  });

  test('an unschedulable pod is not handed out again until a cluster event', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const e = q.pop();
    assert.ok(e);
    q.requeue(e.key, new Set(['NodeResourcesFit']), T0);
    assert.equal(q.stateOf(e.key), 'unschedulable');
    assert.equal(q.pop(), undefined);
    q.flushBackoffCompleted(T0 + 60_000);
    assert.equal(q.pop(), undefined, 'time alone does not retry it before the leftover flush');

    assert.equal(q.moveAllToActiveOrBackoff('NodeAdd', T0 + 60_000), 1);
    assert.equal(q.stateOf(e.key), 'active', 'its 1 s backoff is long over');
    assert.equal(q.pop()?.key, 'default/p');
  });

  test('only events that can help the rejecting plugins move a pod', () => {
    const q = new SchedulingQueue();
    q.add(pod('selector'), T0);
    q.add(pod('cpu'), T0);
    const first = q.pop();
    const second = q.pop();
    assert.ok(first && second);
    q.requeue('default/selector', new Set(['NodeAffinity']), T0);
    q.requeue('default/cpu', new Set(['NodeResourcesFit']), T0);
    const later = T0 + 20_000;

    assert.equal(q.moveAllToActiveOrBackoff('AssignedPodAdd', later), 0);
    assert.equal(q.moveAllToActiveOrBackoff('AssignedPodDelete', later), 1);
    assert.equal(q.stateOf('default/cpu'), 'active');
    assert.equal(q.stateOf('default/selector'), 'unschedulable');
    assert.equal(q.moveAllToActiveOrBackoff('NodeUpdate', later), 1);
    assert.equal(q.stateOf('default/selector'), 'active');
  });

  test('a moved pod still backing off waits in backoff', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const e = q.pop();
    assert.ok(e);
    q.requeue(e.key, new Set(['NodeResourcesFit']), T0);
    q.moveAllToActiveOrBackoff('NodeAdd', T0 + 200);
    assert.equal(q.stateOf(e.key), 'backoff');
    assert.equal(q.nextBackoffAt(), T0 + 1_000);
    q.flushBackoffCompleted(T0 + 999);
    assert.equal(q.pop(), undefined);
    q.flushBackoffCompleted(T0 + 1_000);
    assert.equal(q.pop()?.key, e.key);
  });

  test('an event during the attempt sends the failed pod to backoff, not unschedulable', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const e = q.pop();
    assert.ok(e);
    // A node joined while the pod was being scheduled against the old snapshot.
    q.moveAllToActiveOrBackoff('NodeAdd', T0);
    q.requeue(e.key, new Set(['NodeResourcesFit']), T0);
    assert.equal(q.stateOf(e.key), 'backoff');
  });

  test('an error (no rejecting plugin) backs off', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const e = q.pop();
    assert.ok(e);
    q.requeue(e.key, new Set(), T0);
    assert.equal(q.stateOf(e.key), 'backoff');
  });

  test('backoff doubles per attempt from 1 s up to 10 s', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 6; i++) {
      const e = q.pop();
      assert.ok(e, `attempt ${i + 1} is active`);
      q.requeue(e.key, new Set(), now);
      const at = q.nextBackoffAt() as number;
      waits.push(at - now);
      now = at;
      q.flushBackoffCompleted(now);
    }
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  test('unschedulable pods are retried after 5 minutes without any event', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const e = q.pop();
    assert.ok(e);
    q.requeue(e.key, new Set(['NodeAffinity']), T0);
    q.flushUnschedulableLeftover(T0 + 299_999);
    assert.equal(q.stateOf(e.key), 'unschedulable');
    q.flushUnschedulableLeftover(T0 + 300_000);
    assert.equal(q.stateOf(e.key), 'active');
  });

  test('an update to an unschedulable pod gives it another try', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), T0);
    const e = q.pop();
    assert.ok(e);
    q.requeue(e.key, new Set(['NodeAffinity']), T0);
    q.add(pod('p', { nodeSelector: { disk: 'ssd' } }), T0 + 5_000);
    assert.equal(q.stateOf(e.key), 'active');
    assert.deepEqual(q.pop()?.pod.spec.nodeSelector, { disk: 'ssd' });
  });

  test('delete forgets the pod wherever it is', () => {
    const q = new SchedulingQueue();
    for (const n of ['a', 'b', 'c', 'd']) q.add(pod(n), T0);
    const a = q.pop();
    const b = q.pop();
    const c = q.pop();
    assert.ok(a && b && c);
    q.requeue(b.key, new Set(['NodeAffinity']), T0);
    q.requeue(c.key, new Set(), T0);
    for (const n of ['a', 'b', 'c', 'd']) q.delete(`default/${n}`);
    assert.deepEqual(q.sizes, { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
    q.requeue(a.key, new Set(['NodeAffinity']), T0);
    assert.equal(q.stateOf(a.key), undefined, 'a deleted in-flight pod is not requeued');
  });
});
