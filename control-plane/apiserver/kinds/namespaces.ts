/**
 * Namespaces: created Active with the `kubernetes` finalizer in
 * spec.finalizers and the kubernetes.io/metadata.name label, and a
 * `default` ServiceAccount. A delete marks the namespace Terminating (with
 * deletionTimestamp); it stays until the namespace controller (a later
 * issue) has removed its contents and emptied spec.finalizers through
 * /finalize, as in Kubernetes. default, kube-system and kube-public may not
 * be deleted.
 */
import { ApiError } from '../../api/errors.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { timestamp } from '../context.ts';
import { ensureObject } from '../registry/ensure.ts';
import type { KindHooks } from '../registry/hooks.ts';

const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceInfo;
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);
const NAME_LABEL = 'kubernetes.io/metadata.name';
export const KUBERNETES_FINALIZER = 'kubernetes';

export const namespaceHooks: KindHooks = {
  returnDeletedObject: true,
  initialStatus: () => ({ phase: 'Active' }),
  prepareCreate(body) {
    const spec = record(body, 'spec');
    const finalizers = Array.isArray(spec.finalizers) ? [...(spec.finalizers as unknown[])] : [];
    if (!finalizers.includes(KUBERNETES_FINALIZER)) finalizers.push(KUBERNETES_FINALIZER);
    spec.finalizers = finalizers;
    nameLabel(body);
  },
  prepareUpdate(body, old) {
    // spec.finalizers change only through /finalize.
    const spec = record(body, 'spec');
    const oldFinalizers = (old.spec as { finalizers?: unknown } | undefined)?.finalizers;
    if (oldFinalizers === undefined) delete spec.finalizers;
    else spec.finalizers = oldFinalizers;
    nameLabel(body);
  },
  async afterCreate(ctx, ns) {
    await ensureDefaultServiceAccount(ctx, ns.metadata.name ?? '');
  },
  checkDelete(ns) {
    const name = ns.metadata.name ?? '';
    if (IMMORTAL.has(name)) {
      throw new ApiError(
        'Forbidden',
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        {
          name,
          kind: 'namespaces',
        },
      );
    }
  },
  async delete(ctx, ns) {
    if (ns.metadata.deletionTimestamp) return specFinalizers(ns).length === 0 ? 'delete-now' : ns;
    ns.metadata.deletionTimestamp = timestamp(ctx.now());
    ns.status = { ...((ns.status as object | undefined) ?? {}), phase: 'Terminating' };
    return ns;
  },
  canFinalize: (ns) => specFinalizers(ns).length === 0,
};

/** Creates the `default` ServiceAccount of a namespace when missing. */
export async function ensureDefaultServiceAccount(
  ctx: Parameters<typeof ensureObject>[0],
  namespace: string,
): Promise<void> {
  await ensureObject(ctx, SERVICE_ACCOUNTS, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace },
  });
}

export function specFinalizers(ns: KubeObject): string[] {
  const f = (ns.spec as { finalizers?: unknown } | undefined)?.finalizers;
  return Array.isArray(f) ? (f as string[]) : [];
}

function record(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = body[field];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  body[field] = created;
  return created;
}

function nameLabel(body: Record<string, unknown>): void {
  const meta = record(body, 'metadata');
  if (typeof meta.name !== 'string' || meta.name === '') return;
  const labels = record(meta, 'labels');
  labels[NAME_LABEL] = meta.name;
}
