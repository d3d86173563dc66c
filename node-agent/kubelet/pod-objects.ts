/**
 * The API objects a pod's containers draw on (ConfigMaps and Secrets of the
 * pod's namespace), behind a lookup the caller fills from its informer
 * cache, and the node facts env and status need.
 */
import type { ConfigMap, Secret } from '../../control-plane/api/types.ts';

/** ConfigMaps and Secrets of the pod's namespace; undefined = not found. */
export interface PodObjects {
  configMap(name: string): ConfigMap | undefined;
  secret(name: string): Secret | undefined;
}

/** A PodObjects over plain lists (tests, and callers holding a snapshot). */
export function podObjects(configMaps: ConfigMap[] = [], secrets: Secret[] = []): PodObjects {
  const cms = new Map(configMaps.map((c) => [c.metadata.name ?? '', c]));
  const ss = new Map(secrets.map((s) => [s.metadata.name ?? '', s]));
  return { configMap: (n) => cms.get(n), secret: (n) => ss.get(n) };
}

/** The bytes of a Secret's key: `data` is base64; `stringData` counts if a server left it. */
export function secretValue(secret: Secret, key: string): Buffer | undefined {
  const b64 = secret.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64');
  const plain = secret.stringData?.[key];
  return plain === undefined ? undefined : Buffer.from(plain, 'utf8');
}

/** Every key of a Secret with its bytes. */
export function secretEntries(secret: Secret): [string, Buffer][] {
  const keys = new Set([
    ...Object.keys(secret.data ?? {}),
    ...Object.keys(secret.stringData ?? {}),
  ]);
  return [...keys].sort().map((k) => [k, secretValue(secret, k) ?? Buffer.alloc(0)]);
}

/** The bytes of a ConfigMap's key, from `data` (text) or `binaryData` (base64). */
export function configMapValue(cm: ConfigMap, key: string): Buffer | undefined {
  const text = cm.data?.[key];
  if (text !== undefined) return Buffer.from(text, 'utf8');
  const b64 = cm.binaryData?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
}

/** Every key of a ConfigMap with its bytes. */
export function configMapEntries(cm: ConfigMap): [string, Buffer][] {
  const keys = new Set([...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})]);
  return [...keys].sort().map((k) => [k, configMapValue(cm, k) ?? Buffer.alloc(0)]);
}
