/**
 * The garbage collector's writes, each guarded so it never acts on an
 * object other than the one it judged: deletes carry uid and
 * resourceVersion preconditions, reference removals a uid precondition,
 * finalizer removals the resourceVersion (compare-and-swap). An object
 * already gone (404) is success. A changed one (409) is reported as false,
 * so the caller judges it afresh a moment later rather than failing.
 */
import type { ApiClient } from '../../api/client/client.ts';
import { ApiError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { getIfExists } from '../runtime/api-answers.ts';
import type { DeletePolicy } from './decide.ts';

/** Deletes `obj` with `policy` (DeleteOptions.propagationPolicy); false when it changed meanwhile. */
export async function deleteObject(
  client: ApiClient,
  r: ResourceInfo,
  obj: KubeObject,
  policy: DeletePolicy,
): Promise<boolean> {
  return guarded(() =>
    client.delete(r, obj.metadata.name ?? '', {
      namespace: obj.metadata.namespace,
      propagationPolicy: policy,
      preconditions: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
    }),
  );
}

/**
 * Removes the ownerReferences with these uids from `obj` (a strategic
 * merge $patch: delete); false when `obj` was replaced by a namesake.
 */
export async function removeOwnerRefs(
  client: ApiClient,
  r: ResourceInfo,
  obj: KubeObject,
  ownerUids: readonly string[],
): Promise<boolean> {
  const patch = {
    metadata: {
      ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })),
      uid: obj.metadata.uid,
    },
  };
  return guarded(() =>
    client.patch(r, obj.metadata.name ?? '', patch, {
      type: 'strategic',
      namespace: obj.metadata.namespace,
    }),
  );
}

/**
 * Removes `finalizer` from `obj`; the server deletes it once no finalizer
 * is left. A stale cached copy (409) is read afresh and tried once more.
 */
export async function removeFinalizer(
  client: ApiClient,
  r: ResourceInfo,
  obj: KubeObject,
  finalizer: string,
): Promise<boolean> {
  const patchFrom = (o: KubeObject) => {
    const finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const meta = { uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, finalizers };
    return guarded(() =>
      client.patch(
        r,
        o.metadata.name ?? '',
        { metadata: meta },
        {
          type: 'merge',
          namespace: o.metadata.namespace,
        },
      ),
    );
  };
  if (await patchFrom(obj)) return true;
  const fresh = await getIfExists(client, r, obj.metadata.name ?? '', {
    namespace: obj.metadata.namespace,
  });
  if (!fresh || fresh.metadata.uid !== obj.metadata.uid) return true;
  if (!fresh.metadata.finalizers?.includes(finalizer)) return true;
  return patchFrom(fresh);
}

// true: done (or the object is gone); false: it changed meanwhile (409).
async function guarded(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return true;
    if (err instanceof ApiError && err.code === 409) return false;
    throw err;
  }
}
