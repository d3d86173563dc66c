/**
 * PATCH bodies applied to a stored object, one function per content type,
 * with the results and failures of the Kubernetes API server.
 *
 * @example
 *   const patched = applyPatch(r, current, 'application/strategic-merge-patch+json', body);
 *   const { object } = validateObject(r, patched, { operation: 'update', old: current });
 */
import type { TSchema } from 'typebox';
import { ApiError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { schemaFor } from '../../api/schemas/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { applyConfiguration } from './apply-patch.ts';
import { applyJsonPatch } from './json-patch.ts';
import { mergePatch } from './merge-patch.ts';
import type { Schema } from './patch-meta.ts';
import { strategicMerge } from './strategic-merge.ts';

/** The PATCH content types the API server accepts for built-in kinds. */
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

export type PatchType = (typeof PATCH_TYPES)[number];

/**
 * The patch type of a request's Content-Type header (parameters such as
 * "; charset=utf-8" ignored), or 415 worded as Kubernetes words it.
 */
export function parsePatchType(contentType: string | undefined): PatchType {
  const bare = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if ((PATCH_TYPES as readonly string[]).includes(bare)) return bare as PatchType;
  throw unsupportedMediaType();
}

function unsupportedMediaType(): ApiError {
  return new ApiError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
  );
}

/**
 * Applies `patch` (the decoded request body; a string is decoded first) to
 * `original` and returns the patched, not yet validated object; `original`
 * is not modified. Strategic merge reads merge keys and strategies from
 * `opts.schema` (default: the kind's schema; pass the Scale schema for
 * /scale). Throws ApiError: 400 for a malformed body, 422 for a JSON patch
 * that does not apply, 413 for too many JSON patch operations, 415 for an
 * unknown type, and the strategic merge answers described in strategic-merge.ts.
 */
export function applyPatch(
  r: ResourceInfo,
  original: KubeObject,
  patchType: PatchType,
  patch: unknown,
  opts: { schema?: TSchema } = {},
): unknown {
  switch (patchType) {
    case 'application/json-patch+json':
      return applyJsonPatch(original, decodeJson(patch));
    case 'application/merge-patch+json':
      return mergePatch(original, decodeJson(patch));
    case 'application/strategic-merge-patch+json':
      return strategicMerge(original, decodeJson(patch), schemaOf(r, opts.schema));
    case 'application/apply-patch+yaml':
      return applyConfiguration(original, patch, schemaOf(r, opts.schema));
    default:
      throw unsupportedMediaType();
  }
}

function schemaOf(r: ResourceInfo, given: TSchema | undefined): Schema {
  return (given ?? schemaFor(r)) as unknown as Schema;
}

/** A body still in text form is parsed as JSON (400 with the parser's message otherwise). */
function decodeJson(patch: unknown): unknown {
  if (typeof patch !== 'string') return patch;
  try {
    return JSON.parse(patch) as unknown;
  } catch (err) {
    throw ApiError.badRequest(err instanceof Error ? err.message : String(err));
  }
}

export { strategicMerge } from './strategic-merge.ts';
export { mergePatch } from './merge-patch.ts';
export { applyJsonPatch } from './json-patch.ts';
export { applyConfiguration } from './apply-patch.ts';
