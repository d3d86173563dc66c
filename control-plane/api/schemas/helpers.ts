/**
 * Small builders for the Kubernetes schemas. Every schema is a plain
 * JSON-Schema object (TypeBox), nested inline; a named sub-schema carries
 * `$id` = its Kubernetes OpenAPI name so the OpenAPI generator can lift it
 * into `components.schemas`, and merge lists carry the same
 * `x-kubernetes-*` extensions as the official Kubernetes OpenAPI.
 */
import Type from 'typebox';
import type { TArray, TObject, TProperties, TSchema, TUnsafe } from 'typebox';

/** Prefix of core/v1 schema names. */
export const CORE = 'io.k8s.api.core.v1.';
/** Prefix of meta/v1 schema names. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** A named object schema: `$id` is the Kubernetes OpenAPI name. */
export function named<P extends TProperties>(
  id: string,
  description: string,
  props: P,
): TObject<P> {
  return Type.Object(props, { $id: id, description });
}

/** An optional string field. */
export const str = (description?: string) =>
  Type.Optional(Type.String(description === undefined ? {} : { description }));
const described = (description?: string) => (description === undefined ? {} : { description });
/** An optional 32-bit integer field. */
export const int32 = (description?: string) =>
  Type.Optional(Type.Integer({ format: 'int32', ...described(description) }));
/** An optional 64-bit integer field. */
export const int64 = (description?: string) =>
  Type.Optional(Type.Integer({ format: 'int64', ...described(description) }));
/** An optional boolean field. */
export const bool = (description?: string) => Type.Optional(Type.Boolean(described(description)));
/** An optional map of string to string (labels, annotations, nodeSelector, data). */
export const strMap = (description?: string) =>
  Type.Optional(
    Type.Unsafe<Record<string, string>>({
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
      ...described(description),
    }),
  );

/** RFC 3339 timestamp, as metav1.Time. */
export const Time = Type.Unsafe<string>({
  $id: `${META}Time`,
  description:
    'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.',
  type: 'string',
  format: 'date-time',
});
/** RFC 3339 timestamp with microseconds, as metav1.MicroTime. */
export const MicroTime = Type.Unsafe<string>({
  $id: `${META}MicroTime`,
  description: 'MicroTime is version of Time with microsecond level precision.',
  type: 'string',
  format: 'date-time',
});
/** An optional timestamp field. */
export const time = () => Type.Optional(Time);

/** intstr.IntOrString: an integer or a string (ports, percentages). */
export const IntOrString = Type.Unsafe<number | string>({
  $id: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  description: 'IntOrString is a type that can hold an int32 or a string.',
  format: 'int-or-string',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
});

/** resource.Quantity: "100m", "1Gi", 2 — checked against the quantity grammar in validation. */
export const Quantity = Type.Unsafe<string | number>({
  $id: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  description: 'Quantity is a fixed-point representation of a number, e.g. "100m", "1Gi", "2".',
  oneOf: [{ type: 'string' }, { type: 'number' }],
});
/** An optional map of resource name to quantity (requests, limits, capacity). */
export const quantityMap = () =>
  Type.Optional(
    Type.Unsafe<Record<string, string | number>>({
      type: 'object',
      additionalProperties: Quantity,
    }),
  );

/** base64 bytes ("format: byte"), as in Secret.data. */
export const byteMap = () =>
  Type.Optional(
    Type.Unsafe<Record<string, string>>({
      type: 'object',
      additionalProperties: { type: 'string', format: 'byte' },
    }),
  );

/** A free-form object whose inside is not checked (loosely typed sources, raw extensions). */
export function freeForm(description: string): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

/** A list that strategic merge patch merges by `key` (`patchMergeKey`/`patchStrategy=merge`). */
export function mergeList<T extends TSchema>(
  item: T,
  key: string,
  opts: { mapKeys?: string[]; strategy?: string; description?: string } = {},
): TArray<T> {
  return Type.Array(item, {
    ...described(opts.description),
    'x-kubernetes-patch-merge-key': key,
    'x-kubernetes-patch-strategy': opts.strategy ?? 'merge',
    ...(opts.mapKeys
      ? { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': opts.mapKeys }
      : {}),
  });
}

/** A list of scalars that strategic merge patch merges as a set (finalizers, podCIDRs). */
export function setList<T extends TSchema>(item: T): TArray<T> {
  return Type.Array(item, {
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-list-type': 'set',
  });
}

/** A list replaced whole by patches (`x-kubernetes-list-type: atomic`). */
export function atomicList<T extends TSchema>(item: T, description?: string): TArray<T> {
  return Type.Array(item, { ...described(description), 'x-kubernetes-list-type': 'atomic' });
}
