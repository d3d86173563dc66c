/**
 * PATCH: the patch is applied to the stored object on every attempt of the
 * update loop (so a conflict re-applies it to the newer object), then the
 * result goes through the same path as PUT. A patch carrying a
 * resourceVersion is a precondition, as in Kubernetes. Server-side apply
 * of a missing object creates it.
 */
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
    (existing) => {
      const patched = asRecord(
        applyPatch(req.r, clone(existing), type, patch),
        'the patched object',
      );
      return replaceMutation(req, patched)(existing);
    },
    onMissing,
  );
}
