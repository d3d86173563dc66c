/**
 * A pod's phase from its container statuses (pure), as the kubelet's
 * getPhase:
 * - an init container failed and restartPolicy is Never → Failed;
 * - an init container not yet done, or an app container waiting for its
 *   first run → Pending;
 * - all app containers started and one running → Running;
 * - all app containers stopped → Running under Always (they restart),
 *   Succeeded if all exited 0, else Failed under Never, Running under
 *   OnFailure (the failed ones restart).
 */
import type { ContainerStatus, Pod, PodPhase } from '../../control-plane/api/types.ts';
import { restartPolicy } from './observed-pod.ts';

/** The phase of `pod` given its init and app container statuses. */
export function podPhase(
  pod: Pod,
  initStatuses: readonly ContainerStatus[],
  appStatuses: readonly ContainerStatus[],
): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s?.state) {
      pendingInit++;
    } else if (s.state.running) {
      pendingInit++;
    } else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting && s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else {
      pendingInit++;
    }
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec.containers) {
    const s = appStatuses.find((x) => x.name === c.name);
    if (!s?.state) {
      unknown++;
    } else if (s.state.running) {
      running++;
    } else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else {
      unknown++;
    }
  }

  const policy = restartPolicy(pod);
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  // HasAnyRegularContainerStarted: init containers may be gone once the app ran.
  const anyAppStarted = appStatuses.some(
    (s) => s.state?.running !== undefined || s.state?.terminated !== undefined,
  );
  if ((pendingInit > 0 && !anyAppStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** True for Succeeded and Failed, which a pod never leaves. */
export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
