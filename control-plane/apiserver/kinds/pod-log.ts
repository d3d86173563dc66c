/**
 * pods/log: the API server checks the request (a container name when the
 * pod has several, a container the pod has, a pod on a node, valid
 * PodLogOptions), then forwards it to the kubelet API of the pod's node,
 * GET http://{InternalIP}:{kubeletEndpoint.Port}/containerLogs/{ns}/{pod}/{container},
 * and streams the answer back chunk by chunk, so `kubectl logs -f` sees
 * lines as they come; the upstream request ends when the client goes away.
 * A kubelet's error Status passes through; an unreachable kubelet is a 503
 * naming the node and address.
 *
 * Security: the API server reaches kubelets only at the node's InternalIP
 * (an IP literal, never a name to resolve), the address the agent
 * registered inside the cluster's network; nothing in a request chooses it.
 * The kubelet API is plain HTTP without authentication for now.
 *
 * pods/exec, pods/attach and pods/portforward answer a clear Status until
 * the kubelet serves them.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { ApiError, type StatusCause } from '../../api/errors.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiContext } from '../context.ts';
import { getObject } from '../registry/read.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
/** The kubelet port when neither the Node nor the server's options name one. */
const DEFAULT_KUBELET_PORT = 10250;
const CONNECT_TIMEOUT_MS = 5_000;
/** A non-followed read of a long log may take the kubelet a while before its first byte. */
const RESPONSE_TIMEOUT_MS = 60_000;
const MAX_ERROR_BODY = 64 * 1024;

interface PodSpecView {
  containers?: { name?: string }[];
  initContainers?: { name?: string }[];
  ephemeralContainers?: { name?: string }[];
  nodeName?: string;
}

/**
 * The container a log request reads and the node it runs on. Throws 400
 * as kube-apiserver words it: no container named for a pod with several,
 * a container the pod does not have, a pod not scheduled yet.
 */
export function logTarget(
  pod: KubeObject,
  container: string | undefined,
): { container: string; nodeName: string } {
  const name = pod.metadata.name ?? '';
  const spec = (pod.spec ?? {}) as PodSpecView;
  const main = (spec.containers ?? []).map((c) => c.name ?? '');
  const names = [...(spec.containers ?? []), ...(spec.initContainers ?? [])]
    .concat(spec.ephemeralContainers ?? [])
    .map((c) => c.name ?? '');
  if (container === undefined && main.length > 1) {
    throw ApiError.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`,
    );
  }
  const chosen = container ?? main[0] ?? '';
  if (container !== undefined && !names.includes(container)) {
    throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (!spec.nodeName) {
    throw ApiError.badRequest(
      `container "${chosen}" in pod "${name}" is waiting to start: the pod is not scheduled to a node yet`,
    );
  }
  return { container: chosen, nodeName: spec.nodeName };
}

/**
 * The kubelet query for PodLogOptions in `q`, checked as Kubernetes'
 * ValidatePodLogOptions (422 Invalid PodLogOptions) after a malformed
 * number or time (400).
 */
export function kubeletLogQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const b of ['follow', 'previous', 'timestamps']) if (boolParam(q, b)) out.set(b, 'true');
  const tailLines = intParam(q, 'tailLines');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    throw ApiError.badRequest(
      `invalid value for query parameter sinceTime: "${sinceTime}" is not an RFC 3339 time`,
    );
  }
  const causes: StatusCause[] = [];
  const invalid = (field: string, value: number, why: string) =>
    causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${value}: ${why}` });
  if (tailLines !== undefined && tailLines < 0)
    invalid('tailLines', tailLines, 'must be greater than or equal to 0');
  if (limitBytes !== undefined && limitBytes < 1)
    invalid('limitBytes', limitBytes, 'must be greater than 0');
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: '',
      message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    invalid('sinceSeconds', sinceSeconds, 'must be greater than 0');
  }
  if (causes.length) throw ApiError.invalid('PodLogOptions', podName, causes);
  if (tailLines !== undefined) out.set('tailLines', String(tailLines));
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== undefined) out.set('sinceTime', sinceTime);
  if (limitBytes !== undefined) out.set('limitBytes', String(limitBytes));
  return out;
}

// Kubernetes' query bool: present and not "0"/"false" is true.
function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) {
    throw ApiError.badRequest(
      `invalid value for query parameter ${name}: "${v}" is not an integer`,
    );
  }
  return Number(v);
}

/**
 * Where the kubelet of `node` listens: its InternalIP and
 * daemonEndpoints.kubeletEndpoint.Port (else `fallbackPort`). Throws 503
 * when the Node has no usable InternalIP.
 */
