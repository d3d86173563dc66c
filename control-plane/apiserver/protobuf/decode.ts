/**
 * Decoding `application/vnd.kubernetes.protobuf` request bodies into the
 * JSON form of the object. kubectl >= 1.32 posts protobuf from its typed
 * clients (`kubectl create namespace|configmap|secret|deployment|job|
 * service|serviceaccount`, the Eviction of `kubectl drain`), so the server
 * must read it; responses stay JSON, which those clients also accept.
 *
 * The body is the Kubernetes envelope: the magic bytes "k8s\0", then a
 * runtime.Unknown {typeMeta{apiVersion, kind}, raw, contentEncoding,
 * contentType} whose `raw` is the object's message.
 */
import { ApiError } from '../../api/errors.ts';
import { CORE_MESSAGES } from './messages-core.ts';
import { META_MESSAGES } from './messages-meta.ts';
import { POD_MESSAGES } from './messages-pod.ts';
import { WORKLOAD_MESSAGES } from './messages-workloads.ts';
import type { FieldSpec, MessageSpec, Scalar } from './schema.ts';
import { readFields, readPacked, toInt, toText, WireError, type WireField } from './wire.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

const MESSAGES: Record<string, MessageSpec> = {
  ...META_MESSAGES,
  ...CORE_MESSAGES,
  ...POD_MESSAGES,
  ...WORKLOAD_MESSAGES,
};

/** The message of each kind a body may carry, by "apiVersion/kind". */
const KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/Endpoints': 'Endpoints',
  'v1/Pod': 'Pod',
  'v1/Binding': 'Binding',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
  'policy/v1/Eviction': 'Eviction',
  'autoscaling/v1/Scale': 'Scale',
  'v1/DeleteOptions': 'DeleteOptions',
  'meta.k8s.io/v1/DeleteOptions': 'DeleteOptions',
};

/** Decodes a protobuf request body into the object's JSON form (with apiVersion and kind). */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw ApiError.badRequest(
      'the protobuf body does not start with the Kubernetes envelope ("k8s\\0")',
    );
  }
  try {
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array = new Uint8Array();
    for (const f of readFields(body.subarray(MAGIC.length))) {
      if (f.num === 1 && f.wire === 2) {
        const tm = decodeMessage('TypeMeta', f.value, 'typeMeta');
        apiVersion = String(tm.apiVersion ?? '');
        kind = String(tm.kind ?? '');
      } else if (f.num === 2 && f.wire === 2) raw = f.value;
      else if (f.num === 3 && f.wire === 2 && f.value.length > 0) {
        throw unsupported(
          `protobuf bodies with contentEncoding "${toText(f.value)}" are not supported`,
        );
      }
    }
    const message = KINDS[`${apiVersion}/${kind}`];
    if (!message) {
      throw unsupported(
        `protobuf bodies of ${kind || 'unknown kind'} (${apiVersion || 'no apiVersion'}) are not supported`,
      );
    }
    return { apiVersion, kind, ...decodeMessage(message, raw, '') };
  } catch (err) {
    if (err instanceof WireError)
      throw ApiError.badRequest(`malformed protobuf body: ${err.message}`);
    throw err;
  }
}

function decodeMessage(name: string, buf: Uint8Array, path: string): Record<string, unknown> {
  const spec = MESSAGES[name];
  if (!spec)
    throw unsupported(`the protobuf message ${name} (at ${path || 'the top'}) is not supported`);
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    const fs = spec[f.num];
    if (!fs) {
      // A zero value is what Go writes for every unset plain field: nothing lost.
      if (isZero(f)) continue;
      throw unsupported(
        `field ${f.num} of the protobuf message ${name} (at ${path || 'the top'}) is not supported`,
      );
    }
    const at = path ? `${path}.${fs.name}` : fs.name;
    if (fs.kind === 'scalar') readScalar(out, fs, f);
    else if (fs.kind === 'map') readMapEntry(out, fs, f, at);
    else readMessageField(out, fs, f, at);
  }
  return out;
}

