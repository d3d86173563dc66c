/**
 * Server-side apply (application/apply-patch+yaml), simplified: the applied
 * configuration is merged into the live object with the structural rules of
 * structured-merge-diff — objects merge field by field (unless
 * `x-kubernetes-map-type: atomic`), lists of `x-kubernetes-list-type: map`
 * (or strategic merge lists) merge by their keys, `set` lists take the union,
 * other lists are atomic and replaced.
 *
 * Not modelled: managedFields ownership, so fields a manager applied before
 * and now omits are kept rather than removed, and there are no conflicts
 * (every apply behaves as --force-conflicts).
 */
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../api/errors.ts';
import { cloneJson, getField, goEqual, isMap, setField, type JsonMap } from './go-values.ts';
import { lookupField, type Schema } from './patch-meta.ts';

/** Merges the applied configuration `patch` (YAML/JSON text or a parsed object) into `live`. */
export function applyConfiguration(live: unknown, patch: unknown, schema: Schema): JsonMap {
  const applied = typeof patch === 'string' ? decodeYaml(patch) : patch;
  if (!isMap(applied)) {
    throw ApiError.badRequest(
      'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal the applied configuration into an object',
    );
  }
  const base = isMap(live) ? cloneJson(live) : {};
  return mergeObject(base, cloneJson(applied), schema);
}

function decodeYaml(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw ApiError.badRequest(
      `error decoding YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function mergeObject(live: JsonMap, applied: JsonMap, schema: Schema): JsonMap {
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) continue; // a null in an applied configuration sets nothing
    const { schema: sub } = lookupField(schema, k);
    setField(live, k, mergeValue(getField(live, k), v, sub));
  }
  return live;
}

function mergeValue(live: unknown, applied: unknown, schema: Schema): unknown {
  if (isMap(applied)) {
    if (!isMap(live) || schema?.['x-kubernetes-map-type'] === 'atomic') return dropNulls(applied);
    return mergeObject(live, applied, schema);
  }
  if (Array.isArray(applied) && Array.isArray(live)) return mergeList(live, applied, schema);
  return dropNulls(applied);
}

function mergeList(live: unknown[], applied: unknown[], schema: Schema): unknown[] {
  const listType = schema?.['x-kubernetes-list-type'];
  const items = schema?.items as Schema;
  if (listType === 'set') {
    const out = [...live];
    for (const v of applied) if (!out.some((x) => goEqual(x, v))) out.push(v);
    return out;
  }
  const keys = listKeys(schema);
  if (keys === undefined) return dropNulls(applied) as unknown[];
  const out = [...live];
  for (const v of applied) {
    if (!isMap(v)) return dropNulls(applied) as unknown[];
    const at = out.findIndex((x) => isMap(x) && keys.every((k) => goEqual(x[k], v[k])));
    if (at >= 0) out[at] = mergeObject(out[at] as JsonMap, v, items);
    else out.push(dropNulls(v));
  }
  return out;
}

/** The keys identifying items of an associative list, or undefined for an atomic list. */
function listKeys(schema: Schema): string[] | undefined {
  if (schema === undefined) return undefined;
  const mapKeys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] === 'map' && Array.isArray(mapKeys))
    return mapKeys as string[];
  const mergeKey = schema['x-kubernetes-patch-merge-key'];
  if (schema['x-kubernetes-list-type'] === undefined && typeof mergeKey === 'string') {
    return [mergeKey];
  }
  return undefined;
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isMap(v)) return v;
  for (const [k, x] of Object.entries(v)) {
    if (x === null) delete v[k];
    else setField(v, k, dropNulls(x));
  }
  return v;
}
