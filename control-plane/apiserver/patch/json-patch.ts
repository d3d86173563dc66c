/**
 * JSON patch (RFC 6902, application/json-patch+json) through fast-json-patch,
 * answered as the Kubernetes API server answers (handlers/patch.go with
 * evanphx/json-patch): a body that is not a list of operation objects is 400,
 * more than 10000 operations 413, and any operation that cannot apply
 * (a failed `test`, a missing path, an unknown op) 422 "the server rejected
 * our request due to an error in our request" with the reason in
 * details.causes.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError } from '../../api/errors.ts';
import { unprocessable } from './errors.ts';
import { cloneJson, isMap, type JsonMap } from './go-values.ts';

/** The most operations one JSON patch may hold (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Applies the operations in order to a copy of `doc` and returns it. */
export function applyJsonPatch(doc: unknown, patch: unknown): JsonMap {
  const ops = decodeOperations(patch);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  let current: unknown = cloneJson(doc);
  ops.forEach((raw, index) => {
    const op = withDefaults(raw);
    if (op.op === 'test') {
      testOperation(current, op);
      return;
    }
    try {
      current = jsonpatch.applyOperation(
        current,
        op as Operation,
        true,
        true,
        true,
        index,
      ).newDocument;
    } catch (err) {
      throw unprocessable(describeFailure(op, err));
    }
  });
  if (!isMap(current)) {
    throw unprocessable('json: cannot unmarshal the patched document: it is not a JSON object');
  }
  return current;
}

interface RawOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
}

function decodeOperations(patch: unknown): RawOperation[] {
  if (!Array.isArray(patch)) {
    throw ApiError.badRequest(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  for (const op of patch) {
    if (!isMap(op)) {
      throw ApiError.badRequest(
        `json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`,
      );
    }
  }
  return patch as RawOperation[];
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** evanphx treats a missing `value` as JSON null. */
function withDefaults(op: RawOperation): RawOperation {
  const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
  return needsValue && op.value === undefined ? { ...op, value: null } : op;
}

/** `test`: the value at `path` must equal `value`; a missing path equals null. */
function testOperation(doc: unknown, op: RawOperation): void {
  const path = typeof op.path === 'string' ? op.path : '';
  let actual: unknown;
  try {
    actual = jsonpatch.getValueByPointer(doc, path);
  } catch {
    actual = undefined;
  }
  const expected = op.value ?? null;
  const equal =
    actual === undefined
      ? expected === null
      : JSON.stringify(sortKeys(actual)) === JSON.stringify(sortKeys(expected));
  if (!equal) throw unprocessable(`testing value ${path} failed: test failed`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

/** The failure worded as evanphx/json-patch words it. */
function describeFailure(op: RawOperation, err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  const kind = typeof op.op === 'string' ? op.op : '';
  const path = typeof op.path === 'string' ? op.path : '';
  const from = typeof op.from === 'string' ? op.from : '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  switch (name) {
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${kind}: unknown object type`;
    case 'OPERATION_PATH_INVALID':
      return `${kind} operation failed to decode path: operation missing path field`;
    case 'OPERATION_FROM_REQUIRED':
      return `${kind} operation failed to decode from: operation missing from field`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `add operation does not apply: doc is missing path: "${path}": missing value`;
    case 'OPERATION_PATH_UNRESOLVABLE':
      return kind === 'remove'
        ? `error in remove for path: '${path}': unable to remove nonexistent key: ${last}: missing value`
        : `${kind} operation does not apply: doc is missing key: ${path}: missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${kind} operation does not apply: doc is missing from path: ${from}: missing value`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `error in ${kind} for path: '${path}': Unable to access invalid index: ${last}: invalid index referenced`;
    default:
      return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  }
}
