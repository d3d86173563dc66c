/**
 * PATCH: the patch is applied to the stored object on every attempt of the
 * update loop (so a conflict re-applies it to the newer object), then the
 * result goes through the same path as PUT. A patch carrying a
 * resourceVersion is a precondition, as in Kubernetes. Server-side apply
 * of a missing object creates it. A result with JSON values of the wrong
 * type is 422 on the field "patch" (a PUT of it would be a 400).
 */
import { ApiError, isApiError } from '../../api/errors.ts';
import { groupVersion } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { applyPatch } from '../patch/index.ts';
import type { PatchType } from '../body.ts';
import type { ApiContext } from '../context.ts';
import { asRecord } from './admit.ts';
import { clone } from './codec.ts';
import { createObject } from './create.ts';
import { replaceMutation, type ReplaceRequest } from './replace.ts';
import { guaranteedUpdate, type UpdateResult } from './update.ts';

export async function patchObject(
  ctx: ApiContext,
  req: ReplaceRequest,
  type: PatchType,
  patch: unknown,
): Promise<UpdateResult> {
  const onMissing =
    type === 'application/apply-patch+yaml' && req.subresource === undefined
      ? async () => {
          const empty: KubeObject = {
            apiVersion: groupVersion(req.r),
            kind: req.r.kind,
            metadata: { name: req.name, ...(req.namespace ? { namespace: req.namespace } : {}) },
          };
          const body = applyPatch(req.r, empty, type, patch);
          return createObject(ctx, { ...req, body });
        }
      : undefined;
  return guaranteedUpdate(
    ctx,
    { ...req, dryRun: req.write.dryRun },
    async (existing) => {
      const patched = asRecord(
        applyPatch(req.r, clone(existing), type, patch),
        'the patched object',
      );
      try {
        return await replaceMutation(req, patched)(existing);
      } catch (err) {
        throw asPatchError(err, type, type === STRATEGIC ? patch : patched);
      }
    },
    onMissing,
  );
}

const STRATEGIC = 'application/strategic-merge-patch+json';

/**
 * A patch whose result has JSON values of the wrong type (a decode error,
 * 400 on create and update) is 422 Invalid on the field "patch" for the
 * JSON, merge and strategic types, as Kubernetes' patcher answers when the
 * patched JSON does not decode into the kind (`value` is what it quotes:
 * the patched object, or the patch for strategic merge). Other errors pass.
 */
function asPatchError(err: unknown, type: PatchType, value: unknown): unknown {
  if (type === 'application/apply-patch+yaml' || !isApiError(err, 'BadRequest')) return err;
  const causes = err.details?.causes ?? [];
  if (causes.length === 0 || causes.some((c) => c.reason !== 'FieldValueTypeInvalid')) return err;
  const why = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return ApiError.invalid('', '', [
    {
      reason: 'FieldValueInvalid',
      field: 'patch',
      message: `Invalid value: ${JSON.stringify(JSON.stringify(value))}: ${why}`,
    },
  ]);
}
