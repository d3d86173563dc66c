/**
 * The objects this controller wrote, kept until its informer catches up
 * (client-go's MutationCache): a pass that starts right after a write, but
 * before the watch delivered it, reads the written version instead of the
 * stale cached one and so does not fail its next write with 409 Conflict.
 * Versions are compared as the informer does (numeric resourceVersions);
 * an entry goes as soon as the cache holds the same or a newer version.
 */
import type { KubeObject } from '../../api/types.ts';

export class MutationCache<T extends KubeObject> {
  private readonly written = new Map<string, T>();

  /** Remembers an object the API server just returned for our write. */
  remember(obj: T): T {
    this.written.set(obj.metadata.uid ?? '', obj);
    return obj;
  }

  /** The newer of `cached` and what we wrote for the same uid. */
  newest(cached: T): T {
    const uid = cached.metadata.uid ?? '';
    const mine = this.written.get(uid);
    if (!mine) return cached;
    if (version(mine) > version(cached)) return mine;
    this.written.delete(uid);
    return cached;
  }

  /** Forgets an object (deleted). */
  forget(uid: string | undefined): void {
    this.written.delete(uid ?? '');
  }
}

function version(obj: KubeObject): bigint {
  const rv = obj.metadata.resourceVersion ?? '';
  return /^\d+$/.test(rv) ? BigInt(rv) : 0n;
}
