/**
 * Response bodies in the negotiated format: the object or list itself, a
 * meta.k8s.io Table (through the tables module), or PartialObjectMetadata;
 * plus writing them with the Warning headers collected on the way.
 */
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject, List } from '../api/types.ts';
import { contentTypeOf, partialMetadata, type OutputFormat } from './negotiate.ts';
import { toTable } from './tables/index.ts';

export interface RenderOptions {
  includeObject: 'None' | 'Metadata' | 'Object' | undefined;
  now: Date;
}

/** A Table of `objects`, at the version the client asked for. */
export function renderTable(
  r: ResourceInfo,
  objects: KubeObject[],
  version: 'v1' | 'v1beta1',
  o: RenderOptions,
  listMeta?: List['metadata'],
): Record<string, unknown> {
  const table = toTable(r, objects, {
    now: o.now,
    ...(o.includeObject ? { includeObject: o.includeObject } : {}),
  }) as unknown as Record<string, unknown>;
  table.apiVersion = `meta.k8s.io/${version}`;
  if (listMeta) table.metadata = { ...((table.metadata as object | undefined) ?? {}), ...listMeta };
  else if (objects.length === 1) {
    const rv = objects[0]?.metadata.resourceVersion;
    if (rv)
      table.metadata = { ...((table.metadata as object | undefined) ?? {}), resourceVersion: rv };
  }
  return table;
}

/** One object in `fmt`. */
export function renderObject(
  r: ResourceInfo,
  obj: KubeObject,
  fmt: OutputFormat,
  o: RenderOptions,
): unknown {
  if (fmt.kind === 'table') return renderTable(r, [obj], fmt.version, o);
  if (fmt.kind === 'metadata') return partialMetadata(obj, fmt.version);
  return obj;
}

/** A list in `fmt`. */
export function renderList(
  r: ResourceInfo,
  list: List,
  fmt: OutputFormat,
  o: RenderOptions,
): unknown {
  if (fmt.kind === 'table') return renderTable(r, list.items, fmt.version, o, list.metadata);
  if (fmt.kind === 'metadata') {
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${fmt.version}`,
      metadata: list.metadata,
      items: list.items.map((i) => partialMetadata(i, fmt.version)),
    };
  }
  return list;
}

/** Writes `body` with `status`, in `fmt`, with one Warning header per warning. */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  fmt: OutputFormat,
  warnings: readonly string[] = [],
): void {
  if (warnings.length) res.setHeader('Warning', warnings.map(warningHeader));
  const text = fmt.kind === 'object' && fmt.yaml ? toYaml(body) : JSON.stringify(body);
  sendRaw(res, status, contentTypeOf(fmt), text);
}

/** Writes finished JSON text with `status` and one Warning header per warning. */
export function sendJson(
  res: ServerResponse,
  status: number,
  text: string,
  warnings: readonly string[] = [],
): void {
  if (warnings.length) res.setHeader('Warning', warnings.map(warningHeader));
  sendRaw(res, status, 'application/json', text);
}

/** Writes a finished body as is (express's send would rewrite the Content-Type). */
export function sendRaw(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  // A string, not a Buffer: node then sends head and body in one write instead of a writev of two.
  res.end(text);
}

/** RFC 7234 warning value as Kubernetes sends it: `299 - "text"`. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}
