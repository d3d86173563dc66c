/**
 * `npm run bench -- store`: the cluster store's figures beside raw
 * baselines measured in the same run.
 *
 * SQLite: durable writes (synchronous FULL) with 1, 16 and 64 concurrent
 * writers, against raw node:sqlite with the same pragmas and the same
 * table (one transaction per write, and one per 16 writes); a list of
 * 10,000 keys; watch delivery to 1 and 100 watchers. etcd: figures from
 * test/bench/parts/store-etcd.ts (it runs its own etcd), when present.
 * Every database lives in a temp dir under os.tmpdir() and is removed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '../../control-plane/api/log.ts';
import { isStoreError } from '../../control-plane/store/errors.ts';
import { openSqliteStore } from '../../control-plane/store/sqlite/sqlite-store.ts';
import type { Store } from '../../control-plane/store/store.ts';
import { heading, percentile, pool, report, round, row, since } from './lib.ts';

const VALUE = JSON.stringify({ kind: 'ConfigMap', data: { payload: 'x'.repeat(400) } });
const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-store-'));
const quiet = createLogger({}, { level: 'error' });
let lockErrors = 0;
let otherErrors = 0;

/** Latencies and elapsed time summed over the rounds of one measurement. */
class Tally {
  readonly lat: number[] = [];
  count = 0;
  ms = 0;
  get perS(): number {
    return (this.count / this.ms) * 1000;
  }
}

/** Adds `count` creates from `writers` concurrent clients to `tally`. */
async function writes(store: Store, tag: string, count: number, writers: number, tally: Tally) {
  const start = performance.now();
  await pool(count, writers, async (i) => {
    const t = performance.now();
    try {
      await store.create(`/bench/${tag}/k${i}`, VALUE);
      tally.lat.push(since(t));
    } catch (err) {
      countError(err);
    }
  });
  tally.ms += since(start);
  tally.count += count;
}

/** Adds one create's latency (and time) to `tally`. */
async function writeOne(store: Store, key: string, tally: Tally): Promise<void> {
  const t = performance.now();
  try {
    await store.create(key, VALUE);
  } catch (err) {
    countError(err);
    return;
  }
  const ms = since(t);
  tally.lat.push(ms);
  tally.ms += ms;
  tally.count++;
}

function countError(err: unknown): void {
  if (isStoreError(err, 'Locked') || /locked|busy/i.test(String(err))) lockErrors++;
  else otherErrors++;
}

/**
 * Raw node:sqlite with the store's pragmas and table: the baseline. Same
 * durability as the store: SQLite's own `synchronous = FULL`, which syncs
 * the WAL inside every COMMIT (node's SQLite build has no HAVE_FDATASYNC,
 * so that is an fsync; the store runs NORMAL and fdatasyncs the WAL itself,
 * wal-sync.ts). On this ext4 disk a WAL fsync and fdatasync cost the same
 * (measured interleaved, 3,000 commits each: p50 0.20 vs 0.20 ms, p90 0.29
 * vs 0.29 ms), so neither side is favoured. Same file system (one temp
 * dir), same automatic WAL checkpoints (every 1,000 pages, inside a
 * COMMIT for both), and the same table and indexes; it does one INSERT
 * per write and not the store's check of the key's newest row (part of
 * what the store costs over raw).
 */
class RawSqlite {
  private readonly db: DatabaseSync;
  private readonly stmt: StatementSync;
  private n = 0;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(
      'PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL',
    );
    this.db.exec(`CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
      created INTEGER NOT NULL, deleted INTEGER NOT NULL, create_revision INTEGER NOT NULL,
      prev_revision INTEGER NOT NULL, value TEXT NOT NULL, old_value TEXT);
      CREATE UNIQUE INDEX kine_name_prev_revision_uindex ON kine (name, prev_revision);
      CREATE INDEX kine_name_id_index ON kine (name, id);`);
    this.stmt = this.db.prepare(
      'INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)',
    );
  }

  /** `count` writes, `perTxn` to a transaction, added to `tally` (latency per transaction). */
  writes(count: number, perTxn: number, tally: Tally): void {
    const start = performance.now();
    for (let i = 0; i < count; i += perTxn) {
      const t = performance.now();
      this.db.exec('BEGIN IMMEDIATE');
      for (let j = 0; j < perTxn; j++) this.stmt.run(`/raw/k${this.n++}`, VALUE);
      this.db.exec('COMMIT');
      tally.lat.push(since(t));
    }
    tally.ms += since(start);
    tally.count += count;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * `watchers` watchers on one prefix; `count` writes, each issued after every
 * watcher got the previous one. Returns, per watcher and write, the ms from
 * the write call to the event's arrival (so it includes the commit's fsync).
 */
