/**
 * Reading JSON answers in tests without `any`: `at(body, 'items[0].metadata.name')`.
 */

/** The value at a dotted path with [i] indexes, or undefined when any step is missing. */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The array at `path` (assertion failure when it is not an array). */
export function arr(value: unknown, path: string): unknown[] {
  const v = at(value, path);
  if (!Array.isArray(v)) throw new Error(`expected an array at ${path}, got ${JSON.stringify(v)}`);
  return v;
}

/** metadata.name of each item of a list answer. */
export function names(list: unknown): string[] {
  return arr(list, 'items').map((i) => String(at(i, 'metadata.name')));
}

/** A JSON object (assertion failure otherwise), for building a PUT from a GET. */
export function obj(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return structuredClone(value as Record<string, unknown>);
}
