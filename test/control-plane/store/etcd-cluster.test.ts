/**
 * The etcd backend on a real 3-member etcd cluster on loopback: writers
 * keep writing through the store while the leader is killed with SIGKILL.
 * Writes may fail while a new leader is elected (they are counted), but no
 * acknowledged write is lost, and a watcher sees every write once, in order.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { isStoreError } from '../../../control-plane/store/errors.ts';
import { openEtcdStore } from '../../../control-plane/store/etcd/etcd-store.ts';
import type { Store, WatchEvent } from '../../../control-plane/store/store.ts';
import { startEtcdCluster, type EtcdCluster, type EtcdMember } from '../../harness/etcd.ts';
import { collect } from './fixtures/contract-helpers.ts';

const WRITERS = 4;
const WRITES_EACH = 120;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

let cluster: EtcdCluster | undefined;
before(async () => {
  cluster = await startEtcdCluster(3);
});
after(() => cluster?.stop());

function open(endpoints: string[]): Promise<Store> {
  return openEtcdStore({ backend: 'etcd', endpoints, prefix: '/skiff-ha', logger: quiet });
}

it('keeps every acknowledged write when the leader is killed mid-way', async (t) => {
  assert.ok(cluster, 'the etcd cluster did not start');
  const store = await open(cluster.endpoints);
  const acked = new Map<string, { value: string; revision: number }>();
  let failures = 0;
  let done = 0;
  try {
    const watch = await store.watch('/ha/', await store.currentRevision());
    let killed: Promise<EtcdMember> | undefined;
    let killedAt = 0;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < WRITES_EACH; i++) {
        const key = `/ha/w${w}/k${String(i).padStart(4, '0')}`;
        const value = `w${w}-${i}`;
        try {
          acked.set(key, { value, revision: await store.create(key, value) });
        } catch (err) {
          // A write that failed may or may not have been stored; only acks count.
          if (!isStoreError(err, 'Unavailable') && !isStoreError(err, 'AlreadyExists')) throw err;
          failures++;
          await new Promise((r) => setTimeout(r, 100));
        }
        if (++done === Math.floor((WRITERS * WRITES_EACH) / 3)) {
          killed = killLeader(cluster!).then((m) => ((killedAt = done), m));
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    assert.ok(killed, 'the leader was never killed');
    const victim = await killed;
    t.diagnostic(
      `killed leader ${victim.name} after ${killedAt} writes; ${acked.size} writes acknowledged, ${failures} failed`,
    );
    assert.ok(killedAt < WRITERS * WRITES_EACH, 'the leader died only after the last write');
    assert.ok(acked.size > (WRITERS * WRITES_EACH) / 2, `only ${acked.size} writes succeeded`);

    // A fresh store (new connections) reads every acknowledged write back.
    const fresh = await open(cluster.endpoints);
    try {
      const stored = new Map((await fresh.list('/ha/')).items.map((kv) => [kv.key, kv]));
      for (const [key, { value, revision }] of acked) {
        const kv = stored.get(key);
        assert.ok(kv, `acknowledged write ${key} (revision ${revision}) is lost`);
        assert.equal(kv.value, value);
        assert.equal(kv.modRevision, revision);
      }

      // The watcher saw every stored write exactly once, in revision order.
      const events = await collect(watch, (evs) => evs.length >= stored.size, 120_000);
      watch.close();
      const revisions = events.map(revisionOf);
      for (let i = 1; i < revisions.length; i++) {
        assert.ok(revisions[i]! > revisions[i - 1]!, `event ${i} is out of order or repeated`);
      }
      assert.deepEqual(
        events.map((e) => (e.type === 'put' ? e.kv.key : e.key)).sort(),
        [...stored.keys()].sort(),
      );
    } finally {
      await fresh.close();
    }

    // The killed member comes back and catches up: reading through it alone finds the same.
    await victim.restart();
    const rejoined = await open([victim.clientUrl]);
    try {
      const all = await rejoined.list('/ha/');
      for (const [key, { value }] of acked) {
        assert.equal(all.items.find((kv) => kv.key === key)?.value, value, `${key} after rejoin`);
      }
    } finally {
      await rejoined.close();
    }
  } finally {
    await store.close();
  }
});

/** Kills the current leader with SIGKILL and returns it. */
async function killLeader(c: EtcdCluster): Promise<EtcdMember> {
  const leader = await c.leader();
  await leader.kill('SIGKILL');
  return leader;
}

function revisionOf(ev: WatchEvent): number {
  return ev.type === 'put' ? ev.kv.modRevision : ev.revision;
}
