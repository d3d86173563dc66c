/**
 * The API server under benchmark, in a child process of its own (so the
 * client and the server do not share one event loop): a real API server
 * over a SQLite file in `dir`, started by `startServerChild` and asked for
 * its CPU time over stdin/stdout, so a benchmark can report the server's
 * CPU per request, which other work on the machine inflates far less than
 * wall-clock figures, and for its garbage-collection pauses, so a latency
 * tail can be laid beside them. The child runs until its stdin closes (the
 * parent died) or SIGTERM.
 * SKIFF_BENCH_CPU_PROF=DIR also writes the server's CPU profile to DIR;
 * SKIFF_BENCH_SERVER_NODE_FLAGS="--flag ..." starts the server with those
 * node flags (experiments: the figures are then not those of `skiff server`).
 */
import { nextChildLine } from './child-line.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, constants as perf, type PerformanceEntry } from 'node:perf_hooks';
import { createLogger } from '../../../control-plane/api/log.ts';
import { openStore } from '../../../control-plane/store/index.ts';

/** CPU time the server child has used since it started, in microseconds. */
export interface ServerCpu {
  /** All of its threads (the event loop, libuv's file-system pool, V8's GC helpers). */
  processUs: number;
  /** The event loop's thread alone: at 100% it caps the server's throughput. */
  mainThreadUs: number;
}

/** One garbage-collection pause of the server's main thread. */
export interface GcPause {
  /** When it started, in ms since the epoch (performance.timeOrigin + startTime). */
  at: number;
  ms: number;
  /** 'scavenge' (young generation), 'major' (mark-compact), 'incremental' or 'weak'. */
  kind: string;
}

export interface ServerChild {
  url: string;
  pid: number;
  /** Asks the child for its CPU time so far. */
  cpu(): Promise<ServerCpu>;
  /** The GC pauses since the previous call (or the start); one call at a time, as cpu(). */
  gcPauses(): Promise<GcPause[]>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

const CHILD_FLAG = '--child-server';
const script = fileURLToPath(import.meta.url);

/** Starts the child; rejects (having stopped it) when it does not start in 60 s. */
export async function startServerChild(dir: string): Promise<ServerChild> {
  const prof = process.env.SKIFF_BENCH_CPU_PROF;
  const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  // Node flags to try on the server (e.g. "--max-semi-space-size=64"): the figures are then of
  // that configuration, not of `skiff server` as it ships.
  const extra = process.env.SKIFF_BENCH_SERVER_NODE_FLAGS?.split(/\s+/).filter((f) => f !== '');
  if (extra) flags.push(...extra);
  const child = spawn(process.execPath, [...flags, script, CHILD_FLAG, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  try {
    const first = await nextLine(child, lines, 60_000, 'start');
    const url = (JSON.parse(first) as { url: string }).url;
    return {
      url,
      pid: child.pid ?? 0,
      cpu: async () => {
        child.stdin?.write('cpu\n');
        return JSON.parse(await nextLine(child, lines, 30_000, 'report its CPU time')) as ServerCpu;
      },
      gcPauses: async () => {
        child.stdin?.write('gc\n');
        const line = await nextLine(child, lines, 30_000, 'report its GC pauses');
        return JSON.parse(line) as GcPause[];
      },
      stop: () => stopChild(child),
    };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

function nextLine(
  child: ChildProcess,
  lines: Interface,
  ms: number,
  what: string,
): Promise<string> {
  return nextChildLine(child, lines, ms, 'the API server child', what);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const GC_KINDS: Record<number, string> = {
  [perf.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [perf.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perf.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perf.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};
// Pauses kept between two "gc" questions; beyond it the oldest go (a bench asks every minute).
const MAX_PAUSES = 100_000;

/**
 * Records this process's GC pauses: `take()` hands over those since the
 * last take; `stop()` ends the recording.
 */
export function recordGcPauses(): { take(): GcPause[]; stop(): void } {
  let pauses: GcPause[] = [];
  const origin = performance.timeOrigin;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      pauses.push({
        at: origin + e.startTime,
        ms: e.duration,
        kind: GC_KINDS[kind] ?? String(kind),
      });
    }
    if (pauses.length > MAX_PAUSES) pauses = pauses.slice(-MAX_PAUSES);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    take: () => {
      const out = pauses;
      pauses = [];
      return out;
    },
    stop: () => observer.disconnect(),
  };
}

/**
 * The child: prints {"url"} once ready, then answers each line on stdin:
 * "cpu" with its CPU time so far, "gc" with the GC pauses since the last "gc".
 */
async function serveChild(dir: string): Promise<void> {
  const gc = recordGcPauses();
  const { startApiServer } = await import('../../../control-plane/apiserver/server.ts');
  const logger = createLogger({}, { level: 'warn' });
  const store = await openStore({ backend: 'sqlite', path: join(dir, 'server.db'), logger });
  const api = await startApiServer({ store, listen: '127.0.0.1:0', logger });
  await api.ready;
  process.stdout.write(JSON.stringify({ url: api.url }) + '\n');
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await api.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'gc') {
      process.stdout.write(JSON.stringify(gc.take()) + '\n');
      return;
    }
    if (line.trim() !== 'cpu') return;
    const all = process.cpuUsage();
    const main = process.threadCpuUsage();
    const cpu: ServerCpu = {
      processUs: all.user + all.system,
      mainThreadUs: main.user + main.system,
    };
    process.stdout.write(JSON.stringify(cpu) + '\n');
  });
  input.on('close', () => void shutdown()); // the parent died: do not outlive it
}

// Last, so every constant above is initialized before the child's server runs.
if (process.argv[1] === script && process.argv[2] === CHILD_FLAG) {
  await serveChild(process.argv[3] ?? '');
}
