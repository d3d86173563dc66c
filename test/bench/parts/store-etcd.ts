/**
 * The etcd half of the store benchmark (test/bench/store.ts calls
 * `benchEtcd`). It starts its own single-member etcd on loopback and
 * measures, beside raw puts made with an etcd3 client built the same way
 * as the store's:
 * - single-writer write latency through the Store (creates, then updates),
 *   each store write interleaved with a raw put so machine load hits both;
 * - throughput with 64 concurrent writers through the Store (creates),
 *   beside raw puts and raw create transactions (the store's compare-and-put
 *   costs etcd more than a blind put; the second ratio shows our overhead).
 * Run alone: `node test/bench/parts/store-etcd.ts` (ends with a JSON line).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '../../../control-plane/store/etcd/etcd-client.ts';
import { openEtcdStore } from '../../../control-plane/store/etcd/etcd-store.ts';
import { createTxn } from '../../../control-plane/store/etcd/etcd-txn.ts';
import type { EtcdStoreConfig } from '../../../control-plane/store/index.ts';
import type { Store } from '../../../control-plane/store/store.ts';
import { startEtcd } from '../../harness/etcd.ts';
import { heading, percentile, pool, report, round, row, since } from '../lib.ts';

const SINGLE_WRITES = 500; // creates, then as many updates
const CONCURRENT_WRITES = 4_000;
const CONCURRENCY = 64;
const ROUNDS = 2;
const WARMUP = 100;
// About the size of a small Kubernetes object as JSON.
const VALUE = JSON.stringify({ kind: 'ConfigMap', data: { blob: 'x'.repeat(900) } });

export interface EtcdFigures {
  etcd_write_p50_ms: number;
  etcd_write_p99_ms: number;
  raw_etcd_write_p50_ms: number;
  raw_etcd_write_p99_ms: number;
  etcd_writes_per_s_64: number;
}

export async function benchEtcd(): Promise<EtcdFigures> {
  const etcd = await startEtcd();
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
  const cfg: EtcdStoreConfig = {
    backend: 'etcd',
    endpoints: etcd.endpoints,
    prefix: `/bench-${randomUUID().slice(0, 8)}`,
    logger: quiet,
  };
  const store = await openEtcdStore(cfg);
  const raw = createEtcdClient(cfg, etcd.endpoints);
  try {
    return await measure(store, raw);
  } finally {
    raw.close();
    await store.close();
    await etcd.stop();
  }
}

async function measure(store: Store, raw: Etcd3): Promise<EtcdFigures> {
  const timed = async (samples: number[], fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    samples.push(since(start));
  };
  for (let i = 0; i < WARMUP; i++) {
    await store.create(`/warm/k${i}`, VALUE);
    await raw.put(`/raw-warm/k${i}`).value(VALUE).exec();
  }

  const creates: number[] = [];
  const updates: number[] = [];
  const rawPuts: number[] = [];
  const revs: number[] = [];
  for (let i = 0; i < SINGLE_WRITES; i++) {
    await timed(creates, async () => revs.push(await store.create(`/single/k${i}`, VALUE)));
    await timed(rawPuts, () => raw.put(`/raw-single/k${i}`).value(VALUE).exec());
  }
  for (let i = 0; i < SINGLE_WRITES; i++) {
    await timed(updates, () => store.update(`/single/k${i}`, VALUE + i, revs[i] as number));
    await timed(rawPuts, () =>
      raw
        .put(`/raw-single/k${i}`)
        .value(VALUE + i)
        .exec(),
    );
  }
  const writes = [...creates, ...updates];

  heading(`etcd single writer (1 member, ${SINGLE_WRITES} creates + ${SINGLE_WRITES} updates)`);
  row('etcd store create p50', percentile(creates, 0.5), 'ms', percentile(rawPuts, 0.5));
  row('etcd store update p50', percentile(updates, 0.5), 'ms', percentile(rawPuts, 0.5));
  row('etcd store write p50', percentile(writes, 0.5), 'ms', percentile(rawPuts, 0.5));
  row('etcd store write p99', percentile(writes, 0.99), 'ms', percentile(rawPuts, 0.99));

  // Alternate rounds, so drift in machine load spreads over all three.
  const rates = { store: 0, put: 0, txn: 0 };
  await throughput(WARMUP * 5, (i) => store.create(`/many-warm/k${i}`, VALUE));
  for (let r = 0; r < ROUNDS; r++) {
    const n = CONCURRENT_WRITES / ROUNDS;
    rates.store += (await throughput(n, (i) => store.create(`/many/r${r}k${i}`, VALUE))) / ROUNDS;
    rates.put +=
      (await throughput(n, (i) => raw.put(`/raw/r${r}k${i}`).value(VALUE).exec())) / ROUNDS;
    rates.txn += (await throughput(n, (i) => rawCreate(raw, `/txn/r${r}k${i}`))) / ROUNDS;
  }
  heading(
    `etcd ${CONCURRENCY} concurrent writers (${CONCURRENT_WRITES} writes of each kind, ${ROUNDS} alternating rounds)`,
  );
  row(`etcd store creates/s vs raw puts`, rates.store, '/s', rates.put);
  row(`etcd store creates/s vs raw create txns`, rates.store, '/s', rates.txn);
  const storeRate = rates.store;

  return {
    etcd_write_p50_ms: round(percentile(writes, 0.5), 3),
    etcd_write_p99_ms: round(percentile(writes, 0.99), 3),
    raw_etcd_write_p50_ms: round(percentile(rawPuts, 0.5), 3),
    raw_etcd_write_p99_ms: round(percentile(rawPuts, 0.99), 3),
    etcd_writes_per_s_64: round(storeRate, 0),
  };
}

/** Writes per second with CONCURRENCY writers doing `count` writes in all. */
async function throughput(count: number, write: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await pool(count, CONCURRENCY, async (i) => {
    await write(i);
  });
  return count / (since(start) / 1000);
}

/** The store's create transaction (etcd-txn.ts) sent raw: etcd's own cost of a compare-and-put. */
function rawCreate(raw: Etcd3, key: string): Promise<unknown> {
  return raw.kv.txn(createTxn(Buffer.from(key), VALUE));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  report({ ...(await benchEtcd()) });
}
