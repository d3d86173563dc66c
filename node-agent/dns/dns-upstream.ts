/**
 * Forwarding to the node's upstream resolvers: the client's query bytes
 * go unchanged to each upstream in turn (UDP, or TCP when the client came
 * over TCP), on a fresh socket each, until one answers within the timeout.
 * The answer's ID must match the query's; its bytes go back unchanged.
 */
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';

/** One upstream resolver. */
export interface Upstream {
  host: string;
  port: number;
}

/** Upstream forwarding failed on every resolver; the server answers SERVFAIL. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
}

/**
 * "1.2.3.4", "1.2.3.4:53", "::1" or "[::1]:53" as an Upstream (port 53 by
 * default). Throws for anything else, naming the value.
 */
export function parseUpstream(text: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+):(\d+)$/.exec(text);
  const [host, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : plain
      ? [plain[1]!, plain[2]]
      : [text, undefined];
  const p = port === undefined ? 53 : Number(port);
  if (isIP(host) === 0 || !Number.isInteger(p) || p < 1 || p > 65_535) {
    throw new Error(`upstream DNS server "${text}" is not an IP address with an optional port`);
  }
  return { host, port: p };
}

/**
 * Sends `query` to each upstream until one answers; resolves the answer's
 * bytes. Each try waits at most `timeoutMs`. Rejects with UpstreamError
 * naming the failures when none answers (or `signal` aborts).
 */
export async function forwardQuery(
  query: Uint8Array,
  upstreams: Upstream[],
  opts: { timeoutMs: number; tcp?: boolean; signal?: AbortSignal },
): Promise<Uint8Array> {
  const failures: string[] = [];
  for (const u of upstreams) {
    if (opts.signal?.aborted) break;
    try {
      const ask = opts.tcp ? askTcp : askUdp;
      return await ask(query, u, opts.timeoutMs, opts.signal);
    } catch (err) {
      failures.push(`${u.host}:${u.port}: ${(err as Error).message}`);
    }
  }
  throw new UpstreamError(
    upstreams.length === 0
      ? 'no upstream DNS server is configured'
      : `no upstream DNS server answered (${failures.join('; ') || 'aborted'})`,
  );
}

function askUdp(query: Uint8Array, u: Upstream, timeoutMs: number, signal?: AbortSignal) {
  return new Promise<Uint8Array>((resolve, reject) => {
    const sock = createSocket(isIP(u.host) === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, answer?: Uint8Array): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    const onAbort = (): void => finish(new Error('aborted'));
    const timer = setTimeout(() => finish(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err) => finish(err));
    // A datagram that is not the answer (wrong ID, too short) is ignored, as resolvers do.
    sock.on('message', (msg, rinfo) => {
      if (rinfo.port === u.port && isAnswerTo(query, msg)) finish(undefined, new Uint8Array(msg));
    });
    sock.send(query, u.port, u.host, (err) => {
      if (err) finish(err);
    });
  });
}

function askTcp(query: Uint8Array, u: Upstream, timeoutMs: number, signal?: AbortSignal) {
  return new Promise<Uint8Array>((resolve, reject) => {
    const sock = connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | undefined, answer?: Uint8Array): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const onAbort = (): void => finish(new Error('aborted'));
    const timer = setTimeout(() => finish(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err) => finish(err));
    sock.on('close', () => finish(new Error('connection closed before the answer')));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      const msg = buf.subarray(2, 2 + len);
      if (isAnswerTo(query, msg)) finish(undefined, new Uint8Array(msg));
      else finish(new Error('answer does not match the query ID'));
    });
    const frame = Buffer.alloc(2 + query.length);
    frame.writeUInt16BE(query.length, 0);
    frame.set(query, 2);
    sock.write(frame);
  });
}

// Same ID, QR set, at least a header.
function isAnswerTo(query: Uint8Array, msg: Uint8Array): boolean {
  return msg.length >= 12 && msg[0] === query[0] && msg[1] === query[1] && (msg[2]! & 0x80) !== 0;
}
