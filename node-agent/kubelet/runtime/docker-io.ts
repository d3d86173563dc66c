/**
 * The streaming parts of the Docker adapter: image pulls with progress,
 * container logs, exec with a timeout, and the event stream. Each takes a
 * dockerode client and validates what the engine sends.
 */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { SyncError } from '../sync-error.ts';
import { engineMessage } from './docker-errors.ts';
import { EngineEvent, ExecInspect, PullLine, checkDocker } from './docker-schemas.ts';
import { fromEngineEvent } from './docker-status.ts';
import { DemuxStream, demuxBuffer, lines } from './docker-stream.ts';
import { labelFilter } from './labels.ts';
import type { ExecResult, LogOptions, PullProgress, RuntimeEvent } from './runtime.ts';

/** Probes keep at most this much of a command's output (as the kubelet does). */
export const MAX_EXEC_OUTPUT = 10 * 1024;
const EXEC_EXIT_POLLS = 50;
const EXEC_EXIT_POLL_MS = 20;

/**
 * Pulls `ref`, reporting each progress line; throws SyncError ErrImagePull
 * with the engine's message when the engine refuses or the stream reports
 * an error.
 */
export async function pullImage(
  docker: Docker,
  ref: string,
  onProgress?: (p: PullProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const fail = (msg: string, cause?: unknown) =>
    new SyncError('ErrImagePull', `failed to pull image "${ref}": ${msg}`, { cause });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref, signal ? { abortSignal: signal } : {});
  } catch (err) {
    throw fail(engineMessage(err), err);
  }
  for await (const line of lines(stream as AsyncIterable<Buffer>)) {
    const p = checkDocker(PullLine, parseJson(line), 'an image pull');
    const error = p.errorDetail?.message ?? p.error;
    if (error) throw fail(error);
    if (onProgress && p.status) {
      onProgress({
        status: p.status,
        ...(p.id ? { id: p.id } : {}),
        ...(p.progress ? { progress: p.progress } : {}),
      });
    }
  }
}

/** The container's logs as plain text (Docker's stream framing removed unless it has a TTY). */
export async function containerLogs(
  container: Docker.Container,
  tty: boolean,
  opts: LogOptions,
): Promise<Readable> {
  const since = opts.sinceTime
    ? Math.floor(Date.parse(opts.sinceTime) / 1000)
    : opts.sinceSeconds !== undefined
      ? Math.floor(Date.now() / 1000 - opts.sinceSeconds)
      : undefined;
  const base = {
    stdout: true,
    stderr: true,
    timestamps: opts.timestamps === true,
    ...(opts.tailLines !== undefined ? { tail: opts.tailLines } : {}),
    ...(since !== undefined && Number.isFinite(since) ? { since } : {}),
  };
  if (!opts.follow) {
    const buf = await container.logs({ ...base, follow: false });
    return Readable.from([tty ? buf : demuxBuffer(buf)]);
  }
  const raw = (await container.logs({ ...base, follow: true })) as Readable;
  const out = tty ? raw : raw.pipe(new DemuxStream());
  if (out !== raw) raw.on('error', (err) => out.destroy(err));
  // Stopping the reader stops the engine's stream too.
  out.on('close', () => raw.destroy());
  opts.signal?.addEventListener('abort', () => out.destroy(), { once: true });
  if (opts.signal?.aborted) out.destroy();
  return out;
}

/**
 * Runs `cmd` in the container and waits up to `timeoutMs` for it. On
 * timeout the output stream is dropped (Docker cannot kill an exec'd
 * process; the kubelet's dockershim had the same limit).
 */
export async function execIn(
  container: Docker.Container,
  cmd: readonly string[],
  timeoutMs: number,
): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Readable;
  const chunks: Buffer[] = [];
  let size = 0;
  const demux = stream.pipe(new DemuxStream());
  demux.on('data', (b: Buffer) => {
    if (size < MAX_EXEC_OUTPUT) chunks.push(b.subarray(0, MAX_EXEC_OUTPUT - size));
    size += b.length;
  });
  const ended = new Promise<boolean>((resolve) => {
    demux.on('end', () => resolve(true));
    stream.on('error', () => resolve(true));
    stream.on('close', () => resolve(true));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = await Promise.race([ended, timedOut]);
  clearTimeout(timer);
  const output = Buffer.concat(chunks).toString('utf8');
  if (!finished) {
    stream.destroy();
    return { exitCode: undefined, output, timedOut: true };
  }
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; i < EXEC_EXIT_POLLS; i++) {
    const info = checkDocker(ExecInspect, await exec.inspect(), 'an exec inspect');
    if (!info.Running && info.ExitCode !== null) {
      return { exitCode: info.ExitCode, output, timedOut: false };
    }
    await new Promise((r) => setTimeout(r, EXEC_EXIT_POLL_MS));
  }
  return { exitCode: undefined, output, timedOut: true };
}

/**
 * This node's container events from `sinceMs` (the engine replays recent
 * ones) until `signal` aborts or the engine closes the stream.
 */
export async function* engineEvents(
  docker: Docker,
  nodeName: string,
  signal: AbortSignal,
  sinceMs?: number,
): AsyncGenerator<RuntimeEvent> {
  if (signal.aborted) return;
  const stream = (await docker.getEvents({
    filters: { type: ['container'], label: labelFilter(nodeName) },
    ...(sinceMs !== undefined ? { since: Math.floor(sinceMs / 1000) } : {}),
  })) as Readable;
  const stop = () => stream.destroy();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const line of lines(stream)) {
      const event = fromEngineEvent(checkDocker(EngineEvent, parseJson(line), 'the event stream'));
      if (event) yield event;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    stream.destroy();
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}
