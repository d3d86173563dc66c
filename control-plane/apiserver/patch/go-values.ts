/**
 * How Go sees decoded JSON, for the strategic merge port: the dynamic type of
 * a value (maps, slices, int64 for integral numbers as Kubernetes decodes
 * them, float64, string, bool, nil), `==` on interface values, and `%v`
 * formatting for error messages.
 */

/** A decoded JSON object. */
export type JsonMap = Record<string, unknown>;

/** The reflect.Kind-like name of a value's dynamic type. */
export type GoKind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

/** The dynamic kind of a decoded JSON value. */
export function goKind(v: unknown): GoKind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'object':
      return 'map';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      // Kubernetes decodes patches and objects keeping integers as int64
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return 'nil';
  }
}

/** True for a decoded JSON object. */
export function isMap(v: unknown): v is JsonMap {
  return goKind(v) === 'map';
}

/** The Go type name as fmt prints reflect.TypeOf(v). */
export function goType(v: unknown): string {
  const k = goKind(v);
  if (k === 'map') return 'map[string]interface {}';
  if (k === 'slice') return '[]interface {}';
  if (k === 'nil') return '%!s(<nil>)';
  return k;
}

/** Go's `==` on two interface values holding decoded JSON (maps compare by identity). */
export function goEqual(a: unknown, b: unknown): boolean {
  if (goKind(a) !== goKind(b)) return false;
  return a === b || (a == null && b == null);
}

/** fmt's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`. */
export function goFormatValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormatValue).join(' ')}]`;
  if (typeof v === 'object') {
    const m = v as JsonMap;
    const keys = Object.keys(m).sort();
    return `map[${keys.map((k) => `${k}:${goFormatValue(m[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** A deep copy of decoded JSON (the merge mutates what it is given, as the Go code does). */
export function cloneJson<T>(v: T): T {
  return structuredClone(v);
}

/**
 * Sets `obj[key]` as an own data property. Plain assignment would run the
 * `__proto__` setter for that key and swap the object's prototype; a
 * decoded JSON object may legitimately hold such a key.
 */
export function setField(obj: JsonMap, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/** `obj[key]` when `obj` has it as an own property (never an inherited one such as `__proto__`). */
export function getField(obj: JsonMap, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
