/**
 * The OpenAPI v3 documents kubectl downloads (/openapi/v3 and
 * /openapi/v3/<group-version>), generated from the same schemas that
 * validate requests. kubectl reads them for `explain`, for the
 * strategic-merge patch metadata of client-side `apply`, and to learn that
 * the server validates fields (the `fieldValidation` parameter on PATCH).
 */
import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from '../resources.ts';
import { schemaFor, schemaForSubresource } from '../schemas/index.ts';
import { listOf, DeleteOptions, Patch, Status, WatchEvent } from '../schemas/meta.ts';
import type { TObject } from 'typebox';
import { addSchema, type Components } from './components.ts';
import { resourcePaths, type PathItem } from './paths.ts';

/** The discovery document of /openapi/v3. */
export interface OpenApiV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise. */
function docPath(r: ResourceInfo): string {
  return r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
}

function buildDocument(resources: ResourceInfo[]): object {
  const components: Components = {};
  const paths: Record<string, PathItem> = {};
  for (const r of resources) {
    const kind = schemaFor(r) as TObject;
    addSchema(kind, components);
    const gvk = { group: r.group, version: r.version, kind: r.listKind };
    addSchema(listOf(kind, String((kind as { $id?: string }).$id), gvk), components);
    for (const sub of r.subresources) {
      if (sub === 'scale' || sub === 'binding' || sub === 'eviction')
        addSchema(schemaForSubresource(sub), components);
    }
    Object.assign(paths, resourcePaths(r));
  }
  for (const s of [Status, DeleteOptions, WatchEvent, Patch]) addSchema(s, components);
  const sorted = Object.fromEntries(
    Object.entries(components).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas: sorted },
  };
}

let cache: Map<string, { doc: object; hash: string }> | undefined;

function documents(): Map<string, { doc: object; hash: string }> {
  if (cache) return cache;
  const byPath = new Map<string, ResourceInfo[]>();
  for (const r of RESOURCES) byPath.set(docPath(r), [...(byPath.get(docPath(r)) ?? []), r]);
  cache = new Map();
  for (const [path, rs] of byPath) {
    const doc = buildDocument(rs);
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    cache.set(path, { doc, hash });
  }
  return cache;
}

/**
 * The /openapi/v3 root: one entry per served group-version ("api/v1",
 * "apis/apps/v1", ...) whose serverRelativeURL carries a content hash, so
 * clients may cache a document for as long as the URL stays the same.
 */
export function openApiV3Root(): OpenApiV3Root {
  const paths: OpenApiV3Root['paths'] = {};
  for (const [path, { hash }] of documents())
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  return { paths };
}

/**
 * The OpenAPI 3.0 document of one group-version ("api/v1",
 * "apis/apps/v1", ...), or undefined for a group-version skiff does not
 * serve. The same object is returned on every call: do not mutate it.
 */
export function openApiV3Document(groupVersionPath: string): object | undefined {
  return documents().get(groupVersionPath.replace(/^\/+|\/+$/g, '').replace(/^openapi\/v3\//, ''))
    ?.doc;
}
