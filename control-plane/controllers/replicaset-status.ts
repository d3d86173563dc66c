/**
 * A ReplicaSet's status from its pods (calculateStatus in Kubernetes'
 * replica_set_utils.go), pure: counts of the owned active pods, those
 * fully labeled, ready, and available for minReadySeconds, the observed
 * generation, and the ReplicaFailure condition while creating or deleting
 * pods fails.
 */
import { matchesLabels, labelSelectorFromSpec } from '../api/selectors.ts';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '../api/types.ts';
import { isPodAvailable, isPodReady, readySinceMs } from './replicaset-pods.ts';

type RsCondition = NonNullable<ReplicaSetStatus['conditions']>[number];

/** A failed create or delete of pods during the sync being summarized. */
export interface ManageFailure {
  /** "FailedCreate" or "FailedDelete", the condition's reason. */
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

/**
 * The status `rs` should have given `pods` (owned and active) at `nowMs`.
 * Conditions other than ReplicaFailure are kept as they were.
 */
export function replicaSetStatus(
  rs: ReplicaSet,
  pods: readonly Pod[],
  failure: ManageFailure | undefined,
  nowMs: number,
): ReplicaSetStatus {
  const minReady = rs.spec.minReadySeconds ?? 0;
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const fullyLabeled = labelSelectorFromSpec({ matchLabels: templateLabels });
  let fullyLabeledReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  for (const p of pods) {
    if (matchesLabels(fullyLabeled, p.metadata.labels)) fullyLabeledReplicas++;
    if (isPodReady(p)) readyReplicas++;
    if (isPodAvailable(p, minReady, nowMs)) availableReplicas++;
  }
  const conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const current = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (failure) {
    // Kubernetes sets the condition once and leaves it until the failures stop.
    conditions.push(
      current ??
        ({
          type: 'ReplicaFailure',
          status: 'True',
          reason: failure.reason,
          message: failure.message,
          lastTransitionTime: new Date(nowMs).toISOString(),
        } as RsCondition),
    );
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas,
    readyReplicas,
    availableReplicas,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/**
 * How long until the next ready pod becomes available (minReadySeconds
 * passed), or undefined when no pod is waiting for that.
 */
export function nextAvailableInMs(
  pods: readonly Pod[],
  minReadySeconds: number,
  nowMs: number,
): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const p of pods) {
    const since = readySinceMs(p);
    if (since === undefined || isPodAvailable(p, minReadySeconds, nowMs)) continue;
    const wait = Math.max(1, since + minReadySeconds * 1000 - nowMs);
    next = next === undefined ? wait : Math.min(next, wait);
  }
  return next;
}

/** True when the status fields differ (the write is needed). */
export function statusChanged(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const x = a ?? { replicas: 0 };
  return (
    x.replicas !== b.replicas ||
    (x.fullyLabeledReplicas ?? 0) !== b.fullyLabeledReplicas ||
    (x.readyReplicas ?? 0) !== b.readyReplicas ||
    (x.availableReplicas ?? 0) !== b.availableReplicas ||
    (x.observedGeneration ?? 0) !== b.observedGeneration ||
    JSON.stringify(x.conditions ?? []) !== JSON.stringify(b.conditions ?? [])
  );
}
