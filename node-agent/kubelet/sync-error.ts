/**
 * The reasons a container waits, and the error that carries one. A failed
 * step of a pod sync throws a SyncError; its reason and message become the
 * container's `state.waiting` exactly as the kubelet reports them
 * (pkg/kubelet/container/sync_result.go, pkg/kubelet/images/types.go).
 */

/** Waiting reasons Kubernetes users know from `kubectl get pods`. */
export type WaitingReason =
  | 'ContainerCreating'
  | 'PodInitializing'
  | 'CrashLoopBackOff'
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'RunContainerError'
  | 'RunInitContainerError'
  | 'CreatePodSandboxError'
  | 'KillContainerError'
  | 'KillPodSandboxError';

/** A sync step failed for a reason the pod status reports. */
export class SyncError extends Error {
  readonly reason: WaitingReason;

  constructor(reason: WaitingReason, message: string, opts?: { cause?: unknown }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SyncError';
    this.reason = reason;
  }
}

/** True when `err` is a SyncError, optionally of one reason. */
export function isSyncError(err: unknown, reason?: WaitingReason): err is SyncError {
  return err instanceof SyncError && (reason === undefined || err.reason === reason);
}
