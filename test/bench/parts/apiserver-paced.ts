/**
 * The paced phase of `npm run bench -- apiserver`: creates at a fixed rate,
 * open loop, through the API server and through the raw store, alternating
 * (the raw write half a period after each API write), so both sides see the
 * same machine at the same moments. The raw store runs in a process of its
 * own (apiserver-raw-pacer.ts), so its inline WAL flushes never stall the
 * API client's event loop.
 *
 * The API side goes through the client's Transport (kept-alive sockets, one
 * write per request) with bodies serialized before the clock starts: each
 * sample runs from just before the request is written to the last byte of
 * its answer, and includes no client-side JSON work. Beside the latencies it
 * gathers what explains a tail on a shared machine: the server's and this
 * process's GC pauses in the window, and the server's own count of store
 * creates and of POSTs over 10 ms (from its /metrics).
 */
import { Transport } from '../../../control-plane/api/client/transport.ts';
import { round } from '../lib.ts';
import { recordGcPauses, type GcPause, type ServerChild } from './apiserver-child.ts';
import { startRawPacer, type RawSpec, type Sample } from './apiserver-raw-pacer.ts';

export type { Sample } from './apiserver-raw-pacer.ts';

/** The writes of both sides; write i creates object names[i] (warm-up ones first). */
export interface PacedSpec {
  /** POST path of the API creates. */
  path: string;
  /** The API bodies, serialized before the clock starts; bodies[i] names names[i]. */
  bodies: readonly Buffer[];
  /** The raw side: the same names, under keyPrefix, made from the stored template. */
  raw: RawSpec;
  /** Writes of each side sent one after another before the clock starts. */
  warm: number;
  /** Writes per second per side. */
  rate: number;
}

export interface PacedResult {
  api: Sample[];
  raw: Sample[];
  /** The server's GC pauses during the phase. */
  serverGc: GcPause[];
  /** This process's (the API client's) GC pauses during the phase. */
  clientGc: GcPause[];
  /** From the server's /metrics over the phase. */
  server: { storeCreates: number; storeCreatesOver10ms: number; postsOver10ms: number };
}

/** The threshold the server-side counts use: the /metrics histograms have a 10 ms bucket. */
export const SLOW_MS = 10;

/**
 * Sends the `warm` writes of each side one after another (untimed: code
 * paths compiled, sockets open), then the rest at `rate` per second per
 * side. The raw side writes to a new store in `dir`.
 */
export async function runPaced(
  server: ServerChild,
  dir: string,
  spec: PacedSpec,
): Promise<PacedResult> {
  const { path, bodies, warm, rate } = spec;
  const transport = new Transport({ server: server.url });
  const raw = await startRawPacer(dir, spec.raw, warm);
  try {
    for (const body of bodies.slice(0, warm)) await post(transport, path, body);
    const before = await serverCounts(transport);
    await server.gcPauses(); // drops the pauses so far
    const clientGc = recordGcPauses();
    // Both sides start on the same epoch time, a moment from now.
    const startAt = performance.timeOrigin + performance.now() + 200;
    const [api, rawSamples] = await Promise.all([
      paceApi(transport, path, bodies.slice(warm), startAt, rate),
      raw.run(startAt, rate),
    ]);
    const after = await serverCounts(transport);
    return {
      api,
      raw: rawSamples,
      serverGc: await server.gcPauses(),
      clientGc: await stopped(clientGc),
      server: {
        storeCreates: after.storeCreates - before.storeCreates,
        storeCreatesOver10ms: after.storeCreatesOver10ms - before.storeCreatesOver10ms,
        postsOver10ms: after.postsOver10ms - before.postsOver10ms,
      },
    };
  } finally {
    raw.stop();
    transport.close();
  }
}

// API write i at startAt + i/rate (ms since the epoch), whether or not earlier ones finished.
async function paceApi(
  transport: Transport,
  path: string,
  bodies: readonly Buffer[],
  startAt: number,
  rate: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const inflight: Promise<void>[] = [];
  const now = () => performance.timeOrigin + performance.now();
  for (let i = 0; i < bodies.length; i++) {
    const wait = startAt + (i * 1000) / rate - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const start = now();
    inflight.push(
      post(transport, path, bodies[i] as Buffer).then(
        () => void samples.push({ at: start, ms: now() - start }),
      ),
    );
  }
  await Promise.all(inflight);
  return samples;
}

