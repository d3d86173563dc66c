/**
 * The garbage collector's decisions, pure (Kubernetes'
 * attemptToDeleteItem, processDeletingDependentsItem, attemptToOrphan):
 *
 * - an object whose owners are all gone (or waiting for their dependents
 *   to go) is deleted: in the foreground when a waiting owner needs it gone
 *   and it has dependents of its own, else as its own finalizers ask
 *   (orphan, foregroundDeletion) or in the background;
 * - an object with at least one live owner only loses its references to
 *   the gone and waiting owners;
 * - an owner deleted in the foreground waits for the dependents that
 *   block it (blockOwnerDeletion), then loses its finalizer.
 *
 * Owner identity is the uid: a reference whose uid is not the current
 * object of that name points at an owner that is gone.
 */
import type { KubeObject, OwnerReference } from '../../api/types.ts';

/** The finalizers the API server adds for orphan and foreground propagation. */
export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/**
 * What a dependent's owner is: alive (`solid`), gone (`dangling`), being
 * deleted in the foreground (`waiting` for its dependents), or not
 * resolvable here (`unknown`: a kind skiff does not serve, an invalid
 * scope), which counts as alive so nothing is deleted on a guess.
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting' | 'unknown';

/** DeleteOptions.propagationPolicy. */
export type DeletePolicy = 'Background' | 'Foreground' | 'Orphan';

/** What the collector does with one dependent. */
export type DependentAction =
  | { kind: 'none' }
  | { kind: 'remove-refs'; uids: string[] }
  | { kind: 'delete'; policy: DeletePolicy };

/** True when `obj` lists `finalizer` in metadata.finalizers. */
export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/** Being deleted in the foreground: deletionTimestamp and the foregroundDeletion finalizer. */
export function isDeletingDependents(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && hasFinalizer(obj, FINALIZER_FOREGROUND);
}

/** The state of an owner given the object found under the reference's name (or none). */
export function ownerStateOf(ref: OwnerReference, found: KubeObject | undefined): OwnerState {
  if (!found || found.metadata.uid !== ref.uid) return 'dangling';
  return isDeletingDependents(found) ? 'waiting' : 'solid';
}

/**
 * What to do with a dependent (not itself being deleted) given the state
 * of each owner reference (by uid), whether it has dependents of its own,
 * and whether one of those is itself being deleted in the foreground (a
 * cycle, which deleting in the foreground could never finish).
 */
export function decideDependent(
  obj: KubeObject,
  states: ReadonlyMap<string, OwnerState>,
  hasDependents: boolean,
  dependentDeletingDependents: boolean,
): DependentAction {
  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0) return { kind: 'none' };
  const stateOf = (r: OwnerReference): OwnerState => states.get(r.uid) ?? 'unknown';
  const alive = refs.filter((r) => stateOf(r) === 'solid' || stateOf(r) === 'unknown');
  const gone = refs.filter((r) => stateOf(r) === 'dangling' || stateOf(r) === 'waiting');
  const waiting = refs.filter((r) => stateOf(r) === 'waiting');
  if (alive.length > 0) {
    return gone.length === 0 ? { kind: 'none' } : { kind: 'remove-refs', uids: uids(gone) };
  }
  if (waiting.length > 0 && hasDependents) {
    // A dependent of ours waits on us in the foreground too: break the cycle by letting go.
    if (dependentDeletingDependents) return { kind: 'remove-refs', uids: uids(gone) };
    return { kind: 'delete', policy: 'Foreground' };
  }
  if (hasFinalizer(obj, FINALIZER_ORPHAN)) return { kind: 'delete', policy: 'Orphan' };
  if (hasFinalizer(obj, FINALIZER_FOREGROUND)) return { kind: 'delete', policy: 'Foreground' };
  return { kind: 'delete', policy: 'Background' };
}

/** True when `dep` blocks the foreground deletion of the owner with `ownerUid`. */
export function blocksOwner(dep: KubeObject, ownerUid: string): boolean {
  return (dep.metadata.ownerReferences ?? []).some(
    (r) => r.uid === ownerUid && r.blockOwnerDeletion === true,
  );
}

/** True when the GC must look at `obj` again after it changed from `old`. */
export function gcRelevantChange(old: KubeObject, obj: KubeObject): boolean {
  const refs = (o: KubeObject) =>
    JSON.stringify((o.metadata.ownerReferences ?? []).map((r) => [r.uid, r.blockOwnerDeletion]));
  return (
    refs(old) !== refs(obj) ||
    !!old.metadata.deletionTimestamp !== !!obj.metadata.deletionTimestamp ||
    (old.metadata.finalizers ?? []).join(',') !== (obj.metadata.finalizers ?? []).join(',')
  );
}

function uids(refs: readonly OwnerReference[]): string[] {
  return [...new Set(refs.map((r) => r.uid))];
}
