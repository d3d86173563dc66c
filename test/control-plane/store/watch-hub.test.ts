/**
 * The shared watch fan-out (control-plane/store/watch-hub.ts): bounded
 * per-watcher queues, prefix matching, order, and how watches end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../../control-plane/store/errors.ts';
import type { WatchEvent } from '../../../control-plane/store/store.ts';
import {
  Broadcaster,
  eventKey,
  eventRevision,
  WatchQueue,
} from '../../../control-plane/store/watch-hub.ts';

function put(key: string, rev: number): WatchEvent {
  return { type: 'put', kv: { key, value: `v${rev}`, createRevision: rev, modRevision: rev } };
}

function del(key: string, rev: number): WatchEvent {
  return {
    type: 'delete',
    key,
    revision: rev,
    prev: { key, value: 'old', createRevision: 1, modRevision: 1 },
  };
}

/** Reads a watch to its end; returns the events and the error it ended with, if any. */
async function drain(
  w: AsyncIterable<WatchEvent>,
): Promise<{ events: WatchEvent[]; error?: unknown }> {
  const events: WatchEvent[] = [];
  try {
    for await (const ev of w) events.push(ev);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('eventKey and eventRevision', () => {
  it('read puts and deletes alike', () => {
    assert.equal(eventKey(put('/a', 3)), '/a');
    assert.equal(eventRevision(put('/a', 3)), 3);
    assert.equal(eventKey(del('/b', 9)), '/b');
    assert.equal(eventRevision(del('/b', 9)), 9);
  });
});

describe('WatchQueue', () => {
  it('delivers pushed events in order and ends normally after close', async () => {
    const q = new WatchQueue('/', 100, () => {});
    const reading = drain(q);
    const events = [put('/a', 1), del('/a', 2), put('/b', 3)];
    for (const ev of events) q.push(ev);
    // Events pushed after the reader started waiting wake it.
    await new Promise((r) => setImmediate(r));
    q.push(put('/c', 4));
    q.close();
    q.push(put('/d', 5)); // ignored: the watch is over
    const res = await reading;
    assert.deepEqual(res.events, [...events, put('/c', 4)]);
    assert.equal(res.error, undefined);
  });

  it('delivers queued events, then throws the error it failed with', async () => {
    const q = new WatchQueue('/', 100, () => {});
    q.push(put('/a', 1));
    const err = new StoreError('Closed', 'store closed');
    q.fail(err);
    q.fail(new StoreError('TooSlow', 'second failure is ignored'));
    const res = await drain(q);
    assert.deepEqual(res.events, [put('/a', 1)]);
    assert.equal(res.error, err);
  });

  it('ends with TooSlow once more than maxLag events wait', async () => {
    let closes = 0;
    const q = new WatchQueue('/pods/', 3, () => closes++);
    for (let i = 1; i <= 5; i++) q.push(put(`/pods/p${i}`, i));
    assert.equal(q.closed, true);
    assert.equal(closes, 1);
    const res = await drain(q);
    assert.deepEqual(res.events.map(eventRevision), [1, 2, 3]);
    assert.ok(res.error instanceof StoreError && res.error.code === 'TooSlow');
    assert.match(
      (res.error as StoreError).message,
      /watcher on \/pods\/ fell more than 3 events behind/,
    );
  });

  it('keeps order across its internal buffer trimming', async () => {
    const q = new WatchQueue('/', 10_000, () => {});
    const seen: number[] = [];
    const reading = (async () => {
      for await (const ev of q) {
        seen.push(eventRevision(ev));
        if (seen.length === 5000) return;
      }
    })();
    for (let i = 1; i <= 5000; i++) {
      q.push(put('/k', i));
      if (i % 700 === 0) await new Promise((r) => setImmediate(r));
    }
    await reading;
    assert.deepEqual(
      seen,
      Array.from({ length: 5000 }, (_, i) => i + 1),
    );
    assert.equal(q.closed, true, 'leaving the loop closes the watch');
  });
});

describe('Broadcaster', () => {
  it('delivers each event to every watcher whose prefix matches, in order', async () => {
    const hub = new Broadcaster(100);
    const all = hub.subscribe('/');
    const a = hub.subscribe('/a/');
    const b = hub.subscribe('/b/');
    const events = [put('/a/1', 1), put('/ab', 2), del('/a/1', 3), put('/b/x', 4), put('/c', 5)];
    hub.publish(events);
    hub.closeAll();
    assert.equal(hub.size, 0);
    assert.deepEqual((await drain(all)).events, events);
    assert.deepEqual((await drain(a)).events, [events[0], events[2]]);
    assert.deepEqual((await drain(b)).events, [events[3]]);
  });

  it('forgets a watcher when it closes and calls its onClose once', async () => {
    const hub = new Broadcaster();
    let closed = 0;
    const w = hub.subscribe('/', () => closed++);
    const other = hub.subscribe('/');
    assert.equal(hub.size, 2);
    w.close();
    w.close();
    assert.equal(closed, 1);
    assert.equal(hub.size, 1);
    hub.publish([put('/x', 1)]);
    other.close();
    assert.deepEqual((await drain(w)).events, []);
    assert.deepEqual((await drain(other)).events, [put('/x', 1)]);
  });

  it('closeAll with an error fails every watcher with it', async () => {
    const hub = new Broadcaster();
    const ws = [hub.subscribe('/'), hub.subscribe('/a/')];
    const err = new StoreError('Closed', 'the store was closed');
    hub.closeAll(err);
    assert.equal(hub.size, 0);
    for (const w of ws) assert.equal((await drain(w)).error, err);
  });

  it('ends only the slow watcher with TooSlow; the others keep going', async () => {
    const hub = new Broadcaster(2);
    const slow = hub.subscribe('/');
    const fast = hub.subscribe('/');
    const got: WatchEvent[] = [];
    const reading = (async () => {
      for await (const ev of fast) {
        got.push(ev);
        if (got.length === 4) return;
      }
    })();
    for (let i = 1; i <= 4; i++) {
      hub.publish([put('/k', i)]);
      await new Promise((r) => setImmediate(r));
    }
    await reading;
    assert.deepEqual(got.map(eventRevision), [1, 2, 3, 4]);
    const res = await drain(slow);
    assert.equal((res.error as StoreError).code, 'TooSlow');
    assert.deepEqual(res.events.map(eventRevision), [1, 2]);
  });
});
