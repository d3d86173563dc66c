/**
 * Strategic-merge metadata from a JSON schema: for a field, its sub-schema,
 * its patch strategies (`x-kubernetes-patch-strategy`: "merge", "replace",
 * "retainKeys", "merge,retainKeys") and its merge key
 * (`x-kubernetes-patch-merge-key`) — what LookupPatchMetadataForStruct /
 * ForSlice read from Go struct tags in Kubernetes.
 *
 * A field the schema does not know has no metadata: maps merge, lists are
 * replaced. (Kubernetes errors there; a stored object only holds known
 * fields, so this only matters for free-form objects.)
 */
import { strategicError } from './errors.ts';

/** A JSON schema node as the schemas in control-plane/api/schemas/ build them. */
export type Schema = { readonly [k: string]: unknown } | undefined;

/** The patch metadata of one field. */
export interface PatchMeta {
  /** '' (none), 'merge' or 'replace'; retainKeys is reported separately. */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

const NONE: PatchMeta = { strategy: '', retainKeys: false, mergeKey: '' };

/** The schema and metadata of field `key` of an object (or a map's value). */
export function lookupField(schema: Schema, key: string): { schema: Schema; meta: PatchMeta } {
  const node = objectNode(schema);
  if (node === undefined) return { schema: undefined, meta: NONE };
  const props = node.properties as Record<string, Schema> | undefined;
  const additional = node.additionalProperties;
  const field =
    props && Object.hasOwn(props, key)
      ? props[key]
      : typeof additional === 'object' && additional !== null
        ? (additional as Schema)
        : undefined;
  return { schema: field, meta: metaOf(field) };
}

/** The item schema and metadata of list field `key`. */
export function lookupList(schema: Schema, key: string): { schema: Schema; meta: PatchMeta } {
  const { schema: field, meta } = lookupField(schema, key);
  const node = pick(field, (s) => s.type === 'array' || s.items !== undefined);
  return { schema: node?.items as Schema, meta };
}

function metaOf(field: Schema): PatchMeta {
  if (field === undefined) return NONE;
  const rawStrategy = findExtension(field, 'x-kubernetes-patch-strategy');
  const mergeKey = findExtension(field, 'x-kubernetes-patch-merge-key') ?? '';
  const strategies = rawStrategy ? rawStrategy.split(',') : [];
  return { ...extractRetainKeys(strategies), mergeKey };
}

/** extractRetainKeysPatchStrategy: at most two strategies, one of them retainKeys. */
function extractRetainKeys(strategies: string[]): { strategy: string; retainKeys: boolean } {
  const [a, b] = strategies;
  if (strategies.length === 0) return { strategy: '', retainKeys: false };
  if (strategies.length === 1) {
    return a === 'retainKeys'
      ? { strategy: '', retainKeys: true }
      : { strategy: a as string, retainKeys: false };
  }
  if (strategies.length === 2 && a === 'retainKeys')
    return { strategy: b as string, retainKeys: true };
  if (strategies.length === 2 && b === 'retainKeys')
    return { strategy: a as string, retainKeys: true };
  throw strategicError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

/** An extension on the node itself or on a member of its allOf/anyOf/oneOf. */
function findExtension(node: Schema, name: string): string | undefined {
  if (node === undefined) return undefined;
  const own = node[name];
  if (typeof own === 'string') return own;
  for (const sub of members(node)) {
    const found = findExtension(sub, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function objectNode(schema: Schema): Schema {
  return pick(
    schema,
    (s) =>
      s.type === 'object' || s.properties !== undefined || s.additionalProperties !== undefined,
  );
}

/** The node itself or the first allOf/anyOf/oneOf member (recursively) that satisfies `test`. */
function pick(schema: Schema, test: (s: NonNullable<Schema>) => boolean): Schema {
  if (schema === undefined) return undefined;
  if (test(schema)) return schema;
  for (const sub of members(schema)) {
    const found = pick(sub, test);
    if (found !== undefined) return found;
  }
  return undefined;
}

function members(node: NonNullable<Schema>): Schema[] {
  const out: Schema[] = [];
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = node[k];
    if (Array.isArray(list)) out.push(...(list as Schema[]));
  }
  return out;
}