async function watchLatencies(
  store: Store,
  watchers: number,
  count: number,
): Promise<{ events: number[]; acks: number[] }> {
  const prefix = `/bench/watch-${watchers}/`;
  const starts: number[] = [];
  const lat: number[] = [];
  const acks: number[] = [];
  const got = new Array<number>(count).fill(0);
  let wake: (() => void) | undefined;
  const from = await store.currentRevision();
  const ws = await Promise.all(Array.from({ length: watchers }, () => store.watch(prefix, from)));
  const readers = ws.map(async (w) => {
    for await (const ev of w) {
      const i = Number((ev.type === 'put' ? ev.kv.key : ev.key).slice(prefix.length + 1));
      lat.push(since(starts[i] as number));
      if (++got[i]! === watchers) wake?.();
      if (i === count - 1) return;
    }
  });
  for (let i = 0; i < count; i++) {
    const all = new Promise<void>((resolve) => (wake = resolve));
    const timer = setTimeout(() => wake?.(), 10_000);
    starts[i] = performance.now();
    await store.create(`${prefix}k${i}`, VALUE);
    acks.push(since(starts[i] as number));
    await all;
    clearTimeout(timer);
    if (got[i] !== watchers)
      throw new Error(`write ${i} reached ${got[i]} of ${watchers} watchers`);
  }
  await Promise.all(readers);
  for (const w of ws) w.close();
  return { events: lat, acks };
}

async function main(): Promise<void> {
  const path = join(dir, 'store.db');
  const store = await openSqliteStore({
    backend: 'sqlite',
    path,
    logger: quiet,
    compaction: { intervalMs: 0 },
  });
  const figures: Record<string, number | string | boolean> = {};
  try {
    heading('SQLite store: durable writes (synchronous FULL), interleaved with raw');
    // Single writes alternate one by one between ours and raw (which goes
    // first alternates too), so a burst of disk or CPU load from other work
    // on the machine hits both alike. (In rounds of 200 a burst as long as a
    // round lands on one side only: on a busy machine the same code measured
    // anywhere from 0.9x to 1.9x raw.) 4,000 each: the p99 is the 40th-worst
    // sample, not a handful of outliers. Throughput rounds alternate too.
    const raw = new RawSqlite(join(dir, 'raw.db'));
    const raw1 = new Tally();
    const one = new Tally();
    const rawBatched = new Tally();
    const w16 = new Tally();
    const w64 = new Tally();
    await writes(store, 'warmup', 300, 1, new Tally());
    raw.writes(300, 1, new Tally());
    for (let i = 0; i < 4000; i++) {
      if (i % 2 === 0) raw.writes(1, 1, raw1);
      await writeOne(store, `/bench/single/k${i}`, one);
      if (i % 2 === 1) raw.writes(1, 1, raw1);
    }
    for (let r = 0; r < 4; r++) {
      raw.writes(4000, 16, rawBatched);
      await writes(store, `w16-${r}`, 4000, 16, w16);
      await writes(store, `w64-${r}`, 8000, 64, w64);
    }
    raw.close();
    figures.sqlite_write_p50_ms = round(percentile(one.lat, 0.5), 3);
    figures.sqlite_write_p99_ms = round(percentile(one.lat, 0.99), 3);
    figures.raw_sqlite_write_p50_ms = round(percentile(raw1.lat, 0.5), 3);
    figures.raw_sqlite_write_p99_ms = round(percentile(raw1.lat, 0.99), 3);
    figures.raw_sqlite_writes_per_s = Math.round(raw1.perS);
    figures.raw_sqlite_batched_writes_per_s = Math.round(rawBatched.perS);
    figures.sqlite_writes_per_s_1 = Math.round(one.perS);
    figures.sqlite_writes_per_s_16 = Math.round(w16.perS);
    figures.sqlite_writes_per_s_64 = Math.round(w64.perS);
    row('single writer p50', percentile(one.lat, 0.5), 'ms', percentile(raw1.lat, 0.5));
    row(
      'single writer p99 (target <= 1.5x raw)',
      percentile(one.lat, 0.99),
      'ms',
      percentile(raw1.lat, 0.99),
    );
    row('single writer throughput', one.perS, 'writes/s', raw1.perS);
    row('16 writers throughput (raw: 16 per txn)', w16.perS, 'writes/s', rawBatched.perS);
    row('64 writers throughput (target >= 5000)', w64.perS, 'writes/s', rawBatched.perS);
    row('64 writers p99 latency', percentile(w64.lat, 0.99), 'ms');
    row('lock errors (target 0)', lockErrors, 'errors');
    row('other write errors', otherErrors, 'errors');
    figures.lock_errors = lockErrors;
    figures.write_errors = otherErrors;

    heading('SQLite store: list 10,000 keys');
    await pool(10_000, 64, async (i) => {
      await store.create(`/bench/list/k${String(i).padStart(5, '0')}`, VALUE);
    });
    const listMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await store.list('/bench/list/');
      listMs.push(since(t));
      if (res.items.length !== 10_000) throw new Error(`list returned ${res.items.length} keys`);
    }
    const pagedStart = performance.now();
    let pages = 0;
    let token: string | undefined;
    do {
      const res = await store.list('/bench/list/', {
        limit: 500,
        ...(token ? { continue: token } : {}),
      });
      token = res.continue;
      pages++;
    } while (token);
    const pagedMs = since(pagedStart);
    figures.list_10k_ms = round(percentile(listMs, 0.5));
    figures.list_10k_paged_500_ms = round(pagedMs);
    row('list 10k keys (median of 5)', percentile(listMs, 0.5), 'ms');
    row(`list 10k keys in ${pages} pages of 500`, pagedMs, 'ms');

    heading('SQLite store: watch delivery (write call -> event, includes the fsync)');
    // Baseline: the same writes' own acknowledgement latency.
    const w1 = await watchLatencies(store, 1, 300);
    const w100 = await watchLatencies(store, 100, 300);
    figures.watch_p50_ms_1 = round(percentile(w1.events, 0.5), 3);
    figures.watch_p99_ms_1 = round(percentile(w1.events, 0.99), 3);
    figures.watch_p50_ms_100 = round(percentile(w100.events, 0.5), 3);
    figures.watch_p99_ms_100 = round(percentile(w100.events, 0.99), 3);
    const vsAck = (label: string, ev: number[], ack: number[], q: number): void =>
      row(`${label} (raw: write ack)`, percentile(ev, q), 'ms', percentile(ack, q));
    vsAck('1 watcher p50', w1.events, w1.acks, 0.5);
    vsAck('1 watcher p99', w1.events, w1.acks, 0.99);
    vsAck('100 watchers p50', w100.events, w100.acks, 0.5);
    vsAck('100 watchers p99, target < 50', w100.events, w100.acks, 0.99);

    heading('SQLite targets');
    const met = [
      target(
        'single-writer p99 within 1.5x raw SQLite',
        percentile(one.lat, 0.99) <= 1.5 * percentile(raw1.lat, 0.99),
      ),
      target('>= 5,000 durable writes/s with 64 writers', w64.perS >= 5000),
      target('zero lock errors', lockErrors === 0),
      target('watch p99 to 100 watchers under 50 ms', percentile(w100.events, 0.99) < 50),
    ];
    figures.sqlite_targets_met = met.every(Boolean);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  heading('etcd store (test/bench/parts/store-etcd.ts)');
  Object.assign(figures, await etcdFigures());
  report(figures);
}

