/**
 * Docker's stream formats: the multiplexed stdout/stderr framing of logs
 * and exec output (an 8-byte header: stream type, 3 zero bytes, big-endian
 * payload length), and the newline-delimited JSON of events and pulls.
 */
import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;

/**
 * A Transform that strips Docker's multiplexing headers and passes the
 * payloads through in order (stdout and stderr merged), however the frames
 * are split across chunks.
 */
export class DemuxStream extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (buf.length >= HEADER) {
      const size = buf.readUInt32BE(4);
      if (buf.length < HEADER + size) break;
      this.push(buf.subarray(HEADER, HEADER + size));
      buf = buf.subarray(HEADER + size);
    }
    this.pending = buf;
    done();
  }

  override _flush(done: TransformCallback): void {
    // A truncated last frame (the engine closed mid-frame) keeps what arrived.
    if (this.pending.length > HEADER) this.push(this.pending.subarray(HEADER));
    done();
  }
}

/** Whole payloads of a complete multiplexed buffer (a non-followed logs answer), concatenated. */
export function demuxBuffer(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let rest = buf;
  while (rest.length >= HEADER) {
    const size = rest.readUInt32BE(4);
    out.push(rest.subarray(HEADER, Math.min(rest.length, HEADER + size)));
    rest = rest.subarray(HEADER + size);
  }
  return Buffer.concat(out);
}

/**
 * Splits a byte stream into lines and yields each non-empty line; a partial
 * last line waits for the rest. Ends when the stream ends.
 */
export async function* lines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line !== '') yield line;
      nl = rest.indexOf('\n');
    }
  }
  if (rest.trim() !== '') yield rest.trim();
}
