/**
 * Reading the API server's answers the way every controller does: a live
 * read that answers undefined for a missing object, and what a failed
 * write means.
 */
import type { ApiClient } from '../../api/client/client.ts';
import type { ObjectOptions } from '../../api/client/options.ts';
import { ApiError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';

/**
 * An uncached read: the object as the API server has it now, or undefined
 * when it does not exist (404). Every other failure is thrown.
 */
export async function getIfExists<T extends KubeObject = KubeObject>(
  client: ApiClient,
  r: ResourceInfo,
  name: string,
  opts: ObjectOptions = {},
): Promise<T | undefined> {
  try {
    return await client.get<T>(r, name, opts);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
}

/**
 * True when a create was refused because its namespace is being deleted:
 * content of such a namespace is not created, and that is no failure of
 * the owner.
 */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}

/** The message of anything thrown, for a condition or an event. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
