/**
 * An HTTP/1.1 response parser as pure logic, fed the bytes of one
 * connection (RFC 9112): the status line and headers, then the body framed
 * by Transfer-Encoding: chunked, Content-Length, or the end of the
 * connection, with informational (1xx) responses skipped. Headers come out
 * as node:http's IncomingMessage has them: names lower-cased, repeated
 * fields joined with ", " (set-cookie as an array, single-valued fields
 * such as content-type keeping the first), so callers cannot tell the two
 * apart.
 */

/** One complete response. */
export interface ParsedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The connection may carry another request (keep-alive, body framed by length or chunks). */
  keepAlive: boolean;
  /** The server's Keep-Alive timeout hint in ms, if it sent one. */
  keepAliveTimeoutMs: number | undefined;
}

/** Bytes that are not an HTTP/1.x response; the connection cannot be used further. */
export class HttpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpParseError';
  }
}

// Fields node:http keeps only the first of (IncomingMessage._addHeaderLine).
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);
const MAX_HEAD_BYTES = 256 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

type Framing =
  | { kind: 'length'; left: number }
  | { kind: 'chunked'; step: 'size' | 'data' | 'data-end' | 'trailer'; left: number }
  | { kind: 'close' };

/** Parses the response to one request; make a new parser for each request. */
export class ResponseParser {
  private readonly noBody: boolean;
  private pending: Buffer = Buffer.alloc(0);
  private head: Omit<ParsedResponse, 'body'> | undefined;
  private framing: Framing | undefined;
  private readonly body: Buffer[] = [];
  private received = false;

  /** `noBody`: the request was HEAD, whose response has no body whatever its headers say. */
  constructor(noBody = false) {
    this.noBody = noBody;
  }

  /** True once any byte of the response arrived. */
  get started(): boolean {
    return this.received;
  }

  /**
   * Feeds bytes; returns the response once complete, with `extra` holding
   * bytes that arrived after it (none from a well-behaved server). Throws
   * HttpParseError for bytes that are not a response.
   */
  push(chunk: Buffer): { response: ParsedResponse; extra: Buffer } | undefined {
    if (chunk.length > 0) this.received = true;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (!this.head) {
      const end = this.pending.indexOf(HEAD_END);
      if (end < 0) {
        if (this.pending.length > MAX_HEAD_BYTES) {
          throw new HttpParseError(`response headers longer than ${MAX_HEAD_BYTES} bytes`);
        }
        return undefined;
      }
      const text = this.pending.toString('latin1', 0, end);
      this.pending = this.pending.subarray(end + HEAD_END.length);
      this.startResponse(text);
    }
    return this.readBody();
  }

  /**
   * The connection ended: the response, when its body runs to the end of
   * the connection; undefined when it was cut short (or never started).
   */
  end(): ParsedResponse | undefined {
    if (this.framing?.kind !== 'close' || !this.head) return undefined;
    if (this.pending.length > 0) this.body.push(this.pending);
    this.pending = Buffer.alloc(0);
    return this.finish();
  }

  private startResponse(text: string): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!m)
      throw new HttpParseError(`not an HTTP/1.x status line: ${(lines[0] ?? '').slice(0, 80)}`);
    const status = Number(m[2]);
    const headers = parseHeaders(lines);
    if (status >= 100 && status < 200) {
      if (status === 101) throw new HttpParseError('the server switched protocols (101)');
      return; // informational (100 Continue, 103 Early Hints): the real response follows
    }
    const connection = String(headers.connection ?? '').toLowerCase();
    const http10 = m[1] === '0';
    let keepAlive = http10 ? connection.includes('keep-alive') : !connection.includes('close');
    this.framing = framingOf(status, headers, this.noBody);
    if (this.framing.kind === 'close') keepAlive = false;
    const hint = /timeout=(\d+)/i.exec(String(headers['keep-alive'] ?? ''));
    this.head = {
      status,
      headers,
      keepAlive,
      keepAliveTimeoutMs: hint ? Number(hint[1]) * 1000 : undefined,
    };
  }

  private readBody(): { response: ParsedResponse; extra: Buffer } | undefined {
    const f = this.framing as Framing;
    if (f.kind === 'close') {
      if (this.pending.length > 0) this.body.push(this.pending);
      this.pending = Buffer.alloc(0);
      return undefined;
    }
    if (f.kind === 'length') {
      const take = Math.min(f.left, this.pending.length);
      if (take > 0) this.body.push(this.pending.subarray(0, take));
      this.pending = this.pending.subarray(take);
      f.left -= take;
      return f.left === 0 ? this.done() : undefined;
    }
    return this.readChunks(f);
  }

  private readChunks(
    f: Extract<Framing, { kind: 'chunked' }>,
  ): ReturnType<ResponseParser['readBody']> {
    for (;;) {
      if (f.step === 'data') {
        const take = Math.min(f.left, this.pending.length);
        if (take > 0) this.body.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        f.left -= take;
        if (f.left > 0) return undefined;
        f.step = 'data-end';
        continue;
      }
      const eol = this.pending.indexOf(CRLF);
      if (eol < 0) {
        if (this.pending.length > MAX_HEAD_BYTES) throw new HttpParseError('chunk line too long');
        return undefined;
      }
      const line = this.pending.toString('latin1', 0, eol);
      this.pending = this.pending.subarray(eol + CRLF.length);
      if (f.step === 'data-end') {
        if (line !== '') throw new HttpParseError('chunk data not followed by CRLF');
        f.step = 'size';
      } else if (f.step === 'size') {
        const size = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/.exec(line);
        if (!size) throw new HttpParseError(`bad chunk size line: ${line.slice(0, 40)}`);
        f.left = parseInt(size[1] as string, 16);
        f.step = f.left === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        return this.done(); // the empty line after the (ignored) trailer fields
      }
    }
  }

  private done(): { response: ParsedResponse; extra: Buffer } {
    const extra = this.pending;
    this.pending = Buffer.alloc(0);
    return { response: this.finish(), extra };
  }

  private finish(): ParsedResponse {
    const head = this.head as Omit<ParsedResponse, 'body'>;
    const body = this.body.length === 1 ? (this.body[0] as Buffer) : Buffer.concat(this.body);
    return { ...head, body };
  }
}

function parseHeaders(lines: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpParseError(`bad header line: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const old = headers[name];
    if (old === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(old)) old.push(value);
    else if (name === 'cookie') headers[name] = `${old}; ${value}`;
    else if (!SINGLE.has(name)) headers[name] = `${old}, ${value}`;
  }
  return headers;
}

// RFC 9112 section 6.3: how the body's end is known.
function framingOf(
  status: number,
  headers: Record<string, string | string[]>,
  noBody: boolean,
): Framing {
  if (noBody || status === 204 || status === 304) return { kind: 'length', left: 0 };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = String(te).toLowerCase().split(',');
    const last = codings[codings.length - 1]?.trim();
    return last === 'chunked' ? { kind: 'chunked', step: 'size', left: 0 } : { kind: 'close' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    if (!/^\d+$/.test(String(cl))) throw new HttpParseError(`bad Content-Length: ${String(cl)}`);
    return { kind: 'length', left: Number(cl) };
  }
  return { kind: 'close' };
}
