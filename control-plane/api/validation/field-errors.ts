/**
 * Builders for field causes in Kubernetes' wording (field.Error.ErrorBody
 * in k8s.io/apimachinery/pkg/util/validation/field) and field paths like
 * "spec.containers[0].ports[1].containerPort".
 */
import type { StatusCause } from '../errors.ts';

/** A field path below `base`: child(base, 'spec') → "base.spec" (or "spec" at the root). */
export function child(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`;
}

/** The path of a list element: index('spec.containers', 0) → "spec.containers[0]". */
export function index(base: string, i: number): string {
  return `${base}[${i}]`;
}

/** The path of a map entry: key('metadata.labels', 'app') → "metadata.labels[app]". */
export function key(base: string, k: string): string {
  return `${base}[${k}]`;
}

/** A value as Kubernetes prints it in a cause: strings quoted, numbers and booleans bare. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function withDetail(head: string, detail: string): string {
  return detail === '' ? head : `${head}: ${detail}`;
}

/** FieldValueRequired: "Required value[: detail]". */
export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

/** FieldValueInvalid: 'Invalid value: "x": detail'. */
export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
    field,
  };
}

/** FieldValueNotSupported: 'Unsupported value: "x": supported values: "a", "b"'. */
export function notSupported(
  field: string,
  value: unknown,
  supported: readonly string[],
): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    reason: 'FieldValueNotSupported',
    message: withDetail(
      `Unsupported value: ${formatValue(value)}`,
      list ? `supported values: ${list}` : '',
    ),
    field,
  };
}

/** FieldValueDuplicate: 'Duplicate value: "x"'. */
export function duplicate(field: string, value: unknown): StatusCause {
  return {
    reason: 'FieldValueDuplicate',
    message: `Duplicate value: ${formatValue(value)}`,
    field,
  };
}

/** FieldValueTooLong: "Too long: may not be more than N bytes". */
export function tooLong(field: string, max: number): StatusCause {
  return {
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`,
    field,
  };
}

/** FieldValueTooMany: "Too many: N: must have at most M items". */
export function tooMany(field: string, actual: number, max: number): StatusCause {
  return {
    reason: 'FieldValueTooMany',
    message: `Too many: ${actual}: must have at most ${max} items`,
    field,
  };
}

/** FieldValueForbidden: "Forbidden: detail". */
export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

/** FieldValueTypeInvalid: 'Invalid value: "x": detail' (a JSON type mismatch). */
export function typeInvalid(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueTypeInvalid',
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
    field,
  };
}

/** Kubernetes' immutable-field message. */
export const IMMUTABLE = 'field is immutable';
