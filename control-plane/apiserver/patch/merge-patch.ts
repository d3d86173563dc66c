/**
 * JSON merge patch (RFC 7386, application/merge-patch+json) with the exact
 * behaviour of evanphx/json-patch's MergePatch, which the Kubernetes API
 * server uses: objects merge recursively, `null` deletes a key, anything else
 * (arrays included) replaces the target value, and nulls inside new content
 * are dropped.
 */
import { ApiError } from '../../api/errors.ts';
import { cloneJson, getField, isMap, setField, type JsonMap } from './go-values.ts';

/**
 * Applies `patch` to `doc` and returns the result (arguments are not
 * modified). A patch that is null or a JSON scalar is answered 400 "Invalid
 * JSON Patch"; an array patch replaces the whole document, which then fails
 * to decode into an object: 422 as Kubernetes answers it.
 */
export function mergePatch(doc: unknown, patch: unknown): JsonMap {
  if (patch === null || patch === undefined) throw ApiError.badRequest('Invalid JSON Patch');
  if (Array.isArray(patch)) {
    throw ApiError.invalid('', '', [
      {
        reason: 'FieldValueInvalid',
        field: 'patch',
        message: `Invalid value: ${JSON.stringify(JSON.stringify(patch))}: json: cannot unmarshal array into Go value of type map[string]interface {}`,
      },
    ]);
  }
  if (!isMap(patch)) throw ApiError.badRequest('Invalid JSON Patch');
  const target = isMap(doc) ? cloneJson(doc) : {};
  mergeDocs(target, cloneJson(patch));
  return target;
}

function mergeDocs(doc: JsonMap, patch: JsonMap): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = getField(doc, k);
    if (cur === undefined || cur === null) {
      setField(doc, k, pruneNulls(v));
    } else if (!isMap(cur)) {
      setField(doc, k, pruneNulls(v));
    } else if (isMap(v)) {
      mergeDocs(cur, v);
    } else {
      // an object replaced by a non-object keeps the patch value as sent
      setField(doc, k, v);
    }
  }
}

/** pruneNulls: drops null-valued keys in objects at every depth; null array items stay. */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) v.forEach(pruneNulls);
  else if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  }
  return v;
}
