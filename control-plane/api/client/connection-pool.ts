/**
 * Kept-alive HTTP/1.1 connections for buffered request/response exchanges,
 * one exchange at a time per connection, the warmest idle connection first
 * (LIFO), as node:http's Agent with keepAlive does, at a fraction of its
 * CPU cost per request: a request is one socket write of a prepared head
 * and body, and the response is parsed straight from the socket's bytes
 * (http-response-parser.ts). The scheduler binds thousands of pods a
 * second through this; node:http's per-request machinery (ClientRequest,
 * IncomingMessage streams, agent events) cost it more than its own work.
 *
 * Failures reject with a PoolError carrying the system error code
 * (ECONNREFUSED, ECONNRESET, ...), "Timeout", "AbortError" or
 * "HPE_INVALID" (not HTTP), and whether the request went out on a reused
 * connection and got no byte of answer: the stale keep-alive case a caller
 * may resend an idempotent request for.
 */
import type { Socket } from 'node:net';
import { ResponseParser, type ParsedResponse } from './http-response-parser.ts';

/** One exchange: the request's bytes (head with its blank line, then the body). */
export interface PoolRequest {
  /** A string is written as UTF-8 (an ASCII head), a Buffer as is. */
  head: string | Buffer;
  body?: string | Buffer;
  /** HEAD request: the response has no body. */
  noBody?: boolean;
  /** Deadline for the whole exchange, ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Why an exchange failed; see the module comment. */
export class PoolError extends Error {
  readonly code: string;
  /** Sent on a reused connection that closed before any byte of the response. */
  readonly staleReuse: boolean;
  constructor(code: string, message: string, staleReuse: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = code === 'AbortError' ? 'AbortError' : 'PoolError';
    this.code = code;
    this.staleReuse = staleReuse;
  }
}

interface Exchange {
  req: PoolRequest;
  resolve: (r: ParsedResponse) => void;
  reject: (e: PoolError) => void;
  timer: NodeJS.Timeout | undefined;
  /** The connection carrying it, once started. */
  conn: Connection | undefined;
  settled: boolean;
}

class Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
  parser: ResponseParser | undefined;
  reused = false;
  /** The socket keeps the process alive (it is busy, or went idle only just now). */
  referenced = true;
  idleTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(socket: Socket) {
    this.socket = socket;
  }
}

export class ConnectionPool {
  private readonly connect: () => Socket;
  private readonly maxSockets: number;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Exchange[] = [];
  // One abort listener per signal, however many exchanges share it (a long-lived
  // signal such as a component's would otherwise gather one listener per request).
  private readonly bySignal = new Map<AbortSignal, { exchanges: Set<Exchange>; off: () => void }>();
  private destroyed = false;
  private unrefPending = false;

  /** `connect` opens a socket to the server (net.connect or tls.connect). */
  constructor(connect: () => Socket, maxSockets = Infinity) {
    this.connect = connect;
    this.maxSockets = maxSockets;
  }

