/**
 * Strategic merge patch (application/strategic-merge-patch+json), the
 * server half of k8s.io/apimachinery/pkg/util/strategicpatch
 * (StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls),
 * driven by a JSON schema instead of Go struct tags:
 * - maps merge recursively and `null` deletes a key;
 * - lists with `x-kubernetes-patch-strategy: merge` merge by
 *   `x-kubernetes-patch-merge-key` (or as a set of scalars), other lists
 *   are replaced;
 * - directives: `$patch: replace|delete` on maps and list items,
 *   `$retainKeys`, `$deleteFromPrimitiveList/<list>`, `$setElementOrder/<list>`.
 */
import { ApiError } from '../../api/errors.ts';
import { MERGEPATCH, badArgType, badPatchType, strategicError } from './errors.ts';
import { cloneJson, goKind, isMap, setField, type JsonMap } from './go-values.ts';
import { lookupField, lookupList, type Schema } from './patch-meta.ts';
import { mergeSliceHandler, sliceElementType } from './strategic-lists.ts';
import { normalizeElementOrder, partitionByPresence, validateSetOrder } from './strategic-order.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PREFIX = '$deleteFromPrimitiveList';
const ORDER_PREFIX = '$setElementOrder';

const hooks = { mergeItem: mergeMap, clean: takeFromPatch };

/**
 * Applies a strategic merge patch to `original` and returns the result; the
 * arguments are not modified. `schema` is the kind's JSON schema (its
 * `properties`, `items`, `additionalProperties` and `x-kubernetes-patch-*`
 * extensions give the merge rules). Throws ApiError as the Kubernetes API
 * server answers: 400 for a patch that is not a JSON object or a malformed
 * directive, 422 for lists of lists and the other merge failures.
 */
export function strategicMerge(original: unknown, patch: unknown, schema: Schema): JsonMap {
  if (patch === null || patch === undefined) return cloneJson(isMap(original) ? original : {});
  if (!isMap(patch)) {
    throw ApiError.badRequest(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const base = isMap(original) ? cloneJson(original) : {};
  return mergeMap(base, cloneJson(patch), schema);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** mergeMap: merges `patch` into `original` (both are modified) and returns the result. */
function mergeMap(original: JsonMap, patch: JsonMap, schema: Schema): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE)) return mapDirective(patch[DIRECTIVE], patch);
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    const isDeleteList = patchKey.startsWith(DELETE_PREFIX);
    const k = isDeleteList ? extractKey(patchKey, DELETE_PREFIX) : patchKey;

    if (patchV === null) {
      delete original[k];
      continue;
    }
    if (!Object.hasOwn(original, k) || goKind(original[k]) !== goKind(patchV)) {
      if (!isDeleteList) setTaken(original, k, patchV);
      continue;
    }
    const kind = goKind(patchV);
    if (kind === 'map') {
      const { schema: sub, meta } = lookupField(schema, k);
      const merged =
        meta.strategy === 'replace'
          ? patchV
          : mergeMap(original[k] as JsonMap, patchV as JsonMap, sub);
      setField(original, k, merged);
    } else if (kind === 'slice') {
      const { schema: sub, meta } = lookupList(schema, k);
      const merged = mergeSliceHandler(
        original[k],
        patchV,
        sub,
        meta.strategy,
        meta.mergeKey,
        isDeleteList,
        hooks,
      );
      setField(original, k, merged);
    } else {
      setField(original, k, patchV);
    }
  }
  return original;
}

/** Sets a value taken from the patch (nulls and directives dropped), or removes the key. */
function setTaken(target: JsonMap, k: string, v: unknown): void {
  const [value, keep] = removeDirectives(discardNulls(v));
  if (keep) setField(target, k, value);
  else delete target[k];
}

function takeFromPatch(v: unknown): unknown {
  return removeDirectives(discardNulls(v))[0];
}

/** handleDirectiveInMergeMap: `$patch: replace` keeps the patch, `delete` empties the map. */
function mapDirective(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === 'replace') {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

/** applyRetainKeysDirective: drops the original's keys that `$retainKeys` does not list. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw strategicError(MERGEPATCH.badPatchFormatForRetainKeys);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
    if (!keep.includes(k)) throw strategicError(MERGEPATCH.badPatchFormatForRetainKeys);
  }
  for (const k of Object.keys(original)) {
    if (!keep.includes(k)) delete original[k];
  }
}

/**
 * mergePatchIntoOriginal: merges each list that has a `$setElementOrder/<list>`
 * directive and orders it by that list (then patch order, then live order).
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: Schema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw badArgType('[]interface {}', setOrder);
    const listKey = extractKey(key, ORDER_PREFIX);
    const foundOriginal = Object.hasOwn(original, listKey);
    const foundPatch = Object.hasOwn(patch, listKey);
    const originalList = foundOriginal ? asList(original[listKey]) : [];
    const patchList = foundPatch ? asList(patch[listKey]) : [];
    const { schema: sub, meta } = lookupList(schema, listKey);
    validateSetOrder(patchList, setOrder, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
    else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(
        originalList,
        patchList,
        sub,
        meta.strategy,
        meta.mergeKey,
        false,
        hooks,
      );
    } else continue;

    const [present, serverOnly] = partitionByPresence(merged, setOrder, meta.mergeKey);
    const kind = sliceElementType(originalList, patchList);
    // originalList is read after the merge edited it in place, as in the Go code
    setField(
      original,
      listKey,
      normalizeElementOrder(present, serverOnly, setOrder, originalList, meta.mergeKey, kind),
    );
    delete patch[listKey];
  }
}

function asList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw badArgType('[]interface {}', v);
  return v;
}

/** extractKey: "$setElementOrder/containers" → "containers". */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    throw strategicError(
      prefix === DELETE_PREFIX
        ? MERGEPATCH.badPatchFormatForPrimitiveList
        : MERGEPATCH.badPatchFormatForSetElementOrderList,
    );
  }
  return s.slice(slash + 1);
}

/**
 * removeDirectives: a map holding `$patch` is dropped (keep = false), and so
 * are the parallel-list directive keys Go would leave behind as unknown
 * fields in content the patch adds whole.
 */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      const [value, keep] = removeDirectives(item);
      if (keep) out.push(value);
    }
    return [out, true];
  }
  if (!isMap(v)) return [v, true];
  if (Object.hasOwn(v, DIRECTIVE)) return [null, false];
  for (const k of Object.keys(v)) {
    if (k === RETAIN_KEYS || k.startsWith(ORDER_PREFIX) || k.startsWith(DELETE_PREFIX)) {
      delete v[k];
      continue;
    }
    const [value, keep] = removeDirectives(v[k]);
    if (keep) setField(v, k, value);
    else delete v[k];
  }
  return [v, true];
}

/** discardNullValuesFromPatch: removes null-valued keys at every depth. */
function discardNulls(v: unknown): unknown {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNulls(x);
    }
  }
  return v;
}
