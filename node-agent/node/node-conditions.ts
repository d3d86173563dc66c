/**
 * The node's four kubelet-owned conditions, pure: Ready, MemoryPressure,
 * DiskPressure and PIDPressure, with the kubelet's reasons and messages
 * (pkg/kubelet/nodestatus/setters.go). Each write refreshes
 * lastHeartbeatTime; lastTransitionTime moves only when a status changes,
 * so Unknown (set by the node lifecycle controller while the agent was
 * away) back to False/True counts as a transition.
 */
import { isDeepStrictEqual } from 'node:util';
import type { NodeCondition } from '../../control-plane/api/types.ts';
import { rfc3339 } from '../kubelet/clock.ts';

/** Hard eviction thresholds: below them the node reports pressure. */
export interface EvictionThresholds {
  /** memory.available below this many bytes: MemoryPressure. Kubelet default 100Mi. */
  memoryAvailableBytes: number;
  /** nodefs.available below this percentage of the data dir's filesystem: DiskPressure. Kubelet default 10. */
  nodefsAvailablePercent: number;
  /**
   * pid.available below this percentage of the node's PID limit:
   * PIDPressure. The kubelet has no default (PIDPressure then never turns
   * True); skiff uses 5, so the condition reflects a real reading.
   */
  pidAvailablePercent: number;
}

/** The kubelet's evictionHard defaults on Linux (memory, nodefs) and skiff's PID threshold. */
export const DEFAULT_EVICTION_HARD: EvictionThresholds = {
  memoryAvailableBytes: 100 * 1024 * 1024,
  nodefsAvailablePercent: 10,
  pidAvailablePercent: 5,
};

/** What the pressure conditions are computed from (a subset of NodeReadings). */
export interface PressureReadings {
  /** Bytes of memory available to new work (MemAvailable). */
  memoryAvailableBytes: number;
  /** Free space of the data dir's filesystem available to unprivileged users, in percent of its size. */
  diskAvailablePercent: number;
  /** Processes and threads that exist now. */
  pidsInUse: number;
  /** The most the kernel allows (min of pid_max and threads-max). */
  pidMax: number;
}

/** The container runtime's health as the agent last saw it. */
export interface RuntimeHealth {
  ok: boolean;
  /** Why it is not ok; shown as the Ready condition's message. */
  message?: string;
}

/** The message of Ready=False when the agent gives none (the kubelet's runtime-down text). */
export const RUNTIME_DOWN_MESSAGE = 'container runtime is down';

/** Which pressures the readings show under the thresholds. */
export function pressures(
  r: PressureReadings,
  t: EvictionThresholds,
): { memory: boolean; disk: boolean; pid: boolean } {
  const pidAvailable = r.pidMax - r.pidsInUse;
  return {
    memory: r.memoryAvailableBytes < t.memoryAvailableBytes,
    disk: r.diskAvailablePercent < t.nodefsAvailablePercent,
    pid: r.pidMax > 0 && (pidAvailable / r.pidMax) * 100 < t.pidAvailablePercent,
  };
}

type Wanted = Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>;

const pressure = (type: string, on: boolean, yes: [string, string], no: [string, string]) => {
  const [reason, message] = on ? yes : no;
  return { type, status: on ? 'True' : 'False', reason, message };
};

/** The four conditions the readings call for, heartbeat and transition times not yet set. */
export function wantedConditions(
  r: PressureReadings,
  runtime: RuntimeHealth,
  t: EvictionThresholds,
): Wanted[] {
  const p = pressures(r, t);
  return [
    pressure(
      'MemoryPressure',
      p.memory,
      ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
      ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ),
    pressure(
      'DiskPressure',
      p.disk,
      ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
      ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ),
    pressure(
      'PIDPressure',
      p.pid,
      ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
      ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ),
    // Ready last, as the kubelet keeps it (kubernetes#16961).
    runtime.ok
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message: runtime.message || RUNTIME_DOWN_MESSAGE,
        },
  ];
}

const OWNED = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']);

/**
 * The node's conditions after a status update at `nowMs`: conditions other
 * components own are kept as they are (first, in their order), then the four
 * kubelet conditions with lastHeartbeatTime = now and lastTransitionTime
 * kept from `previous` unless the status changed (or the condition is new).
 */
export function nodeConditions(
  previous: readonly NodeCondition[] | undefined,
  r: PressureReadings,
  runtime: RuntimeHealth,
  t: EvictionThresholds,
  nowMs: number,
): NodeCondition[] {
  const now = rfc3339(nowMs);
  const old = new Map((previous ?? []).map((c) => [c.type, c]));
  const others = (previous ?? []).filter((c) => !OWNED.has(c.type));
  const ours = wantedConditions(r, runtime, t).map((w): NodeCondition => {
    const before = old.get(w.type);
    const kept = before?.status === w.status ? before.lastTransitionTime : undefined;
    return { ...w, lastHeartbeatTime: now, lastTransitionTime: kept ?? now };
  });
  return [...others, ...ours];
}

/** True when both lists say the same thing, heartbeat times aside (order matters, as it does on the wire). */
export function sameConditions(
  a: readonly NodeCondition[] | undefined,
  b: readonly NodeCondition[] | undefined,
): boolean {
  const strip = (list: readonly NodeCondition[] | undefined) =>
    (list ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined }));
  return isDeepStrictEqual(strip(a), strip(b));
}
