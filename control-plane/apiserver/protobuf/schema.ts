/**
 * How protobuf messages of the Kubernetes API map to their JSON form: per
 * message, field number → JSON name and type. Numbers come from the
 * generated.proto files of k8s.io/api and k8s.io/apimachinery.
 *
 * Go's protobuf encoding writes every non-pointer field, even at its zero
 * value, while JSON omits them (omitempty); zero values of plain fields are
 * therefore dropped, and kept only for pointer fields (`keep`), where 0 or
 * false is a real value (replicas: 0, automountServiceAccountToken: false).
 */

export type Scalar = 'string' | 'bytes' | 'int' | 'bool';

/** Messages with a JSON form of their own. */
export type Special = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'Skip';

export type FieldSpec =
  | { kind: 'scalar'; name: string; type: Scalar; repeated?: boolean; keep?: boolean }
  | { kind: 'message'; name: string; type: string; repeated?: boolean; inline?: boolean }
  | { kind: 'map'; name: string; value: Scalar | `msg:${string}` };

export type MessageSpec = Record<number, FieldSpec>;

/** A string; `keep` for *string fields. */
export const str = (name: string, keep = false): FieldSpec => ({
  kind: 'scalar',
  name,
  type: 'string',
  keep,
});
export const strs = (name: string): FieldSpec => ({
  kind: 'scalar',
  name,
  type: 'string',
  repeated: true,
});
/** An int32/int64; `keep` for *int32/*int64 fields. */
export const int = (name: string, keep = false): FieldSpec => ({
  kind: 'scalar',
  name,
  type: 'int',
  keep,
});
export const ints = (name: string): FieldSpec => ({
  kind: 'scalar',
  name,
  type: 'int',
  repeated: true,
});
/** A bool; `keep` for *bool fields. */
export const bool = (name: string, keep = false): FieldSpec => ({
  kind: 'scalar',
  name,
  type: 'bool',
  keep,
});
export const bytes = (name: string): FieldSpec => ({ kind: 'scalar', name, type: 'bytes' });
export const msg = (name: string, type: string): FieldSpec => ({ kind: 'message', name, type });
export const msgs = (name: string, type: string): FieldSpec => ({
  kind: 'message',
  name,
  type,
  repeated: true,
});
/** An embedded struct whose fields JSON inlines into the parent (`json:",inline"`). */
export const inline = (type: string): FieldSpec => ({
  kind: 'message',
  name: '',
  type,
  inline: true,
});
export const mapOf = (name: string, value: Scalar | `msg:${string}`): FieldSpec => ({
  kind: 'map',
  name,
  value,
});
/** A field the server ignores (managedFields): read and dropped. */
export const skip = (name: string): FieldSpec => ({ kind: 'message', name, type: 'Skip' });
