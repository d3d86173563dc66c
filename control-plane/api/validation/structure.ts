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
  out.value = walkerFor(schema)(value, path, ROOT, '', out);
  return out;
}

// Schemas are compiled once into walker functions (kept per schema object),
// so a request pays no schema interpretation. A walker gets its value's
// place as the parent's path plus one step, and joins the two only when it
// has something to report or children to pass it to: leaves, most of any
// object, build no path string at all.
const ROOT = 0;
const FIELD = 1;
const INDEX = 2;
const KEY = 3;
type Step = typeof ROOT | typeof FIELD | typeof INDEX | typeof KEY;
type Walker = (
  v: unknown,
  base: string,
  step: Step,
  seg: string | number,
  out: StructureResult,
) => unknown;

function pathOf(base: string, step: Step, seg: string | number): string {
  if (step === FIELD) return child(base, seg as string);
  if (step === INDEX) return index(base, seg as number);
  if (step === KEY) return key(base, seg as string);
  return base;
}

const compiled = new WeakMap<JsonSchema, Walker>();

function walkerFor(s: JsonSchema): Walker {
  let w = compiled.get(s);
  if (!w) {
    w = compile(s);
    compiled.set(s, w);
  }
  return w;
}

// Untyped (Table cells, RawExtension): anything goes.
const ANY: Walker = (v) => v;

// Leaves that pass unchanged when they have the right JSON type: the object, map and array
// walkers check these inline instead of calling their walker (which would return the value
// and report nothing). A value that fails goes to the walker, which reports it.
const NOT_LEAF = 0;
const STRING_LEAF = 1;
const BOOLEAN_LEAF = 2;
const NUMBER_LEAF = 3;
const INT32_LEAF = 4;
const INTEGER_LEAF = 5;
type Leaf = 0 | 1 | 2 | 3 | 4 | 5;

/** Which inline check `s` allows (the same schemas and rules as `compile`). */
function leafOf(s: JsonSchema | undefined): Leaf {
  if (!s || s.$id === QUANTITY_ID || s.oneOf || s.anyOf) return NOT_LEAF;
  switch (s.type) {
    case 'string':
      return s.format === 'date-time' || s.format === 'byte' ? NOT_LEAF : STRING_LEAF;
    case 'boolean':
      return BOOLEAN_LEAF;
    case 'number':
      return NUMBER_LEAF;
    case 'integer':
      return s.format === 'int32' ? INT32_LEAF : INTEGER_LEAF;
    default:
      return NOT_LEAF;
  }
}

function passes(leaf: Leaf, v: unknown): boolean {
  switch (leaf) {
    case STRING_LEAF:
      return typeof v === 'string';
    case BOOLEAN_LEAF:
      return typeof v === 'boolean';
    case NUMBER_LEAF:
      return typeof v === 'number';
    case INT32_LEAF:
      return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
    case INTEGER_LEAF:
      return typeof v === 'number' && Number.isInteger(v);
    default:
      return false;
  }
}

function compile(s: JsonSchema): Walker {
  if (s.$id === QUANTITY_ID) return walkQuantity;
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) {
    return (v, b, st, sg, out) => walkAlternatives(s, alternatives, v, pathOf(b, st, sg), out);
  }
  switch (s.type) {
    case 'object':
      return compileObject(s);
    case 'array':
      return compileArray(s.items);
    case 'string':
      return compileString(s.format);
    case 'integer': {
      const int32 = s.format === 'int32';
      return (v, b, st, sg, out) => {
        if (typeof v !== 'number' || !Number.isInteger(v))
          return mismatch(out, pathOf(b, st, sg), v, 'integer');
        if (int32 && (v < INT32_MIN || v > INT32_MAX)) {
          out.typeErrors.push(
            typeInvalid(pathOf(b, st, sg), v, 'must fit in a 32-bit signed integer'),
          );
        }
        return v;
      };
    }
    case 'number':
      return (v, b, st, sg, out) =>
        typeof v === 'number' ? v : mismatch(out, pathOf(b, st, sg), v, 'number');
    case 'boolean':
      return (v, b, st, sg, out) =>
        typeof v === 'boolean' ? v : mismatch(out, pathOf(b, st, sg), v, 'boolean');
    default:
      return ANY;
  }
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

