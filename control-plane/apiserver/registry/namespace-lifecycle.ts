/**
 * The NamespaceLifecycle admission rule: new objects go only into a
 * namespace that exists and is not being deleted. The namespace view
 * answers most checks from memory; what it does not know is read from the
 * store.
 */
import { ApiError } from '../../api/errors.ts';
import { findResource, storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { ApiContext } from '../context.ts';
import { decodeKv } from './codec.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

/** 404 `namespaces "x" not found`, or 403 when the namespace is terminating. */
export async function checkNamespaceAcceptsCreate(
  ctx: ApiContext,
  r: ResourceInfo,
  namespace: string,
  name: string,
): Promise<void> {
  if (ctx.namespaces.acceptsContent(namespace)) return;
  const kv = await ctx.store.get(storageKey(NAMESPACES, undefined, namespace));
  if (!kv) throw ApiError.notFound({ kind: 'namespaces', name: namespace });
  const ns = decodeKv(kv);
  const phase = (ns.status as { phase?: unknown } | undefined)?.phase;
  if (ns.metadata.deletionTimestamp || phase === 'Terminating') {
    const resource = r.group ? `${r.plural}.${r.group}` : r.plural;
    throw new ApiError(
      'Forbidden',
      `${resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name,
        kind: r.plural,
        ...(r.group ? { group: r.group } : {}),
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
}
