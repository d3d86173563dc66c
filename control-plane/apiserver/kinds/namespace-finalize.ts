/**
 * namespaces/{name}/finalize: the namespace controller's way to empty
 * spec.finalizers once a Terminating namespace has no content left. When
 * no finalizer remains, the namespace leaves the store (see update.ts).
 */
import type { KubeObject } from '../../api/types.ts';
import type { ApiContext } from '../context.ts';
import { asRecord, rawMeta } from '../registry/admit.ts';
import { checkPreconditions, guaranteedUpdate, type UpdateTarget } from '../registry/update.ts';

export async function finalizeNamespace(
  ctx: ApiContext,
  t: UpdateTarget,
  body: unknown,
): Promise<KubeObject> {
  const ns = asRecord(body);
  const meta = rawMeta(ns);
  const wanted = (ns.spec as { finalizers?: unknown } | undefined)?.finalizers;
  const finalizers = Array.isArray(wanted)
    ? wanted.filter((f): f is string => typeof f === 'string')
    : [];
  const result = await guaranteedUpdate(ctx, t, (existing) => {
    checkPreconditions(t.r, t.name, existing, {
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    });
    return { ...existing, spec: { ...((existing.spec as object | undefined) ?? {}), finalizers } };
  });
  return result.object;
}
