/**
 * The observed side of one pod: its sandboxes and every instance of its
 * containers as the runtime reports them, and the questions the kubelet
 * asks of them (pure): the latest instance of a container, whether a
 * container should be restarted, whether the sandbox must be (re)created.
 */
import type { Container, Pod } from '../../control-plane/api/types.ts';
import type { RuntimeContainerStatus, RuntimeSandbox } from './runtime/runtime.ts';

/** What runs for one pod UID. Both lists newest first. */
export interface ObservedPod {
  sandboxes: RuntimeSandbox[];
  containers: RuntimeContainerStatus[];
}

/** An empty observation (nothing runs for the pod). */
export const NOTHING_OBSERVED: ObservedPod = { sandboxes: [], containers: [] };

/** Groups sandboxes and containers by pod UID, each list newest first. */
export function groupByPod(
  sandboxes: readonly RuntimeSandbox[],
  containers: readonly RuntimeContainerStatus[],
): Map<string, ObservedPod> {
  const pods = new Map<string, ObservedPod>();
  const get = (uid: string) => {
    let p = pods.get(uid);
    if (!p) pods.set(uid, (p = { sandboxes: [], containers: [] }));
    return p;
  };
  for (const s of sandboxes) get(s.podUid).sandboxes.push(s);
  for (const c of containers) get(c.podUid).containers.push(c);
  for (const p of pods.values()) {
    p.sandboxes.sort(newest);
    p.containers.sort(newest);
  }
  return pods;
}

function newest(
  a: { createdAt: number; attempt: number },
  b: { createdAt: number; attempt: number },
) {
  return b.createdAt - a.createdAt || b.attempt - a.attempt;
}

/** Instances of container `name`, newest first. */
export function instancesOf(observed: ObservedPod, name: string): RuntimeContainerStatus[] {
  return observed.containers.filter((c) => c.containerName === name);
}

/** The newest instance of container `name`, if any. */
export function latestOf(observed: ObservedPod, name: string): RuntimeContainerStatus | undefined {
  return observed.containers.find((c) => c.containerName === name);
}

/** The pod's restart policy, defaulted. */
export function restartPolicy(pod: Pod): 'Always' | 'OnFailure' | 'Never' {
  const p = pod.spec.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

/**
 * Whether `container` should be (re)started now by its state and the
 * pod's restart policy (kubecontainer.ShouldContainerBeRestarted): never
 * for a pod being deleted or a running container; always when it never
 * ran or is only created or unknown; else per policy (OnFailure: exit ≠ 0).
 */
export function shouldRestart(pod: Pod, container: Container, observed: ObservedPod): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const status = latestOf(observed, container.name);
  if (!status) return true;
  if (status.state === 'running') return false;
  if (status.state === 'unknown' || status.state === 'created') return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && status.exitCode === 0) return false;
  return true;
}

/** The result of checking the sandbox (runtimeutil.PodSandboxChanged). */
export interface SandboxCheck {
  /** A new sandbox is needed. */
  changed: boolean;
  /** The attempt number of the sandbox to create (or of the current one). */
  attempt: number;
  /** The current (newest) sandbox, if any. */
  current?: RuntimeSandbox;
}

/**
 * Whether the pod needs a new sandbox: none exists, more than one is
 * ready, the newest is not ready, it sits on another network than
 * `network`, or (off the host network) it has no IP.
 */
export function checkSandbox(pod: Pod, observed: ObservedPod, network: string): SandboxCheck {
  const current = observed.sandboxes[0];
  if (!current) return { changed: true, attempt: 0 };
  const ready = observed.sandboxes.filter((s) => s.state === 'ready').length;
  const next = { changed: true, attempt: current.attempt + 1, current };
  if (ready > 1 || current.state !== 'ready') return next;
  const hostNetwork = pod.spec.hostNetwork === true;
  if ((hostNetwork ? 'host' : network) !== current.network) return next;
  if (!hostNetwork && current.ip === '') return next;
  return { changed: false, attempt: current.attempt, current };
}
