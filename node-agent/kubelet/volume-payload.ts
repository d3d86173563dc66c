/**
 * The files a configMap or secret volume holds (pure): key → relative path,
 * bytes and mode, from `items` (only the listed keys, at their paths) or
 * every key, as the volume plugins' MakePayload do. Errors carry the
 * plugins' messages, which users see in FailedMount events.
 */
import type { ConfigMap, KeyToPath, Secret } from '../../control-plane/api/types.ts';
import { configMapEntries, configMapValue, secretEntries, secretValue } from './pod-objects.ts';

/** One file of a volume: relative path → content and mode. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

/** Octal 0644, Kubernetes' default file mode of projected volumes. */
export const DEFAULT_MODE = 0o644;

/** Files of a configMap volume; `cm` undefined means the object is missing (allowed only when optional). */
export function configMapPayload(
  items: readonly KeyToPath[] | undefined,
  cm: ConfigMap | undefined,
  defaultMode = DEFAULT_MODE,
  optional = false,
): Payload {
  if (!cm) return new Map();
  return makePayload(
    items,
    configMapEntries(cm),
    (k) => configMapValue(cm, k),
    defaultMode,
    optional,
    (key) => `configmap references non-existent config key: ${key}`,
  );
}

/** Files of a secret volume; `secret` undefined means the object is missing (allowed only when optional). */
export function secretPayload(
  items: readonly KeyToPath[] | undefined,
  secret: Secret | undefined,
  defaultMode = DEFAULT_MODE,
  optional = false,
): Payload {
  if (!secret) return new Map();
  return makePayload(
    items,
    secretEntries(secret),
    (k) => secretValue(secret, k),
    defaultMode,
    optional,
    (key) => `references non-existent secret key: ${key}`,
  );
}

function makePayload(
  items: readonly KeyToPath[] | undefined,
  all: [string, Buffer][],
  value: (key: string) => Buffer | undefined,
  defaultMode: number,
  optional: boolean,
  missing: (key: string) => string,
): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [key, data] of all) payload.set(checkedPath(key), { data, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const data = value(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(missing(item.key));
    }
    payload.set(checkedPath(item.path), { data, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/**
 * `path` if it is a safe relative path inside a volume (no absolute path,
 * no ".." element, not starting with "..", which the writer reserves).
 */
export function checkedPath(path: string): string {
  const parts = path.split('/');
  if (
    path === '' ||
    path.startsWith('/') ||
    path.startsWith('..') ||
    parts.some((p) => p === '..' || p === '')
  ) {
    throw new Error(`invalid path "${path}": must be relative, without ".." or empty elements`);
  }
  return path;
}
