/**
 * Pushes built images into a registry through the distribution HTTP API
 * (blob upload, then manifest PUT), straight from the blob files: no
 * dockerd is needed, and the manifest digest is the same on every build.
 */
import { openAsBlob } from 'node:fs';
import { blobPath } from './blob-store.ts';
import { OCI_MANIFEST_TYPE, ociManifest, type BlobRef } from './image-spec.ts';
import type { BuiltImage, SampleImages } from './sample-images-file.ts';

const REQUEST_TIMEOUT_MS = 120_000;

/**
 * Pushes `images` (default all) to the registry at `url` ("http://host:port")
 * under their own names (`skiff/echo:1` → `<registry>/skiff/echo:1`).
 * Blobs the registry already has are skipped. Resolves to the manifest
 * digest of each image, by reference.
 */
export async function pushImages(
  url: string,
  set: SampleImages,
  images: readonly BuiltImage[] = set.images,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const img of images) {
    const { repo, tag } = splitRef(img.ref);
    for (const blob of [img.config, ...img.layers]) await pushBlob(url, repo, set, blob);
    const body = JSON.stringify(ociManifest(img.config, img.layers));
    const res = await call(`${url}/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST_TYPE },
      body,
    });
    await expectStatus(res, 201, `PUT manifest ${img.ref}`);
    digests.set(img.ref, res.headers.get('docker-content-digest') ?? '');
  }
  return digests;
}

/** Splits "skiff/echo:1" into repository and tag (pure). */
export function splitRef(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon <= 0 || ref.indexOf('/', colon) !== -1)
    throw new Error(`image reference needs a tag: "${ref}"`);
  return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

async function pushBlob(
  url: string,
  repo: string,
  set: SampleImages,
  blob: BlobRef,
): Promise<void> {
  const head = await call(`${url}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const start = await call(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(start, 202, `start upload of ${blob.digest} to ${repo}`);
  const location = start.headers.get('location');
  if (!location) throw new Error(`registry gave no upload location for ${repo}`);
  const target = new URL(location, url);
  target.searchParams.set('digest', blob.digest);
  const data = await openAsBlob(blobPath(set.blobDir, blob.digest));
  const put = await call(target.toString(), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    body: data,
  });
  await expectStatus(put, 201, `upload ${blob.digest} to ${repo}`);
}

function call(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

async function expectStatus(res: Response, want: number, what: string): Promise<void> {
  if (res.status === want) {
    await res.body?.cancel();
    return;
  }
  const text = (await res.text()).slice(0, 500);
  throw new Error(`registry: ${what} answered ${res.status}, expected ${want}: ${text}`);
}
