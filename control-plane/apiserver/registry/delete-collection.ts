/**
 * deletecollection: lists what the selectors select (one page when a limit
 * is given, everything otherwise) and deletes each object with the same
 * options, tolerating objects that vanished meanwhile. Answers the list of
 * selected objects, as Kubernetes does.
 */
import { isApiError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { List } from '../../api/types.ts';
import type { ApiContext } from '../context.ts';
import type { ListQuery } from '../query.ts';
import { deleteObject } from './delete.ts';
import type { ObjectFilter } from './filters.ts';
import type { DeleteOpts } from './hooks.ts';
import { listObjects } from './read.ts';

export async function deleteCollection(
  ctx: ApiContext,
  r: ResourceInfo,
  namespace: string | undefined,
  q: ListQuery,
  filter: ObjectFilter,
  opts: DeleteOpts,
): Promise<List> {
  const list = await listObjects(ctx, r, namespace, q, filter);
  for (const obj of list.items) {
    try {
      await deleteObject(ctx, {
        r,
        namespace: obj.metadata.namespace ?? namespace,
        name: obj.metadata.name ?? '',
        opts,
      });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
  return list;
}
