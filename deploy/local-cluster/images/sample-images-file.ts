/**
 * The types of a built image set and the one function that accepts its
 * cached index file (`images.json`), which is input from disk and so
 * `unknown` until checked.
 */
import type { BlobRef } from './image-spec.ts';

/** One built image: its tag, config blob (the image ID is its digest) and layers, bottom first. */
export interface BuiltImage {
  ref: string;
  config: BlobRef;
  layers: BlobRef[];
}

/** A set of built images whose blobs are files `<blobDir>/<hex>`. */
export interface SampleImages {
  blobDir: string;
  images: BuiltImage[];
}

/** Parses the index written by the builder; throws naming the file's problem. */
export function parseSampleImages(text: string, blobDir: string): SampleImages {
  const doc: unknown = JSON.parse(text);
  const list = isRecord(doc) ? doc.images : undefined;
  if (!Array.isArray(list)) throw badIndex('no "images" list');
  return { blobDir, images: list.map((v, i) => parseImage(v, `images[${i}]`)) };
}

function parseImage(v: unknown, at: string): BuiltImage {
  if (!isRecord(v) || typeof v.ref !== 'string' || !Array.isArray(v.layers)) {
    throw badIndex(`${at} needs "ref", "config" and "layers"`);
  }
  return {
    ref: v.ref,
    config: parseBlob(v.config, `${at}.config`),
    layers: v.layers.map((l, i) => parseBlob(l, `${at}.layers[${i}]`)),
  };
}

function parseBlob(v: unknown, at: string): BlobRef {
  if (!isRecord(v) || typeof v.digest !== 'string' || typeof v.size !== 'number') {
    throw badIndex(`${at} needs "digest" and "size"`);
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(v.digest))
    throw badIndex(`${at}.digest is not a sha256 digest`);
  return { digest: v.digest, size: v.size };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badIndex(why: string): Error {
  return new Error(
    `sample image cache index is invalid (${why}): delete the image cache dir to rebuild`,
  );
}
