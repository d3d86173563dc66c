/**
 * containerStatuses and initContainerStatuses (pure), as the kubelet's
 * convertToAPIContainerStatuses: the newest instance of each container gives
 * its state and restartCount, the one before it the lastState; a container
 * with no instance yet waits as ContainerCreating (PodInitializing when the
 * pod has init containers); a container that should be restarted and whose
 * last sync failed waits with that failure's reason (CrashLoopBackOff,
 * ErrImagePull, ...), its last termination moved to lastState.
 */
import type {
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
} from '../../control-plane/api/types.ts';
import { rfc3339 } from './clock.ts';
import { instancesOf, shouldRestart, type ObservedPod } from './observed-pod.ts';
import type { RuntimeContainerStatus } from './runtime/runtime.ts';
import type { WaitingReason } from './sync-error.ts';

/** Why the last sync could not start a container (the kubelet's reasonCache). */
export interface SyncFailure {
  reason: WaitingReason;
  message: string;
}

/** Probe results as the status needs them; undefined = no result yet. */
export interface ProbeView {
  startup(containerId: string): 'success' | 'failure' | undefined;
  readiness(containerId: string): 'success' | 'failure' | undefined;
}

export interface ContainerStatusInputs {
  pod: Pod;
  observed: ObservedPod;
  /** Last sync failure per container name. */
  failures: ReadonlyMap<string, SyncFailure>;
  probes: ProbeView;
}

/** The runtime ID as the API shows it. */
export function containerIdOf(id: string): string {
  return `docker://${id}`;
}

/** The API state of one runtime instance (dockershim's mapping, done in docker-status.ts). */
export function apiState(c: RuntimeContainerStatus): ContainerState {
  switch (c.state) {
    case 'running':
      return { running: { startedAt: rfc3339(c.startedAt ?? c.createdAt) } };
    case 'exited':
      return {
        terminated: {
          exitCode: c.exitCode ?? 0,
          ...(c.reason ? { reason: c.reason } : {}),
          ...(c.message ? { message: c.message } : {}),
          startedAt: rfc3339(c.startedAt ?? c.createdAt),
          finishedAt: rfc3339(c.finishedAt ?? c.createdAt),
          containerID: containerIdOf(c.id),
        },
      };
    default:
      // Created but not running, or unknown: waiting without a reason.
      return { waiting: {} };
  }
}

/** Statuses of the app containers, sorted by name (as the kubelet sorts them). */
export function appContainerStatuses(input: ContainerStatusInputs): ContainerStatus[] {
  const hasInit = (input.pod.spec.initContainers ?? []).length > 0;
  const old = input.pod.status?.containerStatuses ?? [];
  return input.pod.spec.containers
    .map((c) =>
      containerStatus(input, c, old, hasInit ? 'PodInitializing' : 'ContainerCreating', false),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Statuses of the init containers, in spec order. */
export function initContainerStatuses(input: ContainerStatusInputs): ContainerStatus[] {
  const old = input.pod.status?.initContainerStatuses ?? [];
  return (input.pod.spec.initContainers ?? []).map((c) =>
    containerStatus(input, c, old, 'PodInitializing', true),
  );
}

function containerStatus(
  input: ContainerStatusInputs,
  spec: Container,
  oldStatuses: readonly ContainerStatus[],
  defaultReason: 'ContainerCreating' | 'PodInitializing',
  isInit: boolean,
): ContainerStatus {
  const old = oldStatuses.find((s) => s.name === spec.name);
  const [latest, previous] = instancesOf(input.observed, spec.name);
  let status: ContainerStatus;
  if (latest) {
    status = {
      name: spec.name,
      state: apiState(latest),
      ready: false,
      restartCount: latest.attempt,
      image: latest.image,
      imageID: latest.imageRef,
      containerID: containerIdOf(latest.id),
      started: false,
    };
    if (previous) status.lastState = apiState(previous);
  } else if (old?.state?.terminated) {
    // Its instances were removed: keep what was last reported.
    status = { ...old };
  } else {
    status = {
      name: spec.name,
      state: { waiting: { reason: defaultReason } },
      ready: false,
      restartCount: old?.restartCount ?? 0,
      image: spec.image ?? '',
      imageID: '',
      started: false,
      ...(old?.lastState ? { lastState: old.lastState } : {}),
    };
  }
  applyFailure(input, spec, status, latest, isInit);
  applyProbes(input, spec, status, latest, isInit);
  return status;
}

// A container about to be restarted whose last start failed waits with that reason.
function applyFailure(
  input: ContainerStatusInputs,
  spec: Container,
  status: ContainerStatus,
  latest: RuntimeContainerStatus | undefined,
  isInit: boolean,
): void {
  if (isInit && latest?.state === 'exited' && latest.exitCode === 0) return;
  if (!shouldRestart(input.pod, spec, input.observed)) return;
  const failure = input.failures.get(spec.name);
  if (!failure) return;
  if (status.state?.terminated) status.lastState = status.state;
  status.state = { waiting: { reason: failure.reason, message: failure.message } };
}

// started: running and past its startup probe; ready: started and passing its
// readiness probe (or without one). An init container is ready once it succeeded.
function applyProbes(
  input: ContainerStatusInputs,
  spec: Container,
  status: ContainerStatus,
  latest: RuntimeContainerStatus | undefined,
  isInit: boolean,
): void {
  const running = latest?.state === 'running' && status.state?.running !== undefined;
  const id = latest?.id ?? '';
  const started = running && (!spec.startupProbe || input.probes.startup(id) === 'success');
  status.started = started;
  if (isInit) {
    status.ready = status.state?.terminated?.exitCode === 0;
    return;
  }
  status.ready = started && (!spec.readinessProbe || input.probes.readiness(id) === 'success');
}
