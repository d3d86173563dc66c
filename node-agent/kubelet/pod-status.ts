/**
 * The pod status the kubelet reports (pure): desired pod + observed
 * containers + sync failures + probe results → PodStatus, as the kubelet's
 * generateAPIPodStatus; and `statusEqual`, so a status is written only when
 * it changed (coalescing writes across relists).
 *
 * @example
 *   const status = generatePodStatus({ pod, observed, failures, probes, hostIPs: ['172.30.0.11'], network, now: Date.now() });
 *   if (!statusEqual(pod.status, status)) await client.updateStatus(pod, status);
 */
import type { PodCondition, PodStatus } from '../../control-plane/api/types.ts';
import { canonicalJson } from './container-hash.ts';
import { rfc3339 } from './clock.ts';
import {
  appContainerStatuses,
  initContainerStatuses,
  type ContainerStatusInputs,
} from './container-statuses.ts';
import { checkSandbox } from './observed-pod.ts';
import {
  KUBELET_CONDITIONS,
  containersReadyCondition,
  initializedCondition,
  readyCondition,
  readyToStartCondition,
  withTransitionTimes,
} from './pod-conditions.ts';
import { isTerminalPhase, podPhase } from './pod-phase.ts';
import { qosClassOf } from './qos.ts';

export interface PodStatusInputs extends ContainerStatusInputs {
  /** The node's addresses (status.hostIP(s); the pod IP of host-network pods). */
  hostIPs: string[];
  /** The pod network the sandbox should be on. */
  network: string;
  /** Epoch ms, for startTime and condition transitions. */
  now: number;
}

/** The status to report for the pod. Terminal phases are never left. */
export function generatePodStatus(input: PodStatusInputs): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const now = rfc3339(input.now);
  const initStatuses = initContainerStatuses(input);
  const appStatuses = appContainerStatuses(input);
  let phase = podPhase(pod, initStatuses, appStatuses);
  if (isTerminalPhase(old.phase) && phase !== old.phase) phase = old.phase as typeof phase;

  const all = [...initStatuses, ...appStatuses];
  const keep = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const sandbox = checkSandbox(pod, input.observed, input.network);
  const containersReady = containersReadyCondition(pod.spec, all, phase);
  const conditions: PodCondition[] = [
    ...keep,
    ...withTransitionTimes(
      [
        readyToStartCondition(!sandbox.changed),
        initializedCondition(pod.spec, all, phase),
        readyCondition(pod.spec, containersReady, keep),
        containersReady,
        { type: 'PodScheduled', status: 'True' },
      ],
      old.conditions ?? [],
      now,
    ),
  ];

  const podIP = podIPOf(input, sandbox.current?.ip, old.podIP);
  const hostIP = input.hostIPs[0];
  return {
    phase,
    conditions,
    ...(phase === old.phase && old.reason ? { reason: old.reason } : {}),
    ...(phase === old.phase && old.message ? { message: old.message } : {}),
    ...(hostIP ? { hostIP, hostIPs: input.hostIPs.map((ip) => ({ ip })) } : {}),
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: old.startTime ?? now,
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    qosClass: old.qosClass ?? qosClassOf(pod.spec),
  };
}

// The sandbox's IP; a host-network pod has the node's; once reported, a pod
// IP stays even after its sandbox is gone (a finished pod keeps its IP).
function podIPOf(input: PodStatusInputs, sandboxIP: string | undefined, oldIP?: string): string {
  if (input.pod.spec.hostNetwork) return oldIP || input.hostIPs[0] || '';
  return sandboxIP || oldIP || '';
}

/**
 * True when writing `next` over `prev` would change nothing a reader can
 * see: same content, ignoring key order and condition probe times.
 */
export function statusEqual(prev: PodStatus | undefined, next: PodStatus | undefined): boolean {
  return canonicalJson(normalize(prev)) === canonicalJson(normalize(next));
}

function normalize(s: PodStatus | undefined): unknown {
  if (!s) return {};
  return {
    ...s,
    conditions: (s.conditions ?? []).map((c) => {
      const { lastProbeTime: _probe, ...rest } = c;
      return rest;
    }),
  };
}
