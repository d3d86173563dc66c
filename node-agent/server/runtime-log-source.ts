/**
 * The logs part of a KubeletApiSource over a ContainerRuntime: the
 * container instance is found by the pod UID and container name in the
 * runtime's labels. The agent adds pods and health:
 *   source: { pods: () => podCache.list(), healthy, ...runtimeLogSource(runtime) }
 */
import type { Pod } from '../../control-plane/api/types.ts';
import type { ContainerRuntime, RuntimeContainer } from '../kubelet/runtime/runtime.ts';
import type { ContainerLogRequest, KubeletApiSource } from './api-source.ts';

/** The log reading part of a KubeletApiSource. */
export type ContainerLogSource = Pick<KubeletApiSource, 'containerLogs'>;

/**
 * The instance whose logs a request reads, of one container's instances
 * (any order): the newest; with `previous`, the one before it. When the
 * newest has exited and the container waits to be restarted (its status
 * says waiting, e.g. CrashLoopBackOff), that exited instance is the
 * kubelet's lastState.terminated, so it is what both answer, as in the
 * kubelet's validateContainerLogStatus.
 */
export function pickLogInstance(
  instances: readonly RuntimeContainer[],
  previous: boolean,
  waitingToRestart: boolean,
): RuntimeContainer | undefined {
  const sorted = [...instances].sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  const latest = sorted[0];
  if (!latest || !previous) return latest;
  if (latest.state === 'exited' && waitingToRestart) return latest;
  return sorted.find((c) => c.attempt < latest.attempt);
}

function isWaiting(pod: Pod, container: string): boolean {
  const s = pod.status;
  const status = [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  return status?.state?.waiting !== undefined;
}

/**
 * Container logs read from `runtime` (Docker: stdout and stderr merged):
 * undefined when the pod has no instance of the container to read (none
 * yet, or no previous one); the runtime's error when it fails.
 */
export function runtimeLogSource(runtime: ContainerRuntime): ContainerLogSource {
  return {
    async containerLogs(pod: Pod, container: string, opts: ContainerLogRequest) {
      const uid = pod.metadata.uid;
      if (!uid) return undefined;
      const instances = (await runtime.listContainers({ podUid: uid })).filter(
        (c) => c.containerName === container,
      );
      const chosen = pickLogInstance(instances, opts.previous, isWaiting(pod, container));
      if (!chosen) return undefined;
      const { previous: _previous, limitBytes: _limitBytes, ...logOptions } = opts;
      return runtime.containerLogs(chosen.id, logOptions);
    },
  };
}
