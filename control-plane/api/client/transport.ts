/**
 * The HTTP layer under ApiClient: node:http or node:https with one
 * keep-alive agent per client. HTTPS carries the CA, client certificate and
 * key from the connection settings, so TLS (a later issue) needs no change
 * here. Two calls: `send` buffers a whole response under a deadline; `open`
 * returns a response stream for watches, with no deadline but an optional
 * idle timeout.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Where and how to connect: what a kubeconfig context resolves to. */
export interface ConnectionSettings {
  /** The API server's base URL, e.g. "https://127.0.0.1:6443" (a path prefix is kept). */
  server: string;
  /** PEM CA bundle that signs the server certificate (https only). */
  ca?: string | Buffer;
  /** PEM client certificate and key for client-certificate authentication. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Bearer token sent on every request. */
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** The name to check the server certificate against, when it differs from the URL's host. */
  tlsServerName?: string;
}

export interface HttpRequest {
  method: string;
  /** Path and query, appended to the server URL's path ("/api/v1/pods?limit=5"). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Deadline for the whole exchange (send only). */
  timeoutMs?: number;
  /** Ends the exchange with no response when the stream has been silent this long (open only). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A request that got no HTTP response: connection refused or reset, a
 * timeout, DNS, TLS. `code` is the system error code (ECONNREFUSED,
 * ECONNRESET, ...) or "Timeout"/"IdleTimeout" for our own deadlines.
 * Transient by nature: `withRetry` and the informer retry these.
 */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TransportError';
    this.code = code;
  }
}

// Methods a request may be resent with when a kept-alive socket turned out
// to be closed by the server before it answered (Node's documented race).
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export class Transport {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly module: typeof http | typeof https;
  private readonly token: string | undefined;

  constructor(settings: ConnectionSettings, opts: { maxSockets?: number } = {}) {
    let url: URL;
    try {
      url = new URL(settings.server);
    } catch (err) {
      throw new Error(`API server URL "${settings.server}" is not a valid URL`, { cause: err });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`API server URL "${settings.server}" must start with http:// or https://`);
    }
    this.base = url;
    this.token = settings.token;
    // LIFO reuses the warmest socket and lets idle ones expire (Node's advice for keep-alive).
    const common = {
      keepAlive: true,
      maxSockets: opts.maxSockets ?? Infinity,
      scheduling: 'lifo' as const,
    };
    if (url.protocol === 'https:') {
      this.module = https;
      this.agent = new https.Agent({
        ...common,
        ca: settings.ca,
        cert: settings.cert,
        key: settings.key,
        rejectUnauthorized: settings.insecureSkipTlsVerify !== true,
        servername: settings.tlsServerName,
      });
    } else {
      this.module = http;
      this.agent = new http.Agent(common);
    }
  }

  /** The full URL of `path`, for messages. */
  urlOf(path: string): string {
    return this.base.origin + this.base.pathname.replace(/\/$/, '') + path;
  }

  /** Sends a request and buffers the response, whatever its status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.sendOnce(req);
    } catch (err) {
      if (!(err instanceof RetryableReuse) || !IDEMPOTENT.has(req.method)) throw unwrap(err);
      return await this.sendOnce(req).catch((e: unknown) => {
        throw unwrap(e);
      });
    }
  }

  /**
   * Opens a request and resolves with the response stream once headers
   * arrive. The caller reads and destroys it; `signal` aborts it at any time.
   */
  open(req: HttpRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const r = this.start(req, reject);
      r.on('response', (res) => {
        const idleMs = req.idleTimeoutMs;
        if (idleMs) {
          const socket = res.socket;
          const onIdle = () =>
            res.destroy(
              new TransportError(
                'IdleTimeout',
                `${req.method} ${this.urlOf(req.path)}: no data for ${idleMs} ms`,
              ),
            );
          socket.setTimeout(idleMs);
          socket.on('timeout', onIdle);
          // The socket may go back to the keep-alive pool: leave nothing on it.
          res.once('close', () => {
            socket.setTimeout(0);
            socket.off('timeout', onIdle);
          });
        }
        resolve(res);
      });
      r.end(req.body);
    });
  }

  /** Closes idle sockets and refuses new requests; open streams end as their callers destroy them. */
  close(): void {
    this.agent.destroy();
  }

  private sendOnce(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: unknown): void => {
        clearTimeout(timer);
        reject(err);
      };
      const r = this.start(req, fail);
      if (req.timeoutMs) {
        timer = setTimeout(() => {
          r.destroy(
            new TransportError(
              'Timeout',
              `${req.method} ${this.urlOf(req.path)}: no response within ${req.timeoutMs} ms`,
            ),
          );
        }, req.timeoutMs);
      }
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      });
      r.end(req.body);
    });
  }

  private start(req: HttpRequest, fail: (err: unknown) => void): http.ClientRequest {
    const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = this.module.request({
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || (this.base.protocol === 'https:' ? 443 : 80),
      path: this.base.pathname.replace(/\/$/, '') + req.path,
      method: req.method,
      headers,
      agent: this.agent,
      signal: req.signal,
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof TransportError) return fail(err);
      if (err.name === 'AbortError') return fail(err);
      const wrapped = new TransportError(
        err.code ?? 'Error',
        `${req.method} ${this.urlOf(req.path)} failed: ${err.message}` +
          (err.code === 'ECONNREFUSED' ? ' (is the API server running at this address?)' : ''),
        err,
      );
      // A reused socket reset before any response: the server had closed it.
      fail(r.reusedSocket && err.code === 'ECONNRESET' ? new RetryableReuse(wrapped) : wrapped);
    });
    return r;
  }
}

/** Marks the stale keep-alive socket case for one resend; never escapes `send`. */
class RetryableReuse extends Error {
  readonly inner: TransportError;
  constructor(inner: TransportError) {
    super(inner.message);
    this.inner = inner;
  }
}

function unwrap(err: unknown): unknown {
  return err instanceof RetryableReuse ? err.inner : err;
}
