/**
 * `npm run bench -- apiserver`: the API server over HTTP against the raw
 * embedded SQLite store doing the same work in-process, with pods of about
 * 3 KB. The server runs in a child process (parts/apiserver-child.ts) so
 * client and server do not share one event loop; the raw store runs in
 * this process (for the paced creates in one of its own: see
 * parts/apiserver-raw-pacer.ts). Figures:
 *   - create latency p50/p90/p99/max at 20 requests/s, open loop (1,200
 *     requests through a kept-alive connection, bodies serialized before
 *     the clock starts), alternating with the raw store's creates of the
 *     same objects; beside them what the tail is made of (server GC pauses,
 *     the server's slow store creates, the raw store's slow creates)
 *   - creates/s with 32 concurrent clients over keep-alive (10,000 pods),
 *     with the server's CPU time per create (all its threads, and its event
 *     loop alone) and this process's (the client's): the machine's other
 *     work moves these far less than the rate
 *   - list of those 10,000 pods, whole and in pages of 500: the target
 *     applies to the time to the response's last byte (what Kubernetes'
 *     list latency SLO measures); the time including the client's
 *     JSON.parse (ApiClient) is shown beside it
 *   - one change delivered to 1,000 concurrent watchers: p99 from just
 *     before the write to each watcher's receipt, measured in the client
 *     (receipt = the event's line arrived; a second figure has all 1,000
 *     watches parse every event through ApiClient in this one process)
 * SKIFF_BENCH_CPU_PROF=DIR also writes the server's CPU profile to DIR;
 * SKIFF_BENCH_PACED_ONLY=1 runs the paced creates alone (working on that tail).
 * The 1-minute load average at the start and the end is reported too.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../control-plane/api/client/client.ts';
import { LineSplitter } from '../../control-plane/api/client/watch-stream.ts';
import { createLogger } from '../../control-plane/api/log.ts';
import { findResource, storageKey, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Pod } from '../../control-plane/api/types.ts';
import { openStore, type Store } from '../../control-plane/store/index.ts';
import { heading, percentile, pool, report, round, row, since } from './lib.ts';
import { startServerChild, type ServerChild } from './parts/apiserver-child.ts';
import { explainTail, runPaced } from './parts/apiserver-paced.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
// 1,200 requests each side (a minute at 20/s): a p99 from 200 samples is the second-worst one.
const PACED = 1200;
const RATE = 20;
// Creates each side before the clock starts (code compiled, sockets open).
const WARMUP = 100;
const PACED_QUANTILES: readonly [string, number][] = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99],
];
const BULK = 10_000;
const CONCURRENCY = 32;
const WATCHERS = 1_000;
const PROBES = 5;
const LIST_RUNS = 5;

await main();

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-apiserver-'));
  let server: ServerChild | undefined;
  let raw: Store | undefined;
  let client: ApiClient | undefined;
  const killChild = () => {
    if (server) process.kill(server.pid, 'SIGKILL');
  };
  process.on('exit', killChild);
  const loadStart = loadavg()[0] ?? NaN;
  try {
    server = await startServerChild(dir);
    client = new ApiClient({ server: server.url, timeoutMs: 120_000 });
    raw = await openStore({
      backend: 'sqlite',
      path: join(dir, 'raw.db'),
      logger: createLogger({}, { level: 'warn' }),
    });
    for (const name of ['bench-paced', 'bench-bulk', 'bench-fanout']) {
      await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    process.stdout.write(
      `API server ${server.url} (child pid ${server.pid}); data in ${dir}; ` +
        `load average ${round(loadStart)}\n`,
    );
    const figures = await measure(client, raw, server, dir);
    const loadEnd = loadavg()[0] ?? NaN;
    process.stdout.write(`load average ${round(loadStart)} at the start, ${round(loadEnd)} now\n`);
    report({ ...figures, load_1m_start: round(loadStart), load_1m_end: round(loadEnd) });
  } finally {
    client?.close();
    await raw?.close();
    await server?.stop();
    process.off('exit', killChild);
    rmSync(dir, { recursive: true, force: true });
  }
}

type Figures = Record<string, number>;
type StoredJson = (name: string, ns: string) => string;

async function measure(
  client: ApiClient,
  raw: Store,
  server: ServerChild,
  dir: string,
): Promise<Figures> {
  const url = server.url;
  const { figures: paced, storedJson } = await pacedCreates(client, server, dir);
  if (process.env.SKIFF_BENCH_PACED_ONLY === '1') return paced;
  const bulk = await bulkCreates(client, raw, server, storedJson);
  const lists = await listing(client, raw, url);
  const fan = await fanout(client, raw, url, storedJson);

  heading('targets');
  target('create p99 at 20 requests/s < 10 ms', (paced.create_p99_ms_20rps ?? NaN) < 10);
  target('creates/s with 32 clients >= 2,000', (bulk.creates_per_s_32 ?? NaN) >= 2_000);
  target('list of 10,000 pods < 300 ms (to last byte)', (lists.list_10k_ms ?? NaN) < 300);
  target(
    'watch fan-out p99 to 1,000 watchers < 100 ms',
    (fan.watch_fanout_p99_ms_1000 ?? NaN) < 100,
  );
  return { ...paced, ...bulk, ...lists, ...fan };
}

async function pacedCreates(
  client: ApiClient,
  server: ServerChild,
  dir: string,
): Promise<{ figures: Figures; storedJson: StoredJson }> {
  heading(
    `create latency at ${RATE} requests/s, open loop (${PACED} creates each side, ` +
      'the raw store half a period after the API)',
  );
  // The first create of the server's life, timed alone: the cold path, not in the percentiles.
  let t = performance.now();
  await client.create(PODS, makePod('warm-0', 'bench-paced'));
  const cold = since(t);
  // The raw store writes the JSON the server stored, so both sides move the same bytes.
  const stored = await client.get<Pod>(PODS, 'warm-0', { namespace: 'bench-paced' });
  const storedJson: StoredJson = (name, ns) =>
    JSON.stringify({ ...stored, metadata: { ...stored.metadata, name, namespace: ns } });
  const names = [
    ...Array.from({ length: WARMUP - 1 }, (_, i) => `warm-${i + 1}`),
    ...Array.from({ length: PACED }, (_, i) => `paced-${i}`),
  ];
  const bodies = names.map((name) => Buffer.from(JSON.stringify(makePod(name, 'bench-paced'))));
  const raw = { keyPrefix: storageKey(PODS, 'bench-paced'), template: stored, names };
  t = performance.now();
  const paced = await runPaced(server, dir, {
    path: '/api/v1/namespaces/bench-paced/pods',
    bodies,
    raw,
    warm: WARMUP - 1,
    rate: RATE,
  });
  const podBytes = storedJson('paced-0', 'bench-paced').length;
  const sent = (bodies[0] as Buffer).length;
  process.stdout.write(
    `pod JSON: ${sent} bytes sent, ${podBytes} bytes stored; ` +
      `${round(since(t) / 1000, 0)} s with ${WARMUP} warm-up creates each side\n`,
  );
  const api = paced.api.map((x) => x.ms);
  const rawMs = paced.raw.map((x) => x.ms);
  for (const [label, q] of PACED_QUANTILES) {
    row(`create ${label}`, percentile(api, q), 'ms', percentile(rawMs, q));
  }
  row('create max', Math.max(...api), 'ms', Math.max(...rawMs));
  row('first create of the server (cold)', cold, 'ms');
  const tail = explainTail(paced, RATE);
  const figures: Figures = {
    pod_bytes: podBytes,
    create_cold_ms: round(cold),
    ...tail,
  };
  for (const [label, q] of PACED_QUANTILES) {
    figures[`create_${label}_ms_20rps`] = round(percentile(api, q));
    figures[`raw_create_${label}_ms_20rps`] = round(percentile(rawMs, q));
  }
  figures.create_max_ms_20rps = round(Math.max(...api));
  figures.raw_create_max_ms_20rps = round(Math.max(...rawMs));
  return { figures, storedJson };
}

async function bulkCreates(
  client: ApiClient,
  raw: Store,
  server: ServerChild,
  storedJson: StoredJson,
): Promise<Figures> {
  heading(`create throughput, ${CONCURRENCY} concurrent clients (${BULK} pods)`);
  const before = await server.cpu();
  const clientBefore = process.cpuUsage();
  let t = performance.now();
  await pool(BULK, CONCURRENCY, async (i) => {
    await client.create(PODS, makePod(`bulk-${i}`, 'bench-bulk'));
  });
  const apiRate = BULK / (since(t) / 1000);
  const clientCpu = process.cpuUsage(clientBefore);
  const after = await server.cpu();
  const perCreate = (us: number) => us / BULK;
  const serverUs = perCreate(after.processUs - before.processUs);
  const loopUs = perCreate(after.mainThreadUs - before.mainThreadUs);
  const clientUs = perCreate(clientCpu.user + clientCpu.system);
  t = performance.now();
  await pool(BULK, CONCURRENCY, async (i) => {
    await raw.create(
      storageKey(PODS, 'bench-bulk', `bulk-${i}`),
      storedJson(`bulk-${i}`, 'bench-bulk'),
    );
  });
  const rawRate = BULK / (since(t) / 1000);
  row('creates/s (target >= 2,000)', apiRate, '/s', rawRate);
  row('server CPU per create (all threads)', serverUs, 'us');
  row('server CPU per create (event loop)', loopUs, 'us');
  row('client CPU per create (ApiClient)', clientUs, 'us');
  return {
    creates_per_s_32: round(apiRate, 0),
    raw_store_creates_per_s_32: round(rawRate, 0),
    server_cpu_us_per_create_32: round(serverUs, 1),
    server_loop_cpu_us_per_create_32: round(loopUs, 1),
    client_cpu_us_per_create_32: round(clientUs, 1),
  };
}

async function listing(client: ApiClient, raw: Store, url: string): Promise<Figures> {
  heading(`list of ${BULK} pods (median of ${LIST_RUNS} runs)`);
  process.stdout.write(
    'The target applies to the time to the last byte of the response (the API latency that\n' +
      "Kubernetes' list SLO measures); the figure with the client's JSON.parse is for reference.\n",
  );
  // Read to its last byte, not parsed: the API's latency.
  const firstBytes: number[] = [];
  const ttlb = await median(async () => {
    const body = await getBytes(url, `/api/v1/namespaces/bench-bulk/pods`);
    if (body.bytes < BULK * 1000) throw new Error(`list body of only ${body.bytes} bytes`);
    firstBytes.push(body.firstByteMs);
  });
  const whole = await median(async () => {
    check((await client.list(PODS, { namespace: 'bench-bulk' })).items.length, 'API list');
  });
  const paged = await median(async () => {
    const l = await client.listAll(PODS, { namespace: 'bench-bulk', limit: 500 });
    check(l.items.length, 'API paged list');
  });
  const prefix = storageKey(PODS, 'bench-bulk');
  const rawWhole = await median(async () =>
    check((await raw.list(prefix)).items.length, 'raw list'),
  );
  const rawPaged = await median(async () => {
    let n = 0;
    let cont: string | undefined;
    do {
      const page = await raw.list(prefix, { limit: 500, continue: cont });
      n += page.items.length;
      cont = page.continue;
    } while (cont);
    check(n, 'raw paged list');
  });
  row('list whole, to last byte (target < 300 ms)', ttlb, 'ms', rawWhole);
  row('list whole, to first byte', percentile(firstBytes, 0.5), 'ms', rawWhole);
  row('list whole, with ApiClient JSON.parse', whole, 'ms', rawWhole);
  row('list in pages of 500, with JSON.parse', paged, 'ms', rawPaged);
  return {
    // list_10k_ms is the figure: the list's API latency, to the last byte.
    list_10k_ms: round(ttlb),
    list_10k_ttfb_ms: round(percentile(firstBytes, 0.5)),
    list_10k_parsed_ms: round(whole),
    list_10k_paged_ms: round(paged),
    raw_list_10k_ms: round(rawWhole),
    raw_list_10k_paged_ms: round(rawPaged),
  };
}

async function fanout(
  client: ApiClient,
  raw: Store,
  url: string,
  storedJson: StoredJson,
): Promise<Figures> {
  heading(`one change to ${WATCHERS} concurrent watchers (${PROBES} changes)`);
  const primer = await primeFeed(client);
  let wire: number[];
  let parsed: number[];
  try {
    // Each watcher is its own HTTP stream; receipt is the arrival of the event's line.
    wire = await wireFanout(client, url, primer.from);
    // The same through ApiClient.watch: all 1,000 parse every event in this one process.
    parsed = await clientFanout(client, primer.from);
  } finally {
    await primer.stop();
  }
  const rawFan = await rawFanout(raw, storedJson);
  const p99 = percentile(wire, 0.99);
  row('watch fan-out p50', percentile(wire, 0.5), 'ms', percentile(rawFan, 0.5));
  row('watch fan-out p99 (target < 100 ms)', p99, 'ms', percentile(rawFan, 0.99));
  row(
    'watch fan-out p99, 1,000 ApiClient watches',
    percentile(parsed, 0.99),
    'ms',
    percentile(rawFan, 0.99),
  );
  return {
    watch_fanout_p50_ms_1000: round(percentile(wire, 0.5)),
    watch_fanout_p99_ms_1000: round(p99),
    watch_fanout_p99_ms_1000_apiclient: round(percentile(parsed, 0.99)),
    raw_watch_fanout_p99_ms_1000: round(percentile(rawFan, 0.99)),
  };
}

async function median(fn: () => Promise<void>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < LIST_RUNS; i++) {
    const t = performance.now();
    await fn();
    runs.push(since(t));
  }
  return percentile(runs, 0.5);
}

/**
 * Measures steady-state delivery, not a cold start: one watch is opened
 * and sees a write first, so the server's shared pods feed exists and
 * covers `from` when the 1,000 watchers arrive. (Watchers that ask for a
 * version older than a feed's start each get their own store watch; see
 * the report.) Keep the primer open until `stop()`, so the feed stays.
 */
