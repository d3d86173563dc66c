/**
 * pods/eviction (what `kubectl drain` posts): a graceful delete of the pod
 * with the Eviction's DeleteOptions. There are no PodDisruptionBudgets
 * yet, so an eviction is never refused for budget reasons.
 */
import { ApiError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { ApiContext } from '../context.ts';
import { asRecord, rawMeta } from '../registry/admit.ts';
import { deleteObject } from '../registry/delete.ts';
import { parseDeleteOptions } from '../registry/delete-options.ts';

export async function evictPod(
  ctx: ApiContext,
  r: ResourceInfo,
  namespace: string,
  name: string,
  body: unknown,
  dryRun: boolean,
): Promise<void> {
  const eviction = asRecord(body);
  const meta = rawMeta(eviction);
  if (meta.name !== undefined && meta.name !== '' && meta.name !== name) {
    throw ApiError.badRequest('name in URL does not match name in Eviction object');
  }
  const raw = eviction.deleteOptions === null ? undefined : eviction.deleteOptions;
  const opts = parseDeleteOptions(raw, new URLSearchParams());
  await deleteObject(ctx, { r, namespace, name, opts: { ...opts, dryRun: opts.dryRun || dryRun } });
}
