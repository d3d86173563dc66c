/**
 * Stopping a pod's containers (pure): the grace periods the kubelet uses,
 * and the actions that take a whole pod down — every running container
 * killed (preStop hook, then the stop signal, then SIGKILL when the grace
 * period ends), then its sandbox stopped; once nothing runs, a deleted
 * pod's containers are removed and the deletion can be confirmed.
 */
import type { Lifecycle, Pod } from '../../control-plane/api/types.ts';
import type { ObservedPod } from './observed-pod.ts';
import type { RuntimeContainerStatus } from './runtime/runtime.ts';

/** A preStop or postStart hook. */
export type LifecycleHandler = NonNullable<Lifecycle['preStop']>;

/** Why a container is killed (the Killing event says so). */
export type KillReason =
  | 'Deleted'
  | 'SpecChanged'
  | 'Unhealthy'
  | 'StartupFailed'
  | 'Unknown'
  | 'PodDone'
  | 'SandboxChanged';

export interface KillContainerAction {
  type: 'killContainer';
  containerId: string;
  name: string;
  reason: KillReason;
  /** For the Killing event, e.g. "Container app failed liveness probe, will be restarted". */
  message: string;
  /** Time from the start of the kill (the preStop hook included) to SIGKILL. */
  gracePeriodSeconds: number;
  /** Run first, inside the grace period. */
  preStop?: LifecycleHandler;
}

export interface StopSandboxAction {
  type: 'stopSandbox';
  sandboxId: string;
}

/** Remove every container and sandbox of a deleted pod (all are stopped). */
export interface RemovePodAction {
  type: 'removePod';
  ids: string[];
}

/** Nothing of a deleted pod remains: clean up its volumes and confirm the deletion. */
export interface PodTerminatedAction {
  type: 'podTerminated';
}

/** The kubelet never gives a kill less than this (minimumGracePeriodInSeconds). */
export const MIN_GRACE_SECONDS = 2;

/**
 * The grace period of a kill: the pod's deletion grace period if it is
 * being deleted (a forced deletion, 0, gets 1 s), a liveness or startup
 * probe's own override, else terminationGracePeriodSeconds (default 30);
 * never less than 2 s except for forced deletion.
 */
export function killGracePeriod(pod: Pod, probeOverride?: number): number {
  const deletion = pod.metadata.deletionTimestamp
    ? pod.metadata.deletionGracePeriodSeconds
    : undefined;
  if (deletion === 0) return 1;
  const grace = deletion ?? probeOverride ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(MIN_GRACE_SECONDS, grace);
}

/** A kill action for `c`, with its spec's preStop hook. */
export function killAction(
  pod: Pod,
  c: RuntimeContainerStatus,
  reason: KillReason,
  message: string,
  gracePeriodSeconds: number,
): KillContainerAction {
  const preStop: LifecycleHandler | undefined = pod.spec.containers.find(
    (x) => x.name === c.containerName,
  )?.lifecycle?.preStop;
  return {
    type: 'killContainer',
    containerId: c.id,
    name: c.containerName,
    reason,
    message,
    gracePeriodSeconds,
    ...(preStop ? { preStop } : {}),
  };
}

/**
 * Takes the whole pod down: kills every running (or unknown) container not
 * in `alreadyKilled`, then stops every ready sandbox.
 */
export function killPodActions(
  pod: Pod,
  observed: ObservedPod,
  reason: KillReason,
  alreadyKilled: ReadonlySet<string> = new Set(),
): (KillContainerAction | StopSandboxAction)[] {
  const grace = killGracePeriod(pod);
  const kills = liveContainers(observed)
    .filter((c) => !alreadyKilled.has(c.id))
    .map((c) => killAction(pod, c, reason, `Stopping container ${c.containerName}`, grace));
  const stops: StopSandboxAction[] = observed.sandboxes
    .filter((s) => s.state === 'ready')
    .map((s) => ({ type: 'stopSandbox', sandboxId: s.id }));
  return [...kills, ...stops];
}

/**
 * The actions for a pod with a deletionTimestamp: kill what runs; once
 * nothing runs, remove it all; once nothing is left, report it terminated.
 */
export function deletionActions(
  pod: Pod,
  observed: ObservedPod,
): (KillContainerAction | StopSandboxAction | RemovePodAction | PodTerminatedAction)[] {
  const kill = killPodActions(pod, observed, 'Deleted');
  if (kill.length > 0) return kill;
  const ids = [...observed.containers.map((c) => c.id), ...observed.sandboxes.map((s) => s.id)];
  if (ids.length > 0) return [{ type: 'removePod', ids }];
  return [{ type: 'podTerminated' }];
}

/** Containers that may still have processes (running, or in an unknown state). */
export function liveContainers(observed: ObservedPod): RuntimeContainerStatus[] {
  return observed.containers.filter((c) => c.state === 'running' || c.state === 'unknown');
}
