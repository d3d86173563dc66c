/**
 * The heart of syncPod (pure), after the kubelet's computePodActions:
 * desired pod + observed sandbox and containers + probe results + backoff
 * → the list of actions that drive one toward the other. Level-triggered:
 * computing again after the actions ran (and the runtime was relisted)
 * yields the next steps, and nothing when all is well.
 *
 * - A pod being deleted: kill what runs, then remove it all, then report it
 *   terminated (pod-kill.ts).
 * - No usable sandbox: take the pod down and create a new sandbox, then run
 *   the pod from its first init container (unless restartPolicy Never and
 *   containers already ran: then the pod is over).
 * - Init containers run one at a time, in order; a failed one restarts per
 *   restartPolicy, and under Never the pod is taken down (it has Failed).
 * - App containers start once all init containers succeeded; one that
 *   exited restarts per restartPolicy; one whose spec hash changed, or that
 *   failed its liveness or startup probe, is killed (and restarted).
 * - Every (re)start of a container that exited before is gated by the
 *   CrashLoopBackOff: inside the window the action is `backOff` instead.
 * - Nothing left to run and nothing to keep: the pod is done, its sandbox
 *   is stopped.
 */
import type { Container, Pod } from '../../control-plane/api/types.ts';
import { crashLoopKey, goDuration, type Backoff } from './backoff.ts';
import { containerChanged } from './container-hash.ts';
import { resolveImage } from './image.ts';
import { initFailed, nextInitContainer } from './init-containers.ts';
import {
  checkSandbox,
  latestOf,
  restartPolicy,
  shouldRestart,
  type ObservedPod,
} from './observed-pod.ts';
import {
  deletionActions,
  killAction,
  killGracePeriod,
  killPodActions,
  type KillContainerAction,
  type PodTerminatedAction,
  type RemovePodAction,
  type StopSandboxAction,
} from './pod-kill.ts';
import type { RuntimeContainerStatus } from './runtime/runtime.ts';

export interface CreateSandboxAction {
  type: 'createSandbox';
  attempt: number;
}

/** Create and start container `name` (pull its image first as image.ts decides). */
export interface StartContainerAction {
  type: 'startContainer';
  name: string;
  init: boolean;
  /** The restart attempt (= restartCount) of the new instance. */
  attempt: number;
  /** Record this restart in the CrashLoopBackOff: `backoff.next(key, since)`. */
  backoff?: { key: string; since: number };
}

/** Not starting `name` yet: it waits with reason CrashLoopBackOff. */
export interface BackOffAction {
  type: 'backOff';
  name: string;
  init: boolean;
  reason: 'CrashLoopBackOff';
  /** "back-off 20s restarting failed container=app pod=web_default(uid)" */
  message: string;
  /** The Warning event BackOff. */
  event: string;
}

export type PodAction =
  | CreateSandboxAction
  | StartContainerAction
  | BackOffAction
  | KillContainerAction
  | StopSandboxAction
  | RemovePodAction
  | PodTerminatedAction;

/** Probe results by container ID; undefined = no result yet. */
export interface ProbeResults {
  liveness(containerId: string): 'success' | 'failure' | undefined;
  startup(containerId: string): 'success' | 'failure' | undefined;
}

export interface PodActionsInput {
  pod: Pod;
  observed: ObservedPod;
  /** The pod network a sandbox must be on. */
  network: string;
  probes: ProbeResults;
  /** The restart backoff; only read here. */
  backoff: Backoff;
}

/** The actions that drive the observed pod toward the desired one; [] when all is well. */
export function computePodActions(input: PodActionsInput): PodAction[] {
  const { pod, observed } = input;
  if (pod.metadata.deletionTimestamp) return deletionActions(pod, observed);

  const sandbox = checkSandbox(pod, observed, input.network);
  if (sandbox.changed) return recreateSandbox(input, sandbox.attempt);

  const init = nextInitContainer(pod, observed);
  if (!init.done) {
    if (!init.next) return [];
    const failed = init.last !== undefined && initFailed(init.last);
    if (failed && restartPolicy(pod) === 'Never') return killPodActions(pod, observed, 'PodDone');
    const actions: PodAction[] = [];
    if (init.last?.state === 'unknown') {
      actions.push(
        killAction(
          pod,
          init.last,
          'Unknown',
          `Init container is in "unknown" state, try killing it before restart`,
          killGracePeriod(pod),
        ),
      );
    }
    actions.push(startOrBackOff(input, init.next, true));
    return actions;
  }
  return appContainerActions(input);
}

// The sandbox is missing, dead, duplicated or on the wrong network.
function recreateSandbox(input: PodActionsInput, attempt: number): PodAction[] {
  const { pod, observed } = input;
  const kill = killPodActions(pod, observed, 'SandboxChanged');
  if (restartPolicy(pod) === 'Never' && attempt !== 0 && observed.containers.length > 0) {
    return kill;
  }
  const toStart = pod.spec.containers.filter(
    (c) => !(restartPolicy(pod) === 'OnFailure' && succeeded(latestOf(observed, c.name))),
  );
  const initialized = pod.spec.containers.some((c) => latestOf(observed, c.name) !== undefined);
  if (initialized && toStart.length === 0) return kill;
  const first = pod.spec.initContainers?.[0];
  const starts = first
    ? [startOrBackOff(input, first, true)]
    : toStart.map((c) => startOrBackOff(input, c, false));
  return [...kill, { type: 'createSandbox', attempt }, ...starts];
}

