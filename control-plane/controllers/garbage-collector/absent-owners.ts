/**
 * Owner uids the API server has confirmed gone (Kubernetes' absentOwnerCache):
 * a uid never comes back, so after one uncached lookup the dependents of a
 * deleted owner need no further lookups. Bounded: the oldest entries are
 * dropped first (a dropped uid only costs one more lookup).
 */
export class AbsentOwners {
  private readonly uids = new Set<string>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  has(uid: string): boolean {
    return this.uids.has(uid);
  }

  add(uid: string): void {
    if (this.uids.has(uid)) return;
    this.uids.add(uid);
    // Sets iterate in insertion order: the first one is the oldest.
    if (this.uids.size > this.max) this.uids.delete(this.uids.values().next().value as string);
  }
}
