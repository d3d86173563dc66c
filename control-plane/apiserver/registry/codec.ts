/**
 * Objects in the store: JSON text without metadata.resourceVersion (the
 * revision is the resourceVersion, set when reading, as the Kubernetes etcd3
 * storage does) and without managedFields (skiff does not track them).
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { KeyValue } from '../../store/store.ts';
import { MAX_VALUE_BYTES } from '../../store/validate.ts';

/** The object stored at `kv`, with resourceVersion = its modRevision. */
export function decodeKv(kv: KeyValue): KubeObject {
  return decodeValue(kv.key, kv.value, kv.modRevision);
}

/** Parses a stored value and stamps `revision` as its resourceVersion. */
export function decodeValue(key: string, value: string, revision: number): KubeObject {
  let obj: unknown;
  try {
    obj = JSON.parse(value);
  } catch (err) {
    throw ApiError.internal(
      `the stored object at ${key} is not valid JSON; the store may be damaged`,
      err,
    );
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw ApiError.internal(
      `the stored value at ${key} is not an object; the store may be damaged`,
    );
  }
  const o = obj as KubeObject;
  o.metadata = { ...(o.metadata ?? {}), resourceVersion: String(revision) };
  return o;
}

/**
 * The stored form of `obj`: no resourceVersion, no managedFields, and
 * apiVersion, kind and metadata first, so `jsonWithRevision` can stamp the
 * resourceVersion into the text without parsing it.
 */
export function encodeObject(obj: KubeObject): string {
  const {
    resourceVersion: _rv,
    managedFields: _mf,
    ...meta
  } = obj.metadata as Record<string, unknown>;
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

// The head encodeObject writes: {"apiVersion":"…","kind":"…","metadata":{
const STORED_HEAD = /^\{"apiVersion":"(?:[^"\\]|\\.)*","kind":"(?:[^"\\]|\\.)*","metadata":\{/;

/**
 * The JSON of a stored value with its resourceVersion set to `revision`,
 * without parsing the value when it has the stored head (lists and watches
 * send thousands of objects; parse + stringify would dominate their cost).
 */
export function jsonWithRevision(key: string, value: string, revision: number): string {
  const m = STORED_HEAD.exec(value);
  if (!m) return JSON.stringify(decodeValue(key, value, revision));
  const at = m[0].length;
  const rv = `"resourceVersion":"${revision}"`;
  return value.slice(0, at) + rv + (value[at] === '}' ? '' : ',') + value.slice(at);
}

/**
 * The stored form, or 413 when it is over the store's value limit (etcd's
 * 1.5 MiB request limit) instead of a store error.
 */
export function encodeForStore(obj: KubeObject): string {
  const value = encodeObject(obj);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most values need no count at all.
  if (value.length * 3 <= MAX_VALUE_BYTES) return value;
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_VALUE_BYTES) {
    throw new ApiError(
      'RequestEntityTooLarge',
      `the object is too large to store: ${bytes} bytes, over the limit of ${MAX_VALUE_BYTES} bytes`,
    );
  }
  return value;
}

/** True when `a` and `b` store the same (resourceVersion and managedFields ignored). */
export function sameStoredObject(a: KubeObject, b: KubeObject): boolean {
  return isDeepStrictEqual(JSON.parse(encodeObject(a)), JSON.parse(encodeObject(b)));
}

/** A deep copy through JSON (objects here are plain JSON values). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** `obj` with its resourceVersion set to `revision`. */
export function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}