function readScalar(
  out: Record<string, unknown>,
  fs: Extract<FieldSpec, { kind: 'scalar' }>,
  f: WireField,
): void {
  if (fs.repeated) {
    const list = (out[fs.name] ??= []) as unknown[];
    if (fs.type === 'int' && f.wire === 2) list.push(...readPacked(f.value).map(toInt));
    else list.push(scalarValue(fs.type, f));
    return;
  }
  const v = scalarValue(fs.type, f);
  if (fs.keep || !(v === '' || v === 0 || v === false)) out[fs.name] = v;
}

function scalarValue(type: Scalar, f: WireField): string | number | boolean {
  switch (type) {
    case 'string':
      return toText(expect(f, 2));
    case 'bytes':
      return Buffer.from(expect(f, 2)).toString('base64');
    case 'int':
      return toInt(expectVarint(f));
    case 'bool':
      return expectVarint(f) !== 0n;
  }
}

function readMessageField(
  out: Record<string, unknown>,
  fs: Extract<FieldSpec, { kind: 'message' }>,
  f: WireField,
  at: string,
): void {
  if (fs.type === 'Skip') return;
  const value = decodeValue(fs.type, expect(f, 2), at);
  if (fs.inline) {
    if (value && typeof value === 'object') Object.assign(out, value);
  } else if (fs.repeated) {
    ((out[fs.name] ??= []) as unknown[]).push(value ?? {});
  } else if (value !== undefined) {
    out[fs.name] = value;
  }
}

function readMapEntry(
  out: Record<string, unknown>,
  fs: Extract<FieldSpec, { kind: 'map' }>,
  f: WireField,
  at: string,
): void {
  let key = '';
  let value: unknown = fs.value === 'string' ? '' : fs.value === 'bytes' ? '' : undefined;
  for (const e of readFields(expect(f, 2))) {
    if (e.num === 1) key = toText(expect(e, 2));
    else if (e.num === 2) {
      if (fs.value === 'string') value = toText(expect(e, 2));
      else if (fs.value === 'bytes') value = Buffer.from(expect(e, 2)).toString('base64');
      else value = decodeValue(fs.value.slice(4), expect(e, 2), `${at}[${key}]`);
    }
  }
  const map = (out[fs.name] ??= {}) as Record<string, unknown>;
  map[key] = value ?? '';
}

/** A message's JSON value; the special messages have their own JSON form. */
function decodeValue(type: string, buf: Uint8Array, at: string): unknown {
  switch (type) {
    case 'Time':
    case 'MicroTime':
      return decodeTime(buf, type === 'MicroTime');
    case 'Quantity': {
      const q = readFields(buf).find((x) => x.num === 1);
      return q ? toText(expect(q, 2)) : '0';
    }
    case 'IntOrString': {
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      for (const x of readFields(buf)) {
        if (x.num === 1) kind = toInt(expectVarint(x));
        else if (x.num === 2) intVal = toInt(expectVarint(x));
        else if (x.num === 3) strVal = toText(expect(x, 2));
      }
      return kind === 1 ? strVal : intVal;
    }
    default:
      return decodeMessage(type, buf, at);
  }
}

/** metav1.Time as RFC 3339 (MicroTime with microseconds); the zero time is dropped, as JSON omits it. */
function decodeTime(buf: Uint8Array, micro: boolean): string | undefined {
  let seconds = 0;
  let nanos = 0;
  for (const x of readFields(buf)) {
    if (x.num === 1) seconds = toInt(expectVarint(x));
    else if (x.num === 2) nanos = toInt(expectVarint(x));
  }
  if (seconds === 0 && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function isZero(f: WireField): boolean {
  if (f.wire === 0) return f.value === 0n;
  if (f.wire === 2) return f.value.length === 0;
  return f.value.every((b) => b === 0);
}

function expect(f: WireField, wire: 2): Uint8Array {
  if (f.wire !== wire)
    throw new WireError(`field ${f.num} has wire type ${f.wire}, expected ${wire}`);
  return f.value;
}

function expectVarint(f: WireField): bigint {
  if (f.wire !== 0)
    throw new WireError(`field ${f.num} has wire type ${f.wire}, expected a varint`);
  return f.value;
}

function unsupported(why: string): ApiError {
  return new ApiError(
    'UnsupportedMediaType',
    `${why}; send the object as application/json instead (kubectl create -f and kubectl apply do)`,
  );
}
