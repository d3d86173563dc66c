/**
 * The JSON documents of an image (pure): the image config, the OCI manifest a
 * registry serves, and the manifest.json of a `docker save` archive that
 * `docker load` reads. Every timestamp is fixed, so the same layers give the
 * same image ID (the config's digest) on every build and every node.
 */

/** A content-addressed blob: `digest` is "sha256:<hex>". */
export interface BlobRef {
  digest: string;
  size: number;
}

/** What a container of the image runs by default. */
export interface ImageRuntimeConfig {
  cmd: readonly string[];
  env: readonly string[];
  exposedPorts?: readonly string[];
  labels?: Readonly<Record<string, string>>;
}

/** Fixed build time of every sample image (reproducible builds use the epoch). */
export const IMAGE_CREATED = '1970-01-01T00:00:00Z';

export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG_TYPE = 'application/vnd.oci.image.config.v1+json';
/** Layers are stored uncompressed: the registry is local, and no gzip keeps digests stable. */
export const OCI_LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar';

/**
 * The image config for layers whose uncompressed digests are `diffIds`,
 * bottom layer first; `history` names what each layer holds.
 */
export function imageConfig(
  run: ImageRuntimeConfig,
  diffIds: readonly string[],
  history: readonly string[],
): Record<string, unknown> {
  return {
    architecture: 'amd64',
    os: 'linux',
    created: IMAGE_CREATED,
    config: {
      Env: [...run.env],
      Cmd: [...run.cmd],
      WorkingDir: '/',
      ...(run.exposedPorts?.length
        ? { ExposedPorts: Object.fromEntries(run.exposedPorts.map((p) => [p, {}])) }
        : {}),
      ...(run.labels ? { Labels: { ...run.labels } } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [...diffIds] },
    history: history.map((h) => ({ created: IMAGE_CREATED, created_by: h })),
  };
}

/** The OCI image manifest pointing at a config blob and uncompressed layer blobs. */
export function ociManifest(config: BlobRef, layers: readonly BlobRef[]): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_TYPE,
    config: { mediaType: OCI_CONFIG_TYPE, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_TYPE, digest: l.digest, size: l.size })),
  };
}

/** One image's entry in a `docker save` manifest.json, with the archive's member names. */
export function dockerSaveEntry(
  repoTag: string,
  config: BlobRef,
  layers: readonly BlobRef[],
): { Config: string; RepoTags: string[]; Layers: string[] } {
  return {
    Config: `${hexOf(config.digest)}.json`,
    RepoTags: [repoTag],
    Layers: layers.map((l) => `${hexOf(l.digest)}/layer.tar`),
  };
}

/** The hex part of a "sha256:<hex>" digest. */
export function hexOf(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m?.[1]) throw new Error(`not a sha256 digest: "${digest}"`);
  return m[1];
}
