/**
 * A minimal deterministic ustar writer (pure): headers with fixed owner,
 * mtime 0 and no user names, so the same entries always give the same bytes
 * and so the same layer digest. Only regular files, directories and
 * symlinks, which is all an image layer here needs.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink';

/** One archive member; `size` is the file's byte length (0 for dirs and links). */
export interface TarHeaderFields {
  path: string;
  type: TarEntryType;
  mode: number;
  size: number;
  /** Target of a symlink. */
  linkname?: string;
}

const BLOCK = 512;
const TYPEFLAG: Record<TarEntryType, string> = { file: '0', dir: '5', symlink: '2' };

/** Two zero blocks end an archive. */
export const TAR_END: Buffer = Buffer.alloc(BLOCK * 2);

/** The 512-byte ustar header of an entry. Throws on a path ustar cannot hold. */
export function tarHeader(e: TarHeaderFields): Buffer {
  const h = Buffer.alloc(BLOCK);
  const name = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const [prefix, base] = splitPath(name);
  h.write(base, 0, 100, 'utf8');
  writeOctal(h, 100, 8, e.mode);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, e.type === 'file' ? e.size : 0);
  writeOctal(h, 136, 12, 0); // mtime: fixed for reproducible layers
  h.write(TYPEFLAG[e.type], 156, 1, 'ascii');
  if (e.linkname !== undefined) {
    if (Buffer.byteLength(e.linkname) > 100)
      throw new Error(`tar: link target too long: ${e.linkname}`);
    h.write(e.linkname, 157, 100, 'utf8');
  }
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

/** The zero bytes that pad a member's data of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** A whole archive in memory from small entries (header, data, padding, end). */
export function tarBuffer(entries: readonly (TarHeaderFields & { data?: Buffer })[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    parts.push(tarHeader({ ...e, size: data.length }), data, tarPadding(data.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  const cut = path.lastIndexOf('/', path.length - 2);
  const prefix = path.slice(0, cut);
  const base = path.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100) {
    throw new Error(`tar: path too long for ustar: ${path}`);
  }
  return [prefix, base];
}

function writeOctal(h: Buffer, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, '0');
  if (text.length > width - 1) throw new Error(`tar: value ${value} does not fit ${width} bytes`);
  h.write(`${text}\u0000`, offset, width, 'ascii');
}
