/**
 * Init container progress (pure), as the kubelet's
 * findNextInitContainerToRun and isInitContainerFailed: init containers run
 * one at a time in spec order; the newest instance of each tells how far
 * the pod got.
 */
import type { Container, Pod } from '../../control-plane/api/types.ts';
import { latestOf, type ObservedPod } from './observed-pod.ts';
import type { RuntimeContainerStatus } from './runtime/runtime.ts';

/** isInitContainerFailed: OOM-killed, exited non-zero, or in an unknown state. */
export function initFailed(status: RuntimeContainerStatus): boolean {
  if (status.reason === 'OOMKilled') return true;
  if (status.state === 'exited' && status.exitCode !== 0) return true;
  return status.state === 'unknown';
}

/**
 * The next init container to run (findNextInitContainerToRun): done when
 * there are none, when an app container already runs (init containers ran
 * before, even if removed since), or all succeeded; else the failed one to
 * retry, or the one after the last success; `last` is the instance that
 * decided it.
 */
export function nextInitContainer(
  pod: Pod,
  observed: ObservedPod,
): { done: boolean; next?: Container; last?: RuntimeContainerStatus } {
  const inits = pod.spec.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  if (pod.spec.containers.some((c) => latestOf(observed, c.name)?.state === 'running')) {
    return { done: true };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const status = c && latestOf(observed, c.name);
    if (c && status && initFailed(status)) return { done: false, next: c, last: status };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const status = c && latestOf(observed, c.name);
    if (!c || !status) continue;
    if (status.state === 'running') return { done: false };
    if (status.state === 'exited') {
      const after = inits[i + 1];
      return after ? { done: false, next: after } : { done: true };
    }
  }
  return { done: false, ...(inits[0] ? { next: inits[0] } : {}) };
}
