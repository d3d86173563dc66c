/**
 * Plain JSON lists written as they are assembled (chunked transfer
 * encoding, as kube-apiserver's streaming list encoder does): the head,
 * then the items' cached JSON bytes in chunks of about 256 KiB, then the
 * tail. The first bytes leave at once, the client reads while the rest is
 * copied, and no 30 MB string or buffer of a whole 10,000-item list is
 * ever built. Waits for the socket to drain between chunks, so a slow
 * client holds at most one chunk in the server's buffers.
 */
import type { ServerResponse } from 'node:http';
import { groupVersion, type ResourceInfo } from '../api/resources.ts';
import type { EncodedCache } from './registry/encoded-cache.ts';
import type { ListPage } from './registry/read.ts';

/** Bytes gathered before a chunk is written. */
const CHUNK_BYTES = 256 * 1024;
const COMMA = Buffer.from(',');

/** Writes `page` as a `{"kind":"…List",…,"items":[…]}` response with status 200. */
export async function streamList(
  res: ServerResponse,
  r: ResourceInfo,
  page: ListPage,
  cache: EncodedCache,
): Promise<void> {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  const head =
    `{"kind":${JSON.stringify(r.listKind)},"apiVersion":${JSON.stringify(groupVersion(r))},` +
    `"metadata":${JSON.stringify(page.metadata)},"items":[`;
  let parts: Buffer[] = [Buffer.from(head)];
  let size = parts[0]?.length ?? 0;
  let first = true;
  for (const item of page.items) {
    if (!first) {
      parts.push(COMMA);
      size += COMMA.length;
    }
    first = false;
    const bytes = cache.bytesOf(item.kv);
    parts.push(bytes);
    size += bytes.length;
    if (size >= CHUNK_BYTES) {
      if (!(await write(res, Buffer.concat(parts, size)))) return; // the client went away
      parts = [];
      size = 0;
    }
  }
  parts.push(Buffer.from(']}'));
  res.end(Buffer.concat(parts));
}

// Resolves true once the socket took the chunk (or false when the response is gone).
function write(res: ServerResponse, chunk: Buffer): Promise<boolean> | boolean {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve(!res.destroyed);
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
