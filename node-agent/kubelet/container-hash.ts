/**
 * The spec hash stored on every container, and the test of whether a
 * running container still matches its spec.
 *
 * Kubernetes restarted every container on a node when an upgrade changed
 * what the hash covered (kubernetes#53644, #63814, #129385). So the hash
 * covers a fixed list of fields, its version is stored beside it, and a
 * container whose hash has another version is compared on the one field a
 * pod update can change (the image) instead of being restarted.
 */
import { createHash } from 'node:crypto';
import type { Container } from '../../control-plane/api/types.ts';

/** Bump when HASHED_FIELDS or the encoding changes. */
export const HASH_VERSION = '1';

// What a container is run from. Probes, lifecycle hooks and resources are
// left out: changing them must not restart a container.
const HASHED_FIELDS = [
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'volumeMounts',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
] as const satisfies readonly (keyof Container)[];

/** A stable 16-hex-digit hash of the container's run-relevant fields. */
export function hashContainer(container: Container): string {
  const picked: Record<string, unknown> = {};
  for (const f of HASHED_FIELDS) if (container[f] !== undefined) picked[f] = container[f];
  return createHash('sha256').update(canonicalJson(picked)).digest('hex').slice(0, 16);
}

/** What a running container was created from, as its labels record it. */
export interface CreatedFrom {
  hash: string;
  hashVersion: string;
  /** The image reference it was created with. */
  image: string;
}

/**
 * True when `observed` no longer matches `desired`: by hash when it was
 * stored by this version, else by image only. `desiredImage` is the image
 * reference the kubelet creates with (default tag applied).
 */
export function containerChanged(
  desired: Container,
  desiredImage: string,
  observed: CreatedFrom,
): boolean {
  if (observed.hashVersion === HASH_VERSION) return observed.hash !== hashContainer(desired);
  return observed.image !== desiredImage;
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