function compileArray(items: JsonSchema | undefined): Walker {
  let item: Walker | undefined; // resolved on first use: schemas may nest themselves
  const leaf = leafOf(items);
  return (v, b, st, sg, out) => {
    const path = pathOf(b, st, sg);
    if (!Array.isArray(v)) return mismatch(out, path, v, 'array');
    const w = (item ??= items ? walkerFor(items) : ANY);
    if (leaf !== NOT_LEAF)
      return v.map((x, i) => (passes(leaf, x) ? x : w(x, path, INDEX, i, out)));
    return v.map((x, i) => w(x, path, INDEX, i, out));
  };
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

function walkQuantity(
  v: unknown,
  b: string,
  st: Step,
  sg: string | number,
  out: StructureResult,
): unknown {
  if (typeof v !== 'string' && typeof v !== 'number')
    return mismatch(out, pathOf(b, st, sg), v, 'string or number');
  if (!isQuantity(v)) out.typeErrors.push(typeInvalid(pathOf(b, st, sg), v, QUANTITY_ERR));
  return v;
}

function compileString(format: string | undefined): Walker {
  return (v, b, st, sg, out) => {
    if (typeof v !== 'string') return mismatch(out, pathOf(b, st, sg), v, 'string');
    if (format === 'date-time' && !RFC3339.test(v)) {
      out.typeErrors.push(
        typeInvalid(
          pathOf(b, st, sg),
          v,
          'must be an RFC 3339 timestamp such as "2006-01-02T15:04:05Z"',
        ),
      );
    } else if (format === 'byte') {
      const at = base64ErrorAt(v);
      if (at >= 0) {
        out.typeErrors.push(
          typeInvalid(pathOf(b, st, sg), '<bytes>', `illegal base64 data at input byte ${at}`),
        );
      }
    }
    return v;
  };
}

/** -1 for valid standard base64 (padding required, CR/LF ignored as Go does), else the bad byte offset. */
export function base64ErrorAt(s: string): number {
  const clean = s.replace(/[\r\n]/g, '');
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) return -1;
  const bad = clean.search(/[^A-Za-z0-9+/]/);
  return bad >= 0 ? bad : clean.length - (clean.length % 4);
}

function compileObject(s: JsonSchema): Walker {
  const preserve = Boolean(s['x-kubernetes-preserve-unknown-fields']);
  if (preserve && !s.properties) {
    return (v, b, st, sg, out) => (isObject(v) ? v : mismatch(out, pathOf(b, st, sg), v, 'object'));
  }
  // Own properties only: a field called "constructor" is unknown, not Object's.
  const known = new Map<string, { schema: JsonSchema; leaf: Leaf; walker?: Walker }>(
    Object.entries(s.properties ?? {}).map(([k, schema]) => [k, { schema, leaf: leafOf(schema) }]),
  );
  const valuesSchema =
    typeof s.additionalProperties === 'object'
      ? s.additionalProperties
      : s.patternProperties
        ? Object.values(s.patternProperties)[0]
        : undefined;
  let values: Walker | undefined;
  const valuesLeaf = leafOf(valuesSchema);
  const keepExtra = preserve || s.additionalProperties === true;
  const required = s.required ?? [];
  return (v, b, st, sg, out) => {
    const path = pathOf(b, st, sg);
    if (!isObject(v)) return mismatch(out, path, v, 'object');
    const result: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const fieldValue = v[k];
      if (fieldValue === null) continue; // null = unset
      const f = known.get(k);
      if (f) {
        if (passes(f.leaf, fieldValue)) {
          result[k] = fieldValue;
          continue;
        }
        const w = (f.walker ??= walkerFor(f.schema))(fieldValue, path, FIELD, k, out);
        if (w !== undefined) result[k] = w;
      } else if (valuesSchema) {
        if (passes(valuesLeaf, fieldValue)) {
          result[k] = fieldValue;
          continue;
        }
        const w = (values ??= walkerFor(valuesSchema))(fieldValue, path, KEY, k, out);
        if (w !== undefined) result[k] = w;
      } else if (keepExtra) {
        result[k] = fieldValue;
      } else {
        out.unknownFields.push(child(path, k));
      }
    }
    for (const name of required) if (v[name] == null) out.missing.push(child(path, name));
    return result;
  };
}