/** Prints whether one target is met; returns it. */
function target(label: string, ok: boolean): boolean {
  process.stdout.write(`${label.padEnd(44)} ${ok ? 'met' : 'NOT MET'}\n`);
  return ok;
}

type EtcdFigures = {
  etcd_write_p50_ms: number;
  etcd_write_p99_ms: number;
  raw_etcd_write_p50_ms: number;
  raw_etcd_write_p99_ms: number;
  etcd_writes_per_s_64: number;
};

async function etcdFigures(): Promise<Record<string, number | string>> {
  const file = fileURLToPath(new URL('./parts/store-etcd.ts', import.meta.url));
  if (!existsSync(file)) {
    process.stdout.write('not measured: test/bench/parts/store-etcd.ts does not exist yet\n');
    return {
      etcd_write_p50_ms: NaN,
      etcd_write_p99_ms: NaN,
      raw_etcd_write_p50_ms: NaN,
      raw_etcd_write_p99_ms: NaN,
      etcd_writes_per_s_64: NaN,
      etcd: 'not measured',
    };
  }
  const mod = (await import(pathToFileURL(file).href)) as { benchEtcd: () => Promise<EtcdFigures> };
  const e = await mod.benchEtcd();
  row('etcd single writer p50', e.etcd_write_p50_ms, 'ms', e.raw_etcd_write_p50_ms);
  row('etcd single writer p99', e.etcd_write_p99_ms, 'ms', e.raw_etcd_write_p99_ms);
  row('etcd 64 writers throughput', e.etcd_writes_per_s_64, 'writes/s');
  return { ...e };
}

await main();