export function kubeletAddress(
  node: KubeObject,
  fallbackPort: number | undefined,
): { host: string; port: number } {
  const status = (node.status ?? {}) as {
    addresses?: { type?: string; address?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
  const name = node.metadata.name ?? '';
  const host = (status.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '';
  if (isIP(host) === 0) {
    throw new ApiError(
      'ServiceUnavailable',
      `node "${name}" reports no InternalIP address, so its kubelet API cannot be reached; check that the skiff agent on it runs and registered its --node-ip`,
      { name, kind: 'nodes' },
    );
  }
  const reported = status.daemonEndpoints?.kubeletEndpoint?.Port;
  const port =
    typeof reported === 'number' && reported > 0 && reported < 65536
      ? reported
      : (fallbackPort ?? DEFAULT_KUBELET_PORT);
  return { host, port };
}

/** The Node a log request goes to; 503 when it is not registered (yet). */
async function nodeOf(ctx: ApiContext, nodeName: string): Promise<KubeObject> {
  try {
    return await getObject(ctx, NODES, undefined, nodeName);
  } catch (err) {
    if (!(err instanceof ApiError) || err.reason !== 'NotFound') throw err;
    throw new ApiError(
      'ServiceUnavailable',
      `the kubelet API of node "${nodeName}" is not reachable yet: the node is not registered (nodes "${nodeName}" not found); start the skiff agent on it (skiff agent --node-name ${nodeName})`,
      { name: nodeName, kind: 'nodes' },
    );
  }
}

/**
 * Answers GET pods/{name}/log for `pod` on `res`: checks, then streams the
 * kubelet's answer. Throws ApiError before anything is written; once the
 * stream has started, a failure ends the response abruptly (the client
 * sees a cut stream, as with kube-apiserver).
 */
export async function streamPodLog(
  ctx: ApiContext,
  pod: KubeObject,
  q: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const name = pod.metadata.name ?? '';
  const namespace = pod.metadata.namespace ?? '';
  // Options first, as kube-apiserver validates PodLogOptions before it looks at the pod.
  const query = kubeletLogQuery(q, name);
  const { container, nodeName } = logTarget(pod, q.get('container') ?? undefined);
  const { host, port } = kubeletAddress(await nodeOf(ctx, nodeName), ctx.kubeletPort);
  const where = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  const enc = encodeURIComponent;
  const path = `/containerLogs/${enc(namespace)}/${enc(name)}/${enc(container)}?${query}`;
  const upstream = await openKubelet(host, port, path, res).catch((err: unknown) => {
    throw new ApiError(
      'ServiceUnavailable',
      `cannot reach the kubelet API of node "${nodeName}" at ${where}: ${(err as Error).message}; check that the skiff agent runs on that node and that this API server can reach ${where}`,
      { name: nodeName, kind: 'nodes' },
      { cause: err },
    );
  });
  const code = upstream.statusCode ?? 500;
  if (code < 200 || code > 206) throw await kubeletError(upstream, code);
  res.writeHead(200, {
    'content-type': upstream.headers['content-type'] ?? 'text/plain',
    'cache-control': 'no-cache',
  });
  // Headers now: a followed log with nothing new yet is still an answer.
  res.flushHeaders();
  try {
    await pipeline(upstream, res);
  } catch (err) {
    // The client went away (pipeline closed the upstream) or the kubelet cut the stream.
    ctx.log.debug('Pod log stream ended early', {
      pod: `${namespace}/${name}`,
      container,
      node: nodeName,
      err: err as Error,
    });
    res.destroy();
  }
}

/**
 * GETs `path` from the kubelet at host:port; resolves with the response
 * once its headers arrive. The request is destroyed when `client` closes
 * (the log reader went away), which ends a followed stream on the node.
 */
function openKubelet(
  host: string,
  port: number,
  path: string,
  client: ServerResponse,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // agent: false: one connection per log stream, closed with it.
    const req = request({ host, port, path, method: 'GET', agent: false });
    const expire = (what: string, ms: number) =>
      setTimeout(() => req.destroy(new Error(`${what} within ${ms / 1000} s`)), ms);
    let timer = expire('no connection', CONNECT_TIMEOUT_MS);
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        clearTimeout(timer);
        timer = expire('no answer', RESPONSE_TIMEOUT_MS);
      }),
    );
    req.on('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // Closed before any answer without an error (the client went away first).
    req.on('close', () => reject(new Error('the request was closed before the kubelet answered')));
    client.on('close', () => req.destroy());
    req.end();
  });
}

/** The kubelet's error answer as an ApiError: its Status passes through, plain text becomes one. */
async function kubeletError(res: IncomingMessage, code: number): Promise<ApiError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    if (size < MAX_ERROR_BODY) chunks.push(buf.subarray(0, MAX_ERROR_BODY - size));
    size += buf.length;
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const isStatus = (body as { kind?: unknown } | undefined)?.kind === 'Status';
  return ApiError.fromStatus(isStatus ? body : { message: text || `HTTP ${code}` }, code);
}

const STREAM_COMMANDS: Record<string, string> = {
  exec: 'kubectl exec',
  attach: 'kubectl attach',
  portforward: 'kubectl port-forward',
};

/**
 * Throws the Status for pods/exec, pods/attach and pods/portforward of an
 * existing `pod`: not supported by this skiff version yet.
 */
export function podStreamUnsupported(pod: KubeObject, subresource: string): never {
  const name = pod.metadata.name ?? '';
  const command = STREAM_COMMANDS[subresource] ?? `pods/${subresource}`;
  throw ApiError.badRequest(
    `${command} is not supported by this skiff version yet (pods/${subresource} of pod "${name}"); use kubectl logs to read the container's output`,
  );
}
