/**
 * PUT (and the tail of PATCH): turns a client's full object into the object
 * to store. Writes to the main resource keep the stored status; writes to
 * /status keep everything but status, labels and annotations. The server's
 * metadata is carried over and the generation follows the spec.
 */
import { ApiError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiContext } from '../context.ts';
import { hooksFor } from '../kinds/index.ts';
import type { WriteQuery } from '../query.ts';
import { admit, asRecord, fillTypeMeta, rawMeta } from './admit.ts';
import { clone } from './codec.ts';
import { createObject, placeNamespace } from './create.ts';
import { carryUpdateMeta, finalizersOf, nextGeneration } from './object-meta.ts';
import {
  checkPreconditions,
  guaranteedUpdate,
  type Mutation,
  type UpdateResult,
} from './update.ts';

export interface ReplaceRequest {
  r: ResourceInfo;
  namespace: string | undefined;
  name: string;
  subresource: 'status' | undefined;
  write: WriteQuery;
  warnings: string[];
}

/** PUT of a whole object; creates it for kinds that allow create-on-update. */
export async function replaceObject(
  ctx: ApiContext,
  req: ReplaceRequest,
  body: unknown,
): Promise<UpdateResult> {
  const input = asRecord(body);
  const hooks = hooksFor(req.r);
  const onMissing =
    hooks.allowCreateOnUpdate && req.subresource === undefined
      ? () => createObject(ctx, { ...req, body: nameBody(req, input) })
      : undefined;
  return guaranteedUpdate(
    ctx,
    { ...req, dryRun: req.write.dryRun },
    replaceMutation(req, input),
    onMissing,
  );
}

/** The mutation that replaces the stored object with `body` (shared with PATCH). */
export function replaceMutation(req: ReplaceRequest, body: Record<string, unknown>): Mutation {
  return (existing) => {
    const b = nameBody(req, clone(body));
    const meta = rawMeta(b);
    checkPreconditions(req.r, req.name, existing, {
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    });
    carryUpdateMeta(meta, existing);
    const next =
      req.subresource === 'status' ? statusOnly(b, existing) : mainOnly(req.r, b, existing);
    const obj = admit(req.r, next, {
      operation: 'update',
      old: existing,
      ...(req.subresource ? { subresource: req.subresource } : {}),
      fieldValidation: req.write.fieldValidation,
      warnings: req.warnings,
    });
    obj.metadata.generation = nextGeneration(obj, existing);
    checkNoNewFinalizers(req.r, req.name, obj, existing);
    return obj;
  };
}

/** Fills type meta and checks the body names the URL's object (400 otherwise). */
function nameBody(req: ReplaceRequest, b: Record<string, unknown>): Record<string, unknown> {
  fillTypeMeta(req.r, b);
  const meta = rawMeta(b);
  if (meta.name === undefined || meta.name === '') meta.name = req.name;
  else if (meta.name !== req.name) {
    throw ApiError.badRequest(
      `the name of the object (${String(meta.name)}) does not match the name on the URL (${req.name})`,
    );
  }
  placeNamespace(req.r, meta, req.namespace);
  return b;
}

function mainOnly(
  r: ResourceInfo,
  b: Record<string, unknown>,
  existing: KubeObject,
): Record<string, unknown> {
  if (r.subresources.includes('status')) {
    if (existing.status === undefined) delete b.status;
    else b.status = clone(existing.status);
  }
  hooksFor(r).prepareUpdate?.(b, existing);
  return b;
}

function statusOnly(b: Record<string, unknown>, existing: KubeObject): Record<string, unknown> {
  const meta = rawMeta(b);
  const next = clone(existing) as Record<string, unknown>;
  const nextMeta = next.metadata as Record<string, unknown>;
  for (const f of ['labels', 'annotations'] as const) {
    if (meta[f] === undefined) delete nextMeta[f];
    else nextMeta[f] = meta[f];
  }
  if (b.status === undefined) delete next.status;
  else next.status = b.status;
  return next;
}

/** Once an object is being deleted, no finalizer may be added (ValidateObjectMetaUpdate). */
function checkNoNewFinalizers(
  r: ResourceInfo,
  name: string,
  obj: KubeObject,
  existing: KubeObject,
): void {
  if (!existing.metadata.deletionTimestamp) return;
  const old = new Set(finalizersOf(existing));
  const added = finalizersOf(obj).filter((f) => !old.has(f));
  if (added.length === 0) return;
  throw ApiError.invalid(r.kind, name, [
    {
      reason: 'FieldValueForbidden',
      field: 'metadata.finalizers',
      message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
    },
  ]);
}
