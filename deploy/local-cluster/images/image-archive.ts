/**
 * Loads built images into a dockerd as a `docker save` archive streamed
 * straight from the blob files (no second copy of the layers on disk), and
 * checks that each tag then names the expected image ID.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { blobPath } from './blob-store.ts';
import { dockerSaveEntry, hexOf } from './image-spec.ts';
import type { BuiltImage, SampleImages } from './sample-images-file.ts';
import { TAR_END, tarHeader, tarPadding } from './tar-writer.ts';

/**
 * Loads `images` (default: all of the set) that the dockerd does not already
 * have under the same ID. Throws with dockerd's message if the load fails.
 */
export async function loadImages(
  docker: Docker,
  set: SampleImages,
  images: readonly BuiltImage[] = set.images,
): Promise<void> {
  const missing: BuiltImage[] = [];
  for (const img of images)
    if ((await imageIdOf(docker, img.ref)) !== img.config.digest) missing.push(img);
  if (missing.length === 0) return;
  const response = await docker.loadImage(Readable.from(archiveChunks(set, missing)), {
    quiet: true,
  });
  const text = await readAll(response);
  const failure = loadFailure(text);
  if (failure !== undefined) throw new Error(`docker load of ${refs(missing)} failed: ${failure}`);
  for (const img of missing) {
    const id = await imageIdOf(docker, img.ref);
    if (id !== img.config.digest) {
      throw new Error(
        `after docker load, ${img.ref} is ${id ?? 'missing'}, expected ${img.config.digest}`,
      );
    }
  }
}

/** The image ID a tag names in this dockerd, or undefined when absent. */
export async function imageIdOf(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    const info: unknown = await docker.getImage(ref).inspect();
    const id = (info as { Id?: unknown }).Id;
    return typeof id === 'string' ? id : undefined;
  } catch (err) {
    if ((err as { statusCode?: unknown }).statusCode === 404) return undefined;
    throw err;
  }
}

/** The first error in a docker load/pull JSON message stream, if any (pure). */
export function loadFailure(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const msg: unknown = JSON.parse(line);
      const error = (msg as { error?: unknown }).error;
      if (typeof error === 'string') return error;
    } catch {
      return `unexpected reply: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}

async function* archiveChunks(
  set: SampleImages,
  images: readonly BuiltImage[],
): AsyncGenerator<Buffer> {
  const manifest = images.map((i) => dockerSaveEntry(i.ref, i.config, i.layers));
  yield* memberFromBuffer('manifest.json', Buffer.from(JSON.stringify(manifest)));
  const written = new Set<string>();
  for (const img of images) {
    if (!written.has(img.config.digest)) {
      written.add(img.config.digest);
      const data = await readFile(blobPath(set.blobDir, img.config.digest));
      yield* memberFromBuffer(`${hexOf(img.config.digest)}.json`, data);
    }
    for (const layer of img.layers) {
      if (written.has(layer.digest)) continue;
      written.add(layer.digest);
      const hex = hexOf(layer.digest);
      yield tarHeader({ path: hex, type: 'dir', mode: 0o755, size: 0 });
      yield tarHeader({ path: `${hex}/layer.tar`, type: 'file', mode: 0o644, size: layer.size });
      for await (const chunk of createReadStream(blobPath(set.blobDir, layer.digest))) {
        yield chunk as Buffer;
      }
      yield tarPadding(layer.size);
    }
  }
  yield TAR_END;
}

function* memberFromBuffer(path: string, data: Buffer): Generator<Buffer> {
  yield tarHeader({ path, type: 'file', mode: 0o644, size: data.length });
  yield data;
  yield tarPadding(data.length);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

function refs(images: readonly BuiltImage[]): string {
  return images.map((i) => i.ref).join(', ');
}
