/**
 * Services: ClusterIP and NodePort allocation around every write, values
 * the stored service holds carried into updates that leave them out, and
 * release after deletion.
 */
import type { KindHooks } from '../registry/hooks.ts';
import { patchAllocatedValues, type ServiceLike } from '../alloc/service-fields.ts';

export const serviceHooks: KindHooks = {
  returnDeletedObject: true,
  initialStatus: () => ({ loadBalancer: {} }),
  prepareUpdate(body, old) {
    patchAllocatedValues(body as ServiceLike, old as ServiceLike);
  },
  async beforeWrite(ctx, obj, old) {
    return ctx.allocator.allocate(
      obj as ServiceLike,
      obj.metadata.name ?? '',
      old as ServiceLike | undefined,
    );
  },
  async afterDelete(ctx, obj) {
    await ctx.allocator.release(obj as ServiceLike);
  },
};
