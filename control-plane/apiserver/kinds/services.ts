/**
 * Services: clusterIP and clusterIPs kept in step, ClusterIP and NodePort
 * allocation around every write, values the stored service holds carried
 * into updates that leave them out, and release after deletion.
 */
import type { KindHooks } from '../registry/hooks.ts';
import {
  normalizeClusterIPs,
  patchAllocatedValues,
  type ServiceLike,
} from '../alloc/service-fields.ts';

export const serviceHooks: KindHooks = {
  returnDeletedObject: true,
  initialStatus: () => ({ loadBalancer: {} }),
  prepareCreate(body) {
    normalizeClusterIPs(body as ServiceLike);
  },
  prepareUpdate(body, old) {
    // The order of Kubernetes' beginUpdate: keep allocated values, then sync the two IP fields.
    patchAllocatedValues(body as ServiceLike, old as ServiceLike);
    normalizeClusterIPs(body as ServiceLike, old as ServiceLike);
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
