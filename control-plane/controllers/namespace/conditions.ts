/**
 * The conditions a Terminating namespace reports while its content is
 * deleted (Kubernetes' namespaced_resources_deleter status), pure: what
 * failed to delete, what remains, which finalizers hold content back. The
 * reasons and messages are Kubernetes' own, as `kubectl describe ns` shows.
 */
import type { Namespace } from '../../api/types.ts';

type NamespaceCondition = NonNullable<NonNullable<Namespace['status']>['conditions']>[number];

/** What one deletion pass over a namespace found. */
export interface ContentReport {
  /** Objects still present, by resource ("pods", "replicasets.apps"). */
  remaining: ReadonlyMap<string, number>;
  /** Remaining objects per finalizer they carry. */
  finalizers: ReadonlyMap<string, number>;
  /** Errors of the resources that could not be listed or deleted. */
  failures: readonly string[];
}

/** True when nothing is left and nothing failed: the namespace may be finalized. */
export function isEmpty(report: ContentReport): boolean {
  return report.remaining.size === 0 && report.failures.length === 0;
}

/** The deletion conditions for `report`, with `now` as the time of any transition. */
export function deletionConditions(
  current: readonly NamespaceCondition[],
  report: ContentReport,
  now: Date,
): NamespaceCondition[] {
  const remaining = [...report.remaining].sort(([a], [b]) => (a < b ? -1 : 1));
  const finalizers = [...report.finalizers].sort(([a], [b]) => (a < b ? -1 : 1));
  const wanted: Omit<NamespaceCondition, 'lastTransitionTime'>[] = [
    {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'False',
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    report.failures.length > 0
      ? {
          type: 'NamespaceDeletionContentFailure',
          status: 'True',
          reason: 'ContentDeletionFailed',
          message: `Failed to delete all resource types, ${report.failures.length} remaining: ${report.failures.join(', ')}`,
        }
      : {
          type: 'NamespaceDeletionContentFailure',
          status: 'False',
          reason: 'ContentDeleted',
          message: 'All content successfully deleted, may be waiting on finalization',
        },
    remaining.length > 0
      ? {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${remaining.map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`,
        }
      : {
          type: 'NamespaceContentRemaining',
          status: 'False',
          reason: 'ContentRemoved',
          message: 'All content successfully removed',
        },
    finalizers.length > 0
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${finalizers.map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`,
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        },
  ];
  const at = now.toISOString();
  const types = new Set(wanted.map((c) => c.type));
  const others = current.filter((c) => !types.has(c.type));
  return [
    ...others,
    ...wanted.map((w) => {
      const old = current.find((c) => c.type === w.type);
      const same = old?.status === w.status;
      return {
        ...w,
        lastTransitionTime: same && old.lastTransitionTime ? old.lastTransitionTime : at,
      };
    }),
  ];
}

/** True when the conditions differ in anything but lastTransitionTime. */
export function conditionsChanged(
  a: readonly NamespaceCondition[],
  b: readonly NamespaceCondition[],
): boolean {
  const strip = (cs: readonly NamespaceCondition[]) =>
    JSON.stringify(cs.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']).sort());
  return strip(a) !== strip(b);
}