function appContainerActions(input: PodActionsInput): PodAction[] {
  const { pod, observed, probes } = input;
  const starts: PodAction[] = [];
  const kills: KillContainerAction[] = [];
  let keep = 0;
  for (const c of pod.spec.containers) {
    const status = latestOf(observed, c.name);
    if (!status || status.state !== 'running') {
      if (shouldRestart(pod, c, observed)) {
        starts.push(startOrBackOff(input, c, false));
        if (status?.state === 'unknown') {
          kills.push(
            killAction(
              pod,
              status,
              'Unknown',
              `Container is in "unknown" state, try killing it before restart`,
              killGracePeriod(pod),
            ),
          );
        }
      }
      continue;
    }
    const verdict = runningVerdict(pod, c, status, probes);
    if (!verdict) {
      keep++;
      continue;
    }
    const restart = verdict.restart || restartPolicy(pod) !== 'Never';
    if (restart) starts.push(startOrBackOff(input, c, false, status));
    kills.push(
      killAction(
        pod,
        status,
        verdict.reason,
        restart ? `${verdict.message}, will be restarted` : verdict.message,
        killGracePeriod(pod, verdict.probeGrace),
      ),
    );
  }
  if (keep === 0 && starts.length === 0) {
    // Nothing runs on and nothing starts: the pod is done, take it down.
    const already = new Set(kills.map((k) => k.containerId));
    return [...kills, ...killPodActions(pod, observed, 'PodDone', already)];
  }
  // Kill first: a replacement must not run beside the instance it replaces.
  return [...kills, ...starts];
}

// Why a running container must go, or undefined to keep it.
function runningVerdict(
  pod: Pod,
  c: Container,
  status: RuntimeContainerStatus,
  probes: ProbeResults,
):
  | {
      reason: 'SpecChanged' | 'Unhealthy' | 'StartupFailed';
      message: string;
      restart: boolean;
      probeGrace?: number;
    }
  | undefined {
  if (containerChanged(c, imageOf(c), status)) {
    // A changed spec restarts regardless of the restart policy.
    return {
      reason: 'SpecChanged',
      message: `Container ${c.name} definition changed`,
      restart: true,
    };
  }
  if (probes.liveness(status.id) === 'failure') {
    return {
      reason: 'Unhealthy',
      message: `Container ${c.name} failed liveness probe`,
      restart: false,
      ...probeGrace(c.livenessProbe?.terminationGracePeriodSeconds),
    };
  }
  if (probes.startup(status.id) === 'failure') {
    return {
      reason: 'StartupFailed',
      message: `Container ${c.name} failed startup probe`,
      restart: false,
      ...probeGrace(c.startupProbe?.terminationGracePeriodSeconds),
    };
  }
  return undefined;
}

function probeGrace(seconds: number | undefined): { probeGrace?: number } {
  return seconds === undefined ? {} : { probeGrace: seconds };
}

/**
 * Start `c`, unless its newest exited instance finished inside the
 * CrashLoopBackOff window (the kubelet's doBackOff). `replacing` is a
 * running instance about to be killed (its attempt counts).
 */
function startOrBackOff(
  input: PodActionsInput,
  c: Container,
  init: boolean,
  replacing?: RuntimeContainerStatus,
): StartContainerAction | BackOffAction {
  const { pod, observed, backoff } = input;
  const latest = replacing ?? latestOf(observed, c.name);
  const attempt = latest ? latest.attempt + 1 : 0;
  const lastExited = observed.containers.find(
    (x) => x.containerName === c.name && x.state === 'exited',
  );
  if (!lastExited) return { type: 'startContainer', name: c.name, init, attempt };
  const key = crashLoopKey(pod, c);
  const since = lastExited.finishedAt ?? lastExited.createdAt;
  if (backoff.isInBackOffSince(key, since)) {
    const podName = `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
    return {
      type: 'backOff',
      name: c.name,
      init,
      reason: 'CrashLoopBackOff',
      message: `back-off ${goDuration(backoff.get(key))} restarting failed container=${c.name} pod=${podName}`,
      event: `Back-off restarting failed container ${c.name} in pod ${podName}`,
    };
  }
  return { type: 'startContainer', name: c.name, init, attempt, backoff: { key, since } };
}

/** The image reference a container is created with; a malformed one compares as written. */
function imageOf(c: Container): string {
  try {
    return resolveImage(c);
  } catch {
    return c.image ?? '';
  }
}

function succeeded(status: RuntimeContainerStatus | undefined): boolean {
  return status?.state === 'exited' && status.exitCode === 0;
}