async function post(transport: Transport, path: string, body: Buffer): Promise<void> {
  const res = await transport.send({
    method: 'POST',
    path,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body,
    timeoutMs: 120_000,
  });
  if (res.status !== 201) {
    throw new Error(`POST ${path} answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  }
}

interface ServerCounts {
  storeCreates: number;
  storeCreatesOver10ms: number;
  postsOver10ms: number;
}

// Reads the server's histograms: count, and count above the 0.01 s bucket.
async function serverCounts(transport: Transport): Promise<ServerCounts> {
  const res = await transport.send({ method: 'GET', path: '/metrics', timeoutMs: 60_000 });
  const text = res.body.toString();
  const value = (line: string): number => {
    const at = text.indexOf(line + ' ');
    if (at < 0) return 0; // no such series yet
    return Number(text.slice(at + line.length + 1, text.indexOf('\n', at)));
  };
  const store = 'skiff_store_request_duration_seconds';
  const storeSel = '{operation="create"';
  const postSel = '{verb="POST",resource="pods"';
  const storeCreates = value(`${store}_count${storeSel}}`);
  return {
    storeCreates,
    storeCreatesOver10ms: storeCreates - value(`${store}_bucket${storeSel},le="0.01"}`),
    postsOver10ms:
      value(`apiserver_request_duration_seconds_count${postSel}}`) -
      value(`apiserver_request_duration_seconds_bucket${postSel},le="0.01"}`),
  };
}

// Observer entries arrive a moment after the pause: let the last ones in first.
async function stopped(rec: { take(): GcPause[]; stop(): void }): Promise<GcPause[]> {
  await new Promise((r) => setTimeout(r, 20));
  rec.stop();
  return rec.take();
}

/**
 * Prints what the tail is made of, and returns it as figures: the slow API
 * creates beside the server's GC pauses, the client's, the server's own
 * count of slow store creates, and the raw store's slow creates in the same
 * minute (the disk and the machine).
 */
export function explainTail(p: PacedResult, rate: number): Record<string, number> {
  const slow = p.api.filter((x) => x.ms > SLOW_MS);
  const rawSlow = p.raw.filter((x) => x.ms > SLOW_MS);
  const withServerGc = overlapping(slow, p.serverGc);
  const withClientGc = overlapping(slow, p.clientGc);
  const gcSummary = (pauses: readonly GcPause[]): string => {
    const kinds = new Map<string, number[]>();
    for (const g of pauses) kinds.set(g.kind, [...(kinds.get(g.kind) ?? []), g.ms]);
    const parts = [...kinds].map(
      ([k, ms]) => `${ms.length} ${k} (max ${round(Math.max(...ms))} ms)`,
    );
    return parts.length ? parts.join(', ') : 'none';
  };
  process.stdout.write(
    `GC pauses in the window: server ${gcSummary(p.serverGc)}; client ${gcSummary(p.clientGc)}\n` +
      `creates over ${SLOW_MS} ms: API ${slow.length} (${withServerGc.length} overlap a server GC ` +
      `pause, ${withClientGc.length} a client one), raw ${rawSlow.length}; the server counted ` +
      `${p.server.postsOver10ms} POSTs and ${p.server.storeCreatesOver10ms} store creates ` +
      `(of ${p.server.storeCreates}) over ${SLOW_MS} ms\n`,
  );
  // The samples that decide the p99, each with what overlapped it.
  const top = [...p.api].sort((a, b) => b.ms - a.ms).slice(0, Math.ceil(p.api.length / 100));
  const notes = top.map((x) => {
    const gc = overlapping([x], p.serverGc).length ? ' gc' : '';
    const near = p.raw.some((r) => r.ms > SLOW_MS && Math.abs(r.at - x.at) < 1000 / rate);
    return `${round(x.ms, 1)}${gc}${near ? ' raw-slow' : ''}`;
  });
  process.stdout.write(`slowest 1% (ms; gc = a server GC pause overlapped): ${notes.join(', ')}\n`);
  const maxPause = (kind: string) =>
    Math.max(0, ...p.serverGc.filter((g) => g.kind === kind).map((g) => g.ms));
  return {
    creates_over_10ms_20rps: slow.length,
    creates_over_10ms_with_server_gc_20rps: withServerGc.length,
    raw_creates_over_10ms_20rps: rawSlow.length,
    server_posts_over_10ms_20rps: p.server.postsOver10ms,
    server_store_creates_over_10ms_20rps: p.server.storeCreatesOver10ms,
    server_gc_scavenges_20rps: p.serverGc.filter((g) => g.kind === 'scavenge').length,
    server_gc_majors_20rps: p.serverGc.filter((g) => g.kind === 'major').length,
    server_gc_scavenge_max_ms_20rps: round(maxPause('scavenge')),
    server_gc_major_max_ms_20rps: round(maxPause('major')),
  };
}

/** The samples of `samples` that overlap one of `pauses` in time. */
export function overlapping(samples: readonly Sample[], pauses: readonly GcPause[]): Sample[] {
  return samples.filter((s) => pauses.some((p) => p.at < s.at + s.ms && p.at + p.ms > s.at));
}
