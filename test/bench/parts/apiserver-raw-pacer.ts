/**
 * The raw side of the paced creates of `npm run bench -- apiserver`, in a
 * child process of its own: a SQLite store (the server's backend, in
 * process) writing the same objects at the same rate, half a period after
 * each API create. In its own process because a lone store write flushes
 * the WAL inline (fdatasync on the event loop): in the benchmark's process
 * a slow flush would stall the API client too and lengthen its samples.
 *
 * Protocol (one JSON line each way): the parent sends {dir, spec, warm}; the
 * child makes the values (the benchmark's process keeps none of them, so
 * they add nothing to its heap and its GC), writes the first `warm` at once
 * and answers "ready"; the parent
 * sends {startAt, rate}; the child writes write i at startAt + (i + 0.5) /
 * rate (ms since the epoch), then answers with its samples and exits.
 */
import { nextChildLine } from './child-line.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../control-plane/api/log.ts';
import { openStore } from '../../../control-plane/store/index.ts';

/** One timed write: when it started (ms since the epoch) and how long it took. */
export interface Sample {
  at: number;
  ms: number;
}

/** What the raw side writes: for each name, the template with that name at keyPrefix + name. */
export interface RawSpec {
  keyPrefix: string;
  /** The object as the server stored it (metadata.name is replaced). */
  template: { metadata?: object };
  names: readonly string[];
}

/** A raw pacer that has written its warm-up and waits for `run`. */
export interface RawPacer {
  /** Writes the rest, write i at startAt + (i + 0.5) * 1000 / rate; resolves with the samples. */
  run(startAt: number, rate: number): Promise<Sample[]>;
  /** Kills it if it still runs. */
  stop(): void;
}

const FLAG = '--raw-pacer';
const script = fileURLToPath(import.meta.url);

/** Starts the pacer on a new store in `dir`; resolves once its `warm` writes are done. */
export async function startRawPacer(dir: string, spec: RawSpec, warm: number): Promise<RawPacer> {
  const child = spawn(process.execPath, [script, FLAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    child.stdin?.write(JSON.stringify({ dir, spec, warm }) + '\n');
    await answer(child, lines, 120_000, 'write its warm-up');
  } catch (err) {
    stop();
    throw err;
  }
  return {
    run: async (startAt, rate) => {
      child.stdin?.write(JSON.stringify({ startAt, rate }) + '\n');
      // The phase plus a minute for stragglers.
      const ms = startAt - Date.now() + ((spec.names.length - warm) * 1000) / rate + 60_000;
      return JSON.parse(await answer(child, lines, ms, 'finish its paced writes')) as Sample[];
    },
    stop,
  };
}

function answer(child: ChildProcess, lines: Interface, ms: number, what: string): Promise<string> {
  return nextChildLine(child, lines, ms, 'the raw pacer', what);
}

async function pace(): Promise<void> {
  const input = createInterface({ input: process.stdin });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      input.once('line', resolve);
      input.once('close', () => reject(new Error('the benchmark went away')));
    });
  const { dir, spec, warm } = JSON.parse(await next()) as {
    dir: string;
    spec: RawSpec;
    warm: number;
  };
  const { template } = spec;
  const writes = spec.names.map((name) => ({
    key: spec.keyPrefix + name,
    value: JSON.stringify({ ...template, metadata: { ...template.metadata, name } }),
  }));
  const logger = createLogger({}, { level: 'warn' });
  const store = await openStore({
    backend: 'sqlite',
    path: join(dir, 'raw-paced.db'),
    logger,
  });
  try {
    for (const w of writes.slice(0, warm)) await store.create(w.key, w.value);
    process.stdout.write('ready\n');
    const { startAt, rate } = JSON.parse(await next()) as { startAt: number; rate: number };
    const samples: Sample[] = [];
    const inflight: Promise<void>[] = [];
    const paced = writes.slice(warm);
    const now = () => performance.timeOrigin + performance.now();
    for (let i = 0; i < paced.length; i++) {
      const wait = startAt + ((i + 0.5) * 1000) / rate - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const w = paced[i] as { key: string; value: string };
      const start = now();
      inflight.push(
        store
          .create(w.key, w.value)
          .then(() => void samples.push({ at: start, ms: now() - start })),
      );
    }
    await Promise.all(inflight);
    process.stdout.write(JSON.stringify(samples) + '\n');
  } finally {
    await store.close();
    input.close();
    process.stdin.destroy(); // nothing more to read: let the process end
  }
}

// Last, so every constant above is initialized before the pacer runs.
if (process.argv[1] === script && process.argv[2] === FLAG) await pace();
