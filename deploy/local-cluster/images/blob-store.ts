/**
 * A directory of content-addressed blobs (`<dir>/<hex>`), the file side
 * effects of the image builder. A blob is written to a temp name, hashed
 * while written, and renamed into place, so a crash never leaves a partial
 * blob under a digest name.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobRef } from './image-spec.ts';
import { hexOf } from './image-spec.ts';
import { TAR_END, tarHeader, tarPadding, type TarEntryType } from './tar-writer.ts';

/** A layer member: data from memory, from a host file (`source`), or none (dirs, links). */
export interface LayerEntry {
  path: string;
  type: TarEntryType;
  mode: number;
  data?: Buffer;
  source?: string;
  linkname?: string;
}

/** The path of blob `digest` in `dir`. */
export function blobPath(dir: string, digest: string): string {
  return join(dir, hexOf(digest));
}

/** Writes `value` as compact JSON and returns its blob. */
export async function writeJsonBlob(dir: string, value: unknown): Promise<BlobRef> {
  const data = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  await mkdir(dir, { recursive: true });
  await writeFile(blobPath(dir, digest), data);
  return { digest, size: data.length };
}

/**
 * Writes a layer tar of `entries` (in the order given; sort them for a
 * stable digest) and returns its blob. Host files are streamed, so a large
 * binary is never held in memory whole.
 */
export async function writeLayerBlob(
  dir: string,
  entries: readonly LayerEntry[],
): Promise<BlobRef> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${Date.now()}`);
  const hash = createHash('sha256');
  const fh = await open(tmp, 'w');
  let size = 0;
  const put = async (buf: Buffer) => {
    hash.update(buf);
    size += buf.length;
    await fh.write(buf);
  };
  try {
    for (const e of entries) {
      const dataSize = e.source !== undefined ? (await stat(e.source)).size : (e.data?.length ?? 0);
      await put(tarHeader({ ...e, size: dataSize }));
      if (e.source !== undefined) await copyExactly(e.source, dataSize, put);
      else if (e.data) await put(e.data);
      await put(tarPadding(dataSize));
    }
    await put(TAR_END);
  } finally {
    await fh.close();
  }
  const digest = `sha256:${hash.digest('hex')}`;
  await rename(tmp, blobPath(dir, digest));
  return { digest, size };
}

// The header already promised `size` bytes: a file that changes meanwhile must fail the build.
async function copyExactly(
  source: string,
  size: number,
  put: (buf: Buffer) => Promise<void>,
): Promise<void> {
  let copied = 0;
  for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    copied += buf.length;
    await put(buf);
  }
  if (copied !== size) throw new Error(`image build: ${source} changed size while being copied`);
}