async function primeFeed(client: ApiClient): Promise<{ from: string; stop: () => Promise<void> }> {
  const ac = new AbortController();
  const name = `prime-${Date.now()}`;
  const start = (await client.list(PODS, { namespace: 'bench-fanout' })).metadata.resourceVersion;
  let seen: (rv: string) => void = () => undefined;
  const primed = new Promise<string>((resolve) => (seen = resolve));
  const reading = (async () => {
    const opts = { namespace: 'bench-fanout', resourceVersion: start, signal: ac.signal };
    for await (const ev of client.watch(PODS, opts)) {
      if (ev.object.metadata.name === name) seen(ev.object.metadata.resourceVersion ?? '');
    }
  })();
  await client.create(PODS, makePod(name, 'bench-fanout'));
  const from = await Promise.race([
    primed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the primer watch saw nothing in 60 s')), 60_000).unref(),
    ),
  ]);
  return {
    from,
    stop: async () => {
      ac.abort();
      await reading.catch(() => undefined);
    },
  };
}

/** 1,000 ApiClient watches; each probe's latency is from just before its create to each receipt. */
async function clientFanout(client: ApiClient, from: string): Promise<number[]> {
  const ac = new AbortController();
  const got = new Map<string, number[]>();
  const readers = Array.from({ length: WATCHERS }, async () => {
    for await (const ev of client.watch(PODS, {
      namespace: 'bench-fanout',
      resourceVersion: from,
      signal: ac.signal,
    })) {
      if (ev.type === 'ADDED') got.get(ev.object.metadata.name ?? '')?.push(performance.now());
    }
  });
  try {
    return await probeAll(got, (name) => client.create(PODS, makePod(name, 'bench-fanout')));
  } finally {
    ac.abort();
    await Promise.allSettled(readers);
  }
}

