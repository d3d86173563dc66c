/**
 * GET /containerLogs/{namespace}/{pod}/{container}: the container's output
 * as text/plain, streamed chunk by chunk; with follow=true it stays open
 * until the client goes away, which aborts the runtime's stream. Errors are
 * Statuses worded as the kubelet words them: an unknown pod or container is
 * a 404, a container with no instance (yet) a 400.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError } from '../../control-plane/api/errors.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import type { ContainerStatus, Pod } from '../../control-plane/api/types.ts';
import type { ContainerLogRequest, KubeletApiSource } from './api-source.ts';
import { sendError } from './http-replies.ts';
import { parseLogRequest } from './log-request.ts';

/** Which container's logs a request names. */
export interface LogTarget {
  namespace: string;
  pod: string;
  container: string;
}

/** The pod `t` names among `pods`, or ApiError 404 (the kubelet's wording). */
export function findPod(pods: readonly Pod[], t: LogTarget): Pod {
  const pod = pods.find((p) => p.metadata.namespace === t.namespace && p.metadata.name === t.pod);
  if (!pod) throw new ApiError('NotFound', `pod "${t.pod}" does not exist`);
  const spec = pod.spec;
  const names = [
    ...spec.containers,
    ...(spec.initContainers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ].map((c) => c.name);
  if (!names.includes(t.container)) {
    throw new ApiError('NotFound', `container "${t.container}" not found in pod "${t.pod}"`);
  }
  return pod;
}

function statusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
}

/**
 * The 400 for a container with no instance to read, worded as the kubelet's
 * validateContainerLogStatus: the waiting reason from the pod's status
 * (ContainerCreating when none is reported yet), or "previous terminated
 * container ... not found".
 */
export function noInstanceError(pod: Pod, container: string, previous: boolean): ApiError {
  const where = `container "${container}" in pod "${pod.metadata.name ?? ''}"`;
  if (previous) return ApiError.badRequest(`previous terminated ${where} not found`);
  const reason = statusOf(pod, container)?.state?.waiting?.reason || 'ContainerCreating';
  const why =
    reason === 'ErrImagePull'
      ? "image can't be pulled"
      : reason === 'ImagePullBackOff'
        ? 'trying and failing to pull image'
        : reason;
  return ApiError.badRequest(`${where} is waiting to start: ${why}`);
}

/** Serves one /containerLogs request; never throws (errors become Statuses). */
export async function serveContainerLogs(
  source: KubeletApiSource,
  t: LogTarget,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): Promise<void> {
  const ac = new AbortController();
  // 'close' on the response: the answer ended or the client went away.
  res.on('close', () => ac.abort());
  let stream: Readable | undefined;
  let opts: ContainerLogRequest;
  try {
    opts = parseLogRequest(new URL(req.url ?? '/', 'http://kubelet').searchParams);
    const pod = findPod(source.pods(), t);
    stream = await source.containerLogs(pod, t.container, { ...opts, signal: ac.signal });
    if (!stream) throw noInstanceError(pod, t.container, opts.previous);
  } catch (err) {
    if (!(err instanceof ApiError)) {
      log.warn('Reading container logs failed', { ...t, err: err as Error });
    }
    return sendError(res, err);
  }
  const opened = stream;
  // A source that ignores the signal still stops: its stream goes with the client.
  if (ac.signal.aborted) return void opened.destroy();
  ac.signal.addEventListener('abort', () => opened.destroy(), { once: true });
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache' });
  // Headers go out now, so a followed stream with nothing to say yet still answers.
  res.flushHeaders();
  try {
    await copyLimited(stream, res, opts.limitBytes, ac.signal);
    res.end();
  } catch (err) {
    if (!ac.signal.aborted) log.warn('Container log stream failed', { ...t, err: err as Error });
    res.destroy();
  } finally {
    stream.destroy();
  }
}

/** Copies `from` to `to` chunk by chunk (each written at once), stopping after `limit` bytes. */
async function copyLimited(
  from: Readable,
  to: ServerResponse,
  limit: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  let left = limit ?? Infinity;
  for await (const chunk of from) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const part = buf.length > left ? buf.subarray(0, left) : buf;
    left -= part.length;
    if (!to.write(part)) await once(to, 'drain', { signal });
    if (left <= 0) return;
  }
}
