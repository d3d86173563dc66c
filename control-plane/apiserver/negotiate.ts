/**
 * Response content negotiation from the Accept header, as kubectl and
 * client-go use it: plain JSON (or YAML), a meta.k8s.io Table
 * (`application/json;as=Table;v=v1;g=meta.k8s.io`, also v1beta1) or
 * PartialObjectMetadata(List). The first acceptable entry wins; protobuf is
 * not offered, so clients that also accept JSON get JSON.
 */
import { ApiError } from '../api/errors.ts';

export type OutputFormat =
  | { kind: 'object'; yaml: boolean }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'metadata'; version: 'v1' | 'v1beta1' };

const JSON_FORMAT: OutputFormat = { kind: 'object', yaml: false };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept header into its media ranges, in order (q-values ignored, as client-go does). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: (type ?? '').trim().toLowerCase(), params };
  });
}

/**
 * The format for a response. `transformable` is true for get/list/watch,
 * where Table and PartialObjectMetadata are offered. Throws 406 when no
 * entry is acceptable.
 */
export function negotiateOutput(accept: string | undefined, transformable: boolean): OutputFormat {
  if (!accept) return JSON_FORMAT;
  // Clients send the same few Accept headers over and over: parse each once.
  const cache = transformable ? TRANSFORMABLE : PLAIN;
  let fmt = cache.get(accept);
  if (fmt === undefined) {
    fmt = negotiate(accept, transformable);
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(accept, fmt);
  }
  return fmt;
}

// Formats by Accept header (406s are not kept); cleared when full, so odd headers cannot grow it.
const CACHE_SIZE = 64;
const TRANSFORMABLE = new Map<string, OutputFormat>();
const PLAIN = new Map<string, OutputFormat>();

function negotiate(accept: string, transformable: boolean): OutputFormat {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return JSON_FORMAT;
  for (const r of ranges) {
    const isJson = r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*';
    if (r.params.as !== undefined) {
      if (!transformable || r.type !== 'application/json') continue;
      const gv = r.params.g === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1');
      if (!gv) continue;
      const version = r.params.v as 'v1' | 'v1beta1';
      if (r.params.as === 'Table') return { kind: 'table', version };
      if (r.params.as === 'PartialObjectMetadata' || r.params.as === 'PartialObjectMetadataList') {
        return { kind: 'metadata', version };
      }
      continue;
    }
    if (isJson) return JSON_FORMAT;
    if (r.type === 'application/yaml') return { kind: 'object', yaml: true };
  }
  throw new ApiError(
    'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml',
  );
}

/** The Content-Type header for a format. */
export function contentTypeOf(f: OutputFormat): string {
  switch (f.kind) {
    case 'object':
      return f.yaml ? 'application/yaml' : 'application/json';
    case 'table':
      return `application/json;as=Table;v=${f.version};g=meta.k8s.io`;
    case 'metadata':
      return `application/json;as=PartialObjectMetadata;v=${f.version};g=meta.k8s.io`;
  }
}

/** The metadata-only view of an object (PartialObjectMetadata). */
export function partialMetadata(
  obj: { apiVersion?: unknown; kind?: unknown; metadata?: unknown },
  version: 'v1' | 'v1beta1',
): Record<string, unknown> {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata ?? {},
  };
}