/**
 * 1,000 plain HTTP watch streams; a watcher has the event when the line
 * carrying it has arrived (no JSON parsing, so one client process can
 * stand in for 1,000 separate ones).
 */
async function wireFanout(client: ApiClient, url: string, from: string): Promise<number[]> {
  const ac = new AbortController();
  const got = new Map<string, number[]>();
  const path = `/api/v1/namespaces/bench-fanout/pods?watch=true&resourceVersion=${from}`;
  const agent = new http.Agent({ keepAlive: false });
  const readers = Array.from({ length: WATCHERS }, () =>
    streamLines(url, path, agent, ac.signal, (line, at) => {
      const name = /"name":"((?:warm|probe)-[^"]+)"/.exec(line)?.[1];
      if (name && line.startsWith('{"type":"ADDED"')) got.get(name)?.push(at);
    }),
  );
  try {
    return await probeAll(got, (name) => client.create(PODS, makePod(name, 'bench-fanout')));
  } finally {
    ac.abort();
    await Promise.allSettled(readers);
    agent.destroy();
  }
}

// Calls onLine(line, arrival time) for each complete line of a streamed GET.
function streamLines(
  url: string,
  path: string,
  agent: http.Agent,
  signal: AbortSignal,
  onLine: (line: string, at: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, url), { agent, signal }, (res) => {
      const lines = new LineSplitter();
      res.on('data', (chunk: Buffer) => {
        const at = performance.now();
        for (const line of lines.push(chunk)) onLine(line, at);
      });
      res.on('end', resolve);
      res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
    });
    req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
  });
}

