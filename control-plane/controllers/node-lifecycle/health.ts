/**
 * Node health as the node lifecycle controller judges it (Kubernetes'
 * tryUpdateNodeHealth), pure: when a node last showed life, and which
 * conditions become Unknown once it has been silent past the grace period.
 *
 * Time is the controller's own clock, never the kubelet's: a probe is
 * stamped when the controller sees the Lease's renewTime (or the Ready
 * condition's lastHeartbeatTime) change, so clock skew between machines
 * cannot make a dead node look alive.
 */
import type { Lease, Node, NodeCondition } from '../../api/types.ts';

/** The conditions the controller sets Unknown on a silent node (nodeConditionsToUpdate). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** Reason and message of a condition the controller set Unknown (Kubernetes' words). */
export const REASON_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_UNKNOWN = 'Kubelet stopped posting node status.';
/** Reason and message of a condition the kubelet never reported. */
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

/** The last sign of life of one node, by the controller's clock. */
export interface Probe {
  /** The Lease's spec.renewTime (with its uid) when last seen, '' without a Lease. */
  lease: string;
  /** The Ready condition's lastHeartbeatTime when last seen. */
  heartbeat: string;
  /** When `lease` or `heartbeat` last changed (or were first seen), in ms. */
  at: number;
}

/** Grace periods, in ms. */
export interface HealthTiming {
  /** Silence allowed to a node that has reported (node-monitor-grace-period, 40 s). */
  gracePeriodMs: number;
  /** Silence allowed to a node that never reported Ready (node-startup-grace-period, 60 s). */
  startupGracePeriodMs: number;
}

/** Kubernetes' defaults: 40 s, and 60 s for a node that never reported. */
export const DEFAULT_HEALTH_TIMING: HealthTiming = {
  gracePeriodMs: 40_000,
  startupGracePeriodMs: 60_000,
};

/**
 * The probe after looking at the node and its Lease at `now`: a new
 * timestamp when the lease was renewed or the kubelet posted a heartbeat
 * since `prev` (or there is no `prev`), else `prev` unchanged.
 */
export function observe(
  prev: Probe | undefined,
  node: Node,
  lease: Lease | undefined,
  now: number,
) {
  const mark: Omit<Probe, 'at'> = {
    lease: lease ? `${lease.metadata.uid ?? ''}/${lease.spec?.renewTime ?? ''}` : '',
    heartbeat: readyCondition(node)?.lastHeartbeatTime ?? '',
  };
  if (prev && prev.lease === mark.lease && prev.heartbeat === mark.heartbeat) return prev;
  return { ...mark, at: now };
}

/** Ms of silence left before the node counts as lost (below 0: lost). */
export function graceLeftMs(node: Node, probe: Probe, now: number, t: HealthTiming): number {
  const grace = readyCondition(node) ? t.gracePeriodMs : t.startupGracePeriodMs;
  return probe.at + grace - now;
}

/**
 * The node's conditions with the monitored ones Unknown, when the node has
 * been silent past its grace period and some are not Unknown yet;
 * undefined when nothing is to change. lastHeartbeatTime is kept (it is the
 * kubelet's); lastTransitionTime is `now`.
 */
export function lostNodeConditions(
  node: Node,
  probe: Probe,
  now: number,
  t: HealthTiming,
): NodeCondition[] | undefined {
  // Lost only once strictly past the grace period (now.After(probe + grace)).
  if (graceLeftMs(node, probe, now, t) >= 0) return undefined;
  const at = new Date(now).toISOString();
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    const c = conditions[i];
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: REASON_NEVER_UPDATED,
        message: MESSAGE_NEVER_UPDATED,
        ...(node.metadata.creationTimestamp
          ? { lastHeartbeatTime: node.metadata.creationTimestamp }
          : {}),
        lastTransitionTime: at,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      conditions[i] = {
        ...c,
        status: 'Unknown',
        reason: REASON_UNKNOWN,
        message: MESSAGE_UNKNOWN,
        lastTransitionTime: at,
      };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** The node's Ready condition, if it has one. */
export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}
