/**
 * The kubelet's HTTP API, on its own port (default 10250) bound to the
 * node IP:
 *
 *   GET /healthz                                     "ok", or 500 with the reason
 *   GET /pods                                        PodList of the pods this agent runs
 *   GET /containerLogs/{namespace}/{pod}/{container} the container's logs (container-logs.ts)
 *   /exec, /attach, /portForward, /run               501 Status: not supported yet
 *
 * Plain HTTP without authentication for now: anyone who reaches the port
 * can read pod logs and specs. Bind it to an address only the cluster
 * reaches; TLS with client certificates from the cluster CA comes with the
 * security work (ARCHITECTURE.md, "What comes after").
 *
 * @example
 *   const kubelet = await startKubeletServer({
 *     address: nodeIp,
 *     port: DEFAULT_KUBELET_PORT,
 *     source: runtimeLogSource(runtime, { pods: () => podCache.list() }),
 *     log,
 *   });
 *   // ... node status: daemonEndpoints.kubeletEndpoint.Port = kubelet.port
 *   await kubelet.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../control-plane/api/errors.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import type { KubeletApiSource } from './api-source.ts';
import { serveContainerLogs, type LogTarget } from './container-logs.ts';
import { failureStatus, sendError, sendJson, sendText } from './http-replies.ts';

/** The kubelet API port Kubernetes uses. */
export const DEFAULT_KUBELET_PORT = 10250;

/** The streaming endpoints of the kubelet that skiff does not serve yet. */
const UNSUPPORTED = new Set(['exec', 'attach', 'portForward', 'run']);

export interface KubeletServerOptions {
  /** The node IP to bind to (an IP literal; "127.0.0.1" in tests). */
  address: string;
  /** 0 picks a free port. */
  port: number;
  source: KubeletApiSource;
  log: Logger;
}

export interface KubeletServer {
  /** The port it listens on (the one picked when 0 was asked for). */
  port: number;
  /** Stops listening and ends every open connection (followed log streams included). */
  close(): Promise<void>;
}

/** Listens on address:port; rejects with the reason when the port cannot be bound. */
export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const log = o.log;
  const server = createServer((req, res) => {
    route(o.source, req, res, log).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    throw new Error(
      `cannot listen on ${o.address}:${o.port} for the kubelet API: ${(err as Error).message}; is another agent running, or is --node-ip not an address of this host?`,
      { cause: err },
    );
  });
  const port = (server.address() as AddressInfo).port;
  log.info('Kubelet API listening', { address: o.address, port });
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function route(
  source: KubeletApiSource,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://kubelet').pathname;
  const parts = segments(path);
  const head = parts[0] ?? '';
  if (UNSUPPORTED.has(head)) {
    const what = head === 'portForward' ? 'port forwarding' : head;
    return sendJson(
      res,
      501,
      failureStatus(
        501,
        '',
        `${what} is not supported by this skiff version's kubelet yet; use kubectl logs to read container output`,
      ),
    );
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new ApiError('MethodNotAllowed', `${req.method ?? ''} is not allowed on ${path}`);
  }
  if (path === '/healthz') {
    const h = source.healthy();
    return h.ok
      ? sendText(res, 200, 'ok')
      : sendText(res, 500, `unhealthy: ${h.message ?? 'no reason given'}`);
  }
  if (path === '/pods' || path === '/pods/') {
    return sendJson(res, 200, {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: {},
      items: source.pods(),
    });
  }
  if (head === 'containerLogs' && parts.length === 4) {
    const [, namespace = '', pod = '', container = ''] = parts;
    const target: LogTarget = { namespace, pod, container };
    return serveContainerLogs(source, target, req, res, log);
  }
  throw new ApiError('NotFound', `the kubelet API has no ${path}`);
}

function segments(path: string): string[] {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    throw ApiError.badRequest(`malformed path ${path}`);
  }
}
