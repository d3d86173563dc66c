/**
 * The conditions the kubelet owns (pure), with the reasons and messages of
 * pkg/kubelet/status/generate.go: PodReadyToStartContainers, Initialized,
 * Ready, ContainersReady and PodScheduled. Lists print as Go prints a
 * []string ("[a b]").
 */
import type {
  ContainerStatus,
  PodCondition,
  PodPhase,
  PodSpec,
} from '../../control-plane/api/types.ts';

/** Condition types the kubelet writes; others (e.g. DisruptionTarget) are kept as found. */
export const KUBELET_CONDITIONS = new Set([
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
]);

type Generated = Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

const goList = (names: string[]) => `[${names.join(' ')}]`;

/** PodReadyToStartContainers: True once a ready sandbox with networking exists. */
export function readyToStartCondition(sandboxReady: boolean): Generated {
  return { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' };
}

/** Initialized: every init container completed (or an app container already started). */
export function initializedCondition(
  spec: PodSpec,
  statuses: readonly ContainerStatus[],
  phase: PodPhase,
): Generated {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of spec.initContainers ?? []) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (s.state?.terminated?.exitCode !== 0) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) {
    return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  }
  const appNames = new Set(spec.containers.map((c) => c.name));
  if (statuses.some((s) => appNames.has(s.name) && (s.state?.running || s.state?.terminated))) {
    return { type: 'Initialized', status: 'True' };
  }
  const messages = [
    ...(unknown.length ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(incomplete.length ? [`containers with incomplete status: ${goList(incomplete)}`] : []),
  ];
  if (messages.length === 0) return { type: 'Initialized', status: 'True' };
  return {
    type: 'Initialized',
    status: 'False',
    reason: 'ContainersNotInitialized',
    message: messages.join(', '),
  };
}

/** ContainersReady: every app container ready. */
export function containersReadyCondition(
  spec: PodSpec,
  statuses: readonly ContainerStatus[],
  phase: PodPhase,
): Generated {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    return {
      type: 'ContainersReady',
      status: 'False',
      reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted',
    };
  }
  const messages = [
    ...(unknown.length ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(unready.length ? [`containers with unready status: ${goList(unready)}`] : []),
  ];
  if (messages.length === 0) return { type: 'ContainersReady', status: 'True' };
  return {
    type: 'ContainersReady',
    status: 'False',
    reason: 'ContainersNotReady',
    message: messages.join(', '),
  };
}

/** Ready: ContainersReady, and every readiness gate's condition True. */
export function readyCondition(
  spec: PodSpec,
  containersReady: Generated,
  others: readonly PodCondition[],
): Generated {
  if (containersReady.status !== 'True') {
    return {
      type: 'Ready',
      status: containersReady.status,
      ...(containersReady.reason ? { reason: containersReady.reason } : {}),
      ...(containersReady.message ? { message: containersReady.message } : {}),
    };
  }
  const messages: string[] = [];
  for (const gate of spec.readinessGates ?? []) {
    const c = others.find((x) => x.type === gate.conditionType);
    if (!c) {
      messages.push(
        `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`,
      );
    } else if (c.status !== 'True') {
      messages.push(
        `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`,
      );
    }
  }
  if (messages.length === 0) return { type: 'Ready', status: 'True' };
  return {
    type: 'Ready',
    status: 'False',
    reason: 'ReadinessGatesNotReady',
    message: messages.join(', '),
  };
}

/**
 * `generated` with lastTransitionTime kept from the old condition of the
 * same type and status, or `now` when the status changed (status manager's
 * updateLastTransitionTime).
 */
export function withTransitionTimes(
  generated: readonly Generated[],
  old: readonly PodCondition[],
  now: string,
): PodCondition[] {
  return generated.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    const since = prev && prev.status === c.status && prev.lastTransitionTime;
    return { ...c, lastTransitionTime: since || now };
  });
}
