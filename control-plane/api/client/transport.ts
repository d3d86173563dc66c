/**
 * The HTTP layer under ApiClient. Two calls: `send` buffers a whole
 * response under a deadline, over kept-alive HTTP/1.1 connections of a
 * ConnectionPool (connection-pool.ts: one socket write per request, no
 * node:http machinery, since every API call of every component comes
 * through here); `open` returns a node:http response stream for watches,
 * with no deadline but an optional idle timeout. HTTPS carries the CA,
 * client certificate and key from the connection settings on both.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ConnectionPool, PoolError } from './connection-pool.ts';

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
// What node:http refuses in a path and in header fields (ERR_UNESCAPED_CHARACTERS, ERR_INVALID_CHAR).
const BAD_PATH = /[^\u0021-\u00ff]/;
const BAD_VALUE = /[^\t\u0020-\u007e\u0080-\u00ff]/;
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const NON_ASCII = /[^\u0000-\u007f]/;

export class Transport {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly module: typeof http | typeof https;
  private readonly pool: ConnectionPool;
  private readonly token: string | undefined;
  private readonly basePath: string;
  private readonly lines = new Map<string, string>();

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
    this.basePath = url.pathname.replace(/\/$/, '');
    this.token = settings.token;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    // LIFO reuses the warmest socket and lets idle ones expire (Node's advice for keep-alive).
    const common = {
      keepAlive: true,
      maxSockets: opts.maxSockets ?? Infinity,
      scheduling: 'lifo' as const,
    };
    if (url.protocol === 'https:') {
      const tlsOpts = {
        ca: settings.ca,
        cert: settings.cert,
        key: settings.key,
        rejectUnauthorized: settings.insecureSkipTlsVerify !== true,
        // SNI takes a name, never an address (as https.Agent decides).
        servername: settings.tlsServerName ?? (net.isIP(host) ? undefined : host),
      };
      this.module = https;
      this.agent = new https.Agent({ ...common, ...tlsOpts });
      this.pool = new ConnectionPool(
        () => tls.connect({ host, port, ...tlsOpts, ALPNProtocols: ['http/1.1'] }),
        common.maxSockets,
      );
    } else {
      this.module = http;
      this.agent = new http.Agent(common);
      this.pool = new ConnectionPool(() => net.connect({ host, port }), common.maxSockets);
    }
  }

  /** The full URL of `path`, for messages. */
  urlOf(path: string): string {
    return this.base.origin + this.basePath + path;
  }

  /** Sends a request and buffers the response, whatever its status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const head = this.head(req);
    try {
      return await this.sendOnce(req, head);
    } catch (err) {
      if (!(err instanceof PoolError && err.staleReuse && IDEMPOTENT.has(req.method))) {
        throw this.wrap(req, err);
      }
      return await this.sendOnce(req, head).catch((e: unknown) => {
        throw this.wrap(req, e);
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
    this.pool.destroy();
  }

  private async sendOnce(req: HttpRequest, head: string | Buffer): Promise<HttpResponse> {
    const res = await this.pool.request({
      head,
      body: req.body,
      noBody: req.method === 'HEAD',
      timeoutMs: req.timeoutMs,
      signal: req.signal,
    });
    return { status: res.status, headers: res.headers as IncomingHttpHeaders, body: res.body };
  }

  // The request line and header fields, checked as node:http checks them.
  private head(req: HttpRequest): string | Buffer {
    if (!TOKEN.test(req.method))
      throw new TypeError(`Method must be a valid HTTP token ["${req.method}"]`);
    const path = this.basePath + req.path;
    if (BAD_PATH.test(path)) throw new TypeError('Request path contains unescaped characters');
    // Field names are case-insensitive: a later one replaces an earlier one, as setHeader does.
    const fields = new Map<string, string>([['accept', this.line('Accept', 'application/json')]]);
    for (const name in req.headers) {
      fields.set(name.toLowerCase(), this.line(name, req.headers[name] as string));
    }
    if (this.token) fields.set('authorization', this.line('Authorization', `Bearer ${this.token}`));
    if (req.body !== undefined) {
      fields.set('content-length', `Content-Length: ${Buffer.byteLength(req.body)}\r\n`);
    }
    let head = `${req.method} ${path} HTTP/1.1\r\nHost: ${this.base.host}\r\n`;
    for (const line of fields.values()) head += line;
    head += 'Connection: keep-alive\r\n\r\n';
    // Header bytes are latin1, as node:http writes them; the pool writes strings as UTF-8.
    return NON_ASCII.test(head) ? Buffer.from(head, 'latin1') : head;
  }

  // "Name: value\r\n", checked once per distinct field (every request repeats the same few).
  private line(name: string, value: string): string {
    const key = `${name}\n${value}`;
    let line = this.lines.get(key);
    if (line !== undefined) return line;
    if (!TOKEN.test(name))
      throw new TypeError(`Header name must be a valid HTTP token ["${name}"]`);
    if (BAD_VALUE.test(value))
      throw new TypeError(`Invalid character in header content ["${name}"]`);
    line = `${name}: ${value}\r\n`;
    if (this.lines.size >= 256) this.lines.clear();
    this.lines.set(key, line);
    return line;
  }

  private wrap(req: HttpRequest, err: unknown): unknown {
    if (!(err instanceof PoolError) || err.code === 'AbortError') return err;
    const url = this.urlOf(req.path);
    if (err.code === 'Timeout') {
      return new TransportError(
        'Timeout',
        `${req.method} ${url}: no response within ${req.timeoutMs} ms`,
      );
    }
    return new TransportError(
      err.code,
      `${req.method} ${url} failed: ${err.message}` +
        (err.code === 'ECONNREFUSED' ? ' (is the API server running at this address?)' : ''),
      err.cause ?? err,
    );
  }

  private start(req: HttpRequest, fail: (err: unknown) => void): http.ClientRequest {
    const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = this.module.request({
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || (this.base.protocol === 'https:' ? 443 : 80),
      path: this.basePath + req.path,
      method: req.method,
      headers,
      agent: this.agent,
      signal: req.signal,
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof TransportError) return fail(err);
      if (err.name === 'AbortError') return fail(err);
      fail(
        new TransportError(
          err.code ?? 'Error',
          `${req.method} ${this.urlOf(req.path)} failed: ${err.message}` +
            (err.code === 'ECONNREFUSED' ? ' (is the API server running at this address?)' : ''),
          err,
        ),
      );
    });
    return r;
  }
}