/** GET `path` and read the body to its end without parsing: its size and time to first byte. */
function getBytes(url: string, path: string): Promise<{ bytes: number; firstByteMs: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(new URL(path, url), { headers: { Accept: 'application/json' } }, (res) => {
        let bytes = 0;
        let firstByteMs = NaN;
        res.on('data', (c: Buffer) => {
          if (bytes === 0) firstByteMs = since(start);
          bytes += c.length;
        });
        res.on('end', () => resolve({ bytes, firstByteMs }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The same with 1,000 store watchers in this process. */
async function rawFanout(
  raw: Store,
  json: (name: string, ns: string) => string,
): Promise<number[]> {
  const prefix = storageKey(PODS, 'bench-fanout');
  const got = new Map<string, number[]>();
  const from = await raw.currentRevision();
  const watches = await Promise.all(
    Array.from({ length: WATCHERS }, () => raw.watch(prefix, from)),
  );
  const readers = watches.map(async (w) => {
    for await (const ev of w) {
      if (ev.type === 'put') got.get(ev.kv.key.slice(prefix.length))?.push(performance.now());
    }
  });
  try {
    return await probeAll(got, (name) => raw.create(prefix + name, json(name, 'bench-fanout')));
  } finally {
    for (const w of watches) w.close();
    await Promise.allSettled(readers);
  }
}

// A warm-up write every watcher must see (so all are connected), then the probes one at a time.
async function probeAll(
  got: Map<string, number[]>,
  write: (name: string) => Promise<unknown>,
): Promise<number[]> {
  const tag = `${Date.now()}`;
  const everyone = async (name: string) => {
    const deadline = Date.now() + 120_000;
    while ((got.get(name)?.length ?? 0) < WATCHERS) {
      if (Date.now() > deadline) {
        throw new Error(`only ${got.get(name)?.length ?? 0} of ${WATCHERS} watchers saw ${name}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  got.set(`warm-${tag}`, []);
  await write(`warm-${tag}`);
  await everyone(`warm-${tag}`);
  const samples: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const name = `probe-${tag}-${i}`;
    got.set(name, []);
    const t = performance.now();
    await write(name);
    await everyone(name);
    for (const at of got.get(name) ?? []) samples.push(at - t);
  }
  return samples;
}

/** A pod of about 3 KB, as a real workload's pod looks (labels, env, probes, volumes). */
function makePod(name: string, namespace: string): Pod {
  const env = Array.from({ length: 12 }, (_, i) => ({
    name: `SETTING_${i}`,
    value: `value-${i}-${'x'.repeat(24)}`,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { app: 'bench', tier: 'backend', 'pod-template-hash': '7d9f8c6b5', release: 'v1' },
      annotations: { 'bench.skiff.dev/note': 'n'.repeat(800) },
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.local/bench/app:1.2.3',
          command: ['/bin/app', '--port=8080', '--log-level=info'],
          ports: [{ name: 'http', containerPort: 8080 }],
          env,
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
        },
        {
          name: 'sidecar',
          image: 'registry.local/bench/sidecar:0.9',
          args: ['--upstream=127.0.0.1:8080'],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'app-config' } }],
    },
  };
}

function check(n: number, what: string): void {
  if (n !== BULK) throw new Error(`${what} returned ${n} items, expected ${BULK}`);
}

function target(label: string, met: boolean): void {
  process.stdout.write(`${label.padEnd(50)} ${met ? 'met' : 'MISSED'}\n`);
}
