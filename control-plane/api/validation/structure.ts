/**
 * The structural pass of validation: walks a JSON value along a schema,
 * reports JSON type mismatches (what Go's decoder rejects with 400) and
 * unknown fields (what strict field validation rejects), and returns a
 * copy without the unknown fields. `null` means "unset", as when
 * Kubernetes decodes into Go structs, so null fields are dropped.
 */
import type { StatusCause } from '../errors.ts';
import { child, index, key, typeInvalid } from './field-errors.ts';
import { QUANTITY_ERR, isQuantity } from './quantity.ts';

/** The subset of JSON Schema the skiff schemas use. */
export interface JsonSchema {
  $id?: string;
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/**
 * What the walk found: type mismatches, the paths of the fields it dropped
 * as unknown, and the paths of required fields that are absent.
 */
export interface StructureResult {
  value: unknown;
  typeErrors: StatusCause[];
  unknownFields: string[];
  missing: string[];
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
// Quantities are checked by their grammar, as resource.Quantity's JSON decoder does.
const QUANTITY_ID = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
// RFC 3339 as Go's time.RFC3339 parses it (fraction optional, Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Walks `value` along `schema` from the field path `path` ("" = the root). */
export function checkStructure(schema: JsonSchema, value: unknown, path = ''): StructureResult {
  const out: StructureResult = { value: undefined, typeErrors: [], unknownFields: [], missing: [] };
  out.value = walk(schema, value, path, out);
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mismatch(out: StructureResult, path: string, v: unknown, expected: string): undefined {
  out.typeErrors.push(typeInvalid(path, jsonType(v), `expected ${expected}, got ${jsonType(v)}`));
  return undefined;
}

function walk(s: JsonSchema, v: unknown, path: string, out: StructureResult): unknown {
  if (s.$id === QUANTITY_ID) return walkQuantity(v, path, out);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return walkAlternatives(s, alternatives, v, path, out);
  switch (s.type) {
    case 'object':
      return walkObject(s, v, path, out);
    case 'array':
      if (!Array.isArray(v)) return mismatch(out, path, v, 'array');
      return v.map((item, i) => walk(s.items ?? {}, item, index(path, i), out));
    case 'string':
      return walkString(s, v, path, out);
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return mismatch(out, path, v, 'integer');
      if (s.format === 'int32' && (v < INT32_MIN || v > INT32_MAX)) {
        out.typeErrors.push(typeInvalid(path, v, 'must fit in a 32-bit signed integer'));
      }
      return v;
    case 'number':
      return typeof v === 'number' ? v : mismatch(out, path, v, 'number');
    case 'boolean':
      return typeof v === 'boolean' ? v : mismatch(out, path, v, 'boolean');
    default:
      return v; // untyped (Table cells, RawExtension): anything goes
  }
}

function walkAlternatives(
  s: JsonSchema,
  alternatives: JsonSchema[],
  v: unknown,
  path: string,
  out: StructureResult,
): unknown {
  for (const alt of alternatives) {
    const trial = checkStructure(alt, v, path);
    if (trial.typeErrors.length === 0) {
      out.unknownFields.push(...trial.unknownFields);
      out.missing.push(...trial.missing);
      return trial.value;
    }
  }
  const names = alternatives.map((a) => a.type ?? 'any').join(' or ');
  if (s.format === 'int-or-string' && typeof v === 'number') {
    out.typeErrors.push(typeInvalid(path, v, 'must be an integer or a string'));
    return undefined;
  }
  return mismatch(out, path, v, names);
}

function walkQuantity(v: unknown, path: string, out: StructureResult): unknown {
  if (typeof v !== 'string' && typeof v !== 'number')
    return mismatch(out, path, v, 'string or number');
  if (!isQuantity(v)) out.typeErrors.push(typeInvalid(path, v, QUANTITY_ERR));
  return v;
}

function walkString(s: JsonSchema, v: unknown, path: string, out: StructureResult): unknown {
  if (typeof v !== 'string') return mismatch(out, path, v, 'string');
  if (s.format === 'date-time' && !RFC3339.test(v)) {
    out.typeErrors.push(
      typeInvalid(path, v, 'must be an RFC 3339 timestamp such as "2006-01-02T15:04:05Z"'),
    );
  } else if (s.format === 'byte') {
    const at = base64ErrorAt(v);
    if (at >= 0)
      out.typeErrors.push(typeInvalid(path, '<bytes>', `illegal base64 data at input byte ${at}`));
  }
  return v;
}

/** -1 for valid standard base64 (padding required, CR/LF ignored as Go does), else the bad byte offset. */
export function base64ErrorAt(s: string): number {
  const clean = s.replace(/[\r\n]/g, '');
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) return -1;
  const bad = clean.search(/[^A-Za-z0-9+/]/);
  return bad >= 0 ? bad : clean.length - (clean.length % 4);
}

function walkObject(s: JsonSchema, v: unknown, path: string, out: StructureResult): unknown {
  if (!isObject(v)) return mismatch(out, path, v, 'object');
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) return v;
  const result: Record<string, unknown> = {};
  const values =
    typeof s.additionalProperties === 'object'
      ? s.additionalProperties
      : s.patternProperties
        ? Object.values(s.patternProperties)[0]
        : undefined;
  for (const [k, fieldValue] of Object.entries(v)) {
    if (fieldValue === null) continue; // null = unset
    const known = s.properties?.[k];
    if (known) {
      const w = walk(known, fieldValue, child(path, k), out);
      if (w !== undefined) result[k] = w;
    } else if (values) {
      const w = walk(values, fieldValue, key(path, k), out);
      if (w !== undefined) result[k] = w;
    } else if (s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true) {
      result[k] = fieldValue;
    } else {
      out.unknownFields.push(child(path, k));
    }
  }
  for (const name of s.required ?? []) if (v[name] == null) out.missing.push(child(path, name));
  return result;
}
