/**
 * Turns the inline TypeBox schemas into OpenAPI 3.0 components: every
 * sub-schema with an `$id` becomes `components.schemas[$id]` and is
 * replaced by a `$ref` where it is used, as in the Kubernetes documents.
 */

/** A JSON-Schema object as found in the schema tree. */
export type SchemaNode = Record<string, unknown>;

/** components.schemas: OpenAPI name → schema. */
export type Components = Record<string, SchemaNode>;

/** The `$ref` to a component. */
export function ref(id: string): { $ref: string } {
  return { $ref: `#/components/schemas/${id}` };
}

// Top-level kinds list none of these as required in the Kubernetes documents.
const NOT_REQUIRED_AT_TOP = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

/**
 * Registers `schema` (and everything it names) in `into`; returns the
 * schema to embed where it is used — a `$ref` when it has an `$id`.
 */
export function addSchema(schema: unknown, into: Components): unknown {
  if (Array.isArray(schema)) return schema.map((s) => addSchema(s, into));
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = schema as SchemaNode;
  const id = typeof node['$id'] === 'string' ? node['$id'] : undefined;
  if (id !== undefined) {
    if (!into[id]) {
      into[id] = {}; // placeholder first: a schema may (indirectly) contain itself
      into[id] = convert(node, into);
    }
    return ref(id);
  }
  return convert(node, into);
}

/** A field that is a `$ref` keeps a description beside it (as the Kubernetes documents do) for `kubectl explain`. */
function withDescription(embedded: unknown, original: unknown): unknown {
  const description = (original as { description?: unknown }).description;
  if (typeof description !== 'string' || typeof embedded !== 'object' || embedded === null)
    return embedded;
  if (!('$ref' in embedded)) return embedded;
  return { ...embedded, description };
}

function convert(node: SchemaNode, into: Components): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$id') continue;
    if (k === 'properties' || k === 'patternProperties') {
      out[k] = Object.fromEntries(
        Object.entries(v as SchemaNode).map(([p, s]) => [
          p,
          withDescription(addSchema(s, into), s),
        ]),
      );
    } else if (
      k === 'items' ||
      k === 'additionalProperties' ||
      k === 'oneOf' ||
      k === 'anyOf' ||
      k === 'allOf'
    ) {
      out[k] = addSchema(v, into);
    } else {
      out[k] = v;
    }
  }
  if (out['x-kubernetes-group-version-kind'] && Array.isArray(out['required'])) {
    const req = (out['required'] as string[]).filter((r) => !NOT_REQUIRED_AT_TOP.has(r));
    if (req.length > 0) out['required'] = req;
    else delete out['required'];
  }
  return out;
}

/** Every `$ref` target in `doc` (for checks and tests). */
export function refsIn(doc: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(doc)) for (const d of doc) refsIn(d, found);
  else if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) {
      if (k === '$ref' && typeof v === 'string') found.add(v);
      else refsIn(v, found);
    }
  }
  return found;
}
