/**
 * Reading a watch response: a chunked stream of JSON objects, one a line,
 * each `{"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR", "object": ...}`.
 * Chunks split lines (and UTF-8 characters) anywhere, so bytes are decoded
 * and split here before any line is parsed.
 */
import { StringDecoder } from 'node:string_decoder';
import { ApiError } from '../errors.ts';
import type { KubeObject, WatchEvent } from '../types.ts';

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Splits a byte stream into complete lines; a partial last line waits for the next chunk. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  /** The complete, non-blank lines that `chunk` finishes. */
  push(chunk: Buffer | string): string[] {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.filter((l) => l.trim() !== '');
  }

  /** What is left after the stream ended: an unterminated last line, or "". */
  end(): string {
    const tail = this.rest + this.decoder.end();
    this.rest = '';
    return tail.trim();
  }
}

/**
 * Parses one watch line. Throws an Error naming `source` for a line that is
 * not a watch event, so the watch ends and its caller re-watches from the
 * last good resourceVersion.
 */
export function parseWatchLine(line: string, source: string): WatchEvent<KubeObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`watch ${source}: received a line that is not JSON: ${line.slice(0, 200)}`);
  }
  const ev = parsed as { type?: unknown; object?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof ev.type !== 'string' ||
    !EVENT_TYPES.has(ev.type) ||
    typeof ev.object !== 'object' ||
    ev.object === null
  ) {
    throw new Error(
      `watch ${source}: received a line that is not a watch event: ${line.slice(0, 200)}`,
    );
  }
  return parsed as WatchEvent<KubeObject>;
}

/**
 * The error an ERROR event carries: its metav1.Status as an ApiError (410
 * Expired when the requested resourceVersion was compacted).
 */
export function watchErrorToApiError(ev: WatchEvent<KubeObject>): ApiError {
  const status = ev.object as { code?: unknown };
  const code = typeof status.code === 'number' ? status.code : 500;
  return ApiError.fromStatus(ev.object, code);
}

/**
 * The events of a watch response stream, in order. ERROR events end the
 * iteration by throwing their ApiError; the stream ending (server timeout,
 * closed connection) ends it normally. Bytes that do not form events throw.
 */
export async function* readWatchEvents(
  stream: AsyncIterable<Buffer | string>,
  source: string,
): AsyncGenerator<WatchEvent<KubeObject>> {
  const lines = new LineSplitter();
  for await (const chunk of stream) {
    for (const line of lines.push(chunk)) {
      const ev = parseWatchLine(line, source);
      if (ev.type === 'ERROR') throw watchErrorToApiError(ev);
      yield ev;
    }
  }
  // A line cut short by a dropped connection is not an event; the caller re-watches.
  lines.end();
}