  /** Sends one request and resolves with the whole response, whatever its status. */
  request(req: PoolRequest): Promise<ParsedResponse> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) {
        reject(new PoolError('ECONNRESET', 'the client was closed', false));
        return;
      }
      if (req.signal?.aborted) {
        reject(abortError(req.signal));
        return;
      }
      const ex: Exchange = {
        req,
        resolve,
        reject,
        timer: undefined,
        conn: undefined,
        settled: false,
      };
      if (req.timeoutMs) {
        ex.timer = setTimeout(
          () => this.fail(ex, new PoolError('Timeout', 'no response in time', false)),
          req.timeoutMs,
        );
      }
      if (req.signal) this.watchSignal(req.signal, ex);
      let conn;
      try {
        conn = this.take();
      } catch (err) {
        // connect() refused its options (a malformed certificate, say), as node:http throws.
        this.settle(ex);
        reject(err);
        return;
      }
      if (conn) this.start(conn, ex);
      else this.waiting.push(ex);
    });
  }

  /** Closes every connection; exchanges in progress fail with ECONNRESET. */
  destroy(): void {
    this.destroyed = true;
    for (const ex of this.waiting.splice(0)) {
      this.fail(ex, new PoolError('ECONNRESET', 'the client was closed', false));
    }
    for (const c of [...this.all]) this.close(c);
  }

  // An idle connection (the most recently used), a new one, or none at the limit.
  private take(): Connection | undefined {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      clearTimeout(c.idleTimer);
      if (!c.closed && !c.socket.destroyed) {
        c.reused = true;
        if (!c.referenced) c.socket.ref();
        c.referenced = true;
        return c;
      }
    }
    if (this.all.size >= this.maxSockets) return undefined;
    const conn = new Connection(this.connect());
    this.all.add(conn);
    const s = conn.socket;
    s.setNoDelay(true);
    s.setKeepAlive(true, 1_000);
    s.on('data', (d: Buffer) => this.onData(conn, d));
    s.on('end', () => this.onEnd(conn));
    s.on('error', (err: NodeJS.ErrnoException) => this.onError(conn, err));
    s.on('close', () => this.onEnd(conn));
    return conn;
  }

  private start(conn: Connection, ex: Exchange): void {
    conn.exchange = ex;
    ex.conn = conn;
    conn.parser = new ResponseParser(ex.req.noBody === true);
    // One write for head and body: one syscall, one packet for a small request.
    const { head, body } = ex.req;
    if (body === undefined || body.length === 0) conn.socket.write(head);
    else if (typeof head === 'string' && typeof body === 'string') conn.socket.write(head + body);
    else conn.socket.write(Buffer.concat([Buffer.from(head), Buffer.from(body)]));
  }

  private onData(conn: Connection, data: Buffer): void {
    const ex = conn.exchange;
    const parser = conn.parser;
    if (!ex || !parser) {
      this.close(conn); // bytes nobody asked for: the connection is out of step
      return;
    }
    let done;
    try {
      done = parser.push(data);
    } catch (err) {
      this.fail(ex, new PoolError('HPE_INVALID', (err as Error).message, false, err));
      return;
    }
    if (!done) return;
    this.settle(ex);
    conn.exchange = undefined;
    conn.parser = undefined;
    const reusable = done.response.keepAlive && done.extra.length === 0 && !this.destroyed;
    if (reusable) this.release(conn, done.response);
    else this.close(conn);
    ex.resolve(done.response);
  }

  private onEnd(conn: Connection): void {
    const ex = conn.exchange;
    const response = conn.parser?.end();
    conn.exchange = undefined;
    if (ex && response) {
      this.settle(ex);
      ex.resolve(response);
    } else if (ex) {
      const stale = conn.reused && !conn.parser?.started;
      this.fail(ex, new PoolError('ECONNRESET', 'socket hang up', stale));
    }
    this.close(conn);
  }

  private onError(conn: Connection, err: NodeJS.ErrnoException): void {
    const ex = conn.exchange;
    conn.exchange = undefined;
    if (ex) {
      const code = err.code ?? 'Error';
      const stale = conn.reused && !conn.parser?.started && code === 'ECONNRESET';
      this.fail(ex, new PoolError(code, err.message, stale, err));
    }
    this.close(conn);
  }

  private release(conn: Connection, res: ParsedResponse): void {
    const next = this.waiting.shift();
    if (next) {
      conn.reused = true;
      this.start(conn, next);
      return;
    }
    this.idle.push(conn);
    this.unrefIdleSoon();
    // Close a little before the server's announced keep-alive timeout, as node:http does.
    const hint = res.keepAliveTimeoutMs;
    if (hint !== undefined && hint > 1_000) {
      conn.idleTimer = setTimeout(() => this.close(conn), hint - 1_000);
      conn.idleTimer.unref();
    }
  }

  // Idle connections do not keep the process alive (node:http's keepSocketAlive), but
  // one busy again within the same turn of the event loop (the usual case under load)
  // is not unref'd and ref'd again for nothing.
  private unrefIdleSoon(): void {
    if (this.unrefPending) return;
    this.unrefPending = true;
    setImmediate(() => {
      this.unrefPending = false;
      for (const c of this.idle) {
        if (c.referenced) c.socket.unref();
        c.referenced = false;
      }
    }).unref();
  }

  private close(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    clearTimeout(conn.idleTimer);
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    conn.socket.destroy();
    const ex = conn.exchange;
    conn.exchange = undefined;
    if (ex) this.fail(ex, new PoolError('ECONNRESET', 'socket hang up', false));
    // A slot opened: a waiting exchange may start on a new connection.
    const ex2 = this.waiting.shift();
    if (!ex2) return;
    try {
      this.start(this.take() as Connection, ex2);
    } catch (err) {
      this.fail(ex2, new PoolError('Error', (err as Error).message, false, err));
    }
  }

  // Ends an exchange with an error, closing its connection if it has one.
  private fail(ex: Exchange, err: PoolError): void {
    if (!this.settle(ex)) return;
    const w = this.waiting.indexOf(ex);
    if (w >= 0) this.waiting.splice(w, 1);
    const conn = ex.conn;
    if (conn?.exchange === ex) {
      conn.exchange = undefined;
      this.close(conn);
    }
    ex.reject(err);
  }

  // Clears the exchange's timer and abort registration; false if it was settled already.
  private settle(ex: Exchange): boolean {
    if (ex.settled) return false;
    ex.settled = true;
    clearTimeout(ex.timer);
    const signal = ex.req.signal;
    const entry = signal ? this.bySignal.get(signal) : undefined;
    if (signal && entry) {
      entry.exchanges.delete(ex);
      if (entry.exchanges.size === 0) {
        entry.off();
        this.bySignal.delete(signal);
      }
    }
    return true;
  }

  private watchSignal(signal: AbortSignal, ex: Exchange): void {
    let entry = this.bySignal.get(signal);
    if (!entry) {
      const exchanges = new Set<Exchange>();
      const onAbort = (): void => {
        for (const e of [...exchanges]) this.fail(e, abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry = { exchanges, off: () => signal.removeEventListener('abort', onAbort) };
      this.bySignal.set(signal, entry);
    }
    entry.exchanges.add(ex);
  }
}

function abortError(signal: AbortSignal): PoolError {
  return new PoolError('AbortError', 'The operation was aborted', false, signal.reason);
}
