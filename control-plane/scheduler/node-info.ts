/**
 * NodeInfo: one node with what its bound pods use, kept up to date
 * incrementally (framework.NodeInfo) so that a filter asks "does this pod
 * fit?" in constant time: summed requests, non-zero requests for scoring,
 * host ports in use, pods per controlling owner.
 */
import type { Node, Taint } from '../api/types.ts';
import { ALL_IPS, type HostPort, type PodInfo } from './pod-info.ts';
import { addResources, emptyResources, nodeAllocatable, type Allocatable } from './resources.ts';
import { effectiveTaints } from './taints.ts';

export class NodeInfo {
  readonly name: string;
  /** The Node object; undefined while pods still point at a node that is gone. */
  node: Node | undefined;
  labels: Readonly<Record<string, string>> = {};
  allocatable: Allocatable = { ...emptyResources(), pods: 0 };
  /** spec.taints plus the readiness taint of a node that is not Ready. */
  taints: readonly Taint[] = [];
  unschedulable = false;
  /** Pods bound here, by "namespace/name". */
  readonly pods = new Map<string, PodInfo>();
  readonly requested = emptyResources();
  readonly nonZeroRequested = { milliCpu: 0, memory: 0 };
  /** Pods per controlling owner uid, not counting terminating pods. */
  readonly ownerCounts = new Map<string, number>();
  // "ip/protocol/port" and "protocol/port" → claims, for HostPortInfo.CheckConflict.
  private readonly portsExact = new Map<string, number>();
  private readonly portsAnyIp = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
  }

  /** Sets or replaces the Node object (labels, allocatable, taints, cordon). */
  setNode(node: Node | undefined): void {
    this.node = node;
    this.labels = node?.metadata?.labels ?? {};
    this.allocatable = node ? nodeAllocatable(node.status ?? {}) : { ...emptyResources(), pods: 0 };
    this.taints = node ? effectiveTaints(node) : [];
    this.unschedulable = node?.spec?.unschedulable === true;
  }

  /** Counts `pod` against this node (replacing an earlier version of the same key). */
  addPod(pod: PodInfo): void {
    if (this.pods.has(pod.key)) this.removePod(pod.key);
    this.pods.set(pod.key, pod);
    this.account(pod, 1);
  }

  /** Stops counting the pod with `key`; returns it, or undefined if it was not here. */
  removePod(key: string): PodInfo | undefined {
    const pod = this.pods.get(key);
    if (!pod) return undefined;
    this.pods.delete(key);
    this.account(pod, -1);
    return pod;
  }

  /** True when one of `ports` is already claimed here (HostPortInfo.CheckConflict). */
  portsConflict(ports: readonly HostPort[]): boolean {
    for (const p of ports) {
      const pp = `${p.protocol}/${p.port}`;
      if (p.ip === ALL_IPS) {
        if (this.portsAnyIp.has(pp)) return true;
      } else if (this.portsExact.has(`${ALL_IPS}/${pp}`) || this.portsExact.has(`${p.ip}/${pp}`)) {
        return true;
      }
    }
    return false;
  }

  /** A copy whose pods can be removed without touching this one (preemption dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.allocatable = this.allocatable;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    for (const p of this.pods.values()) c.addPod(p);
    return c;
  }

  private account(pod: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, pod.requests, sign);
    this.nonZeroRequested.milliCpu += sign * pod.nonZero.milliCpu;
    this.nonZeroRequested.memory += sign * pod.nonZero.memory;
    if (pod.ownerUid !== undefined && !pod.terminating) bump(this.ownerCounts, pod.ownerUid, sign);
    for (const p of pod.hostPorts) {
      bump(this.portsExact, `${p.ip}/${p.protocol}/${p.port}`, sign);
      bump(this.portsAnyIp, `${p.protocol}/${p.port}`, sign);
    }
  }
}

/** Adds `by` to a counter, deleting it at zero. */
export function bump(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n === 0) m.delete(key);
  else m.set(key, n);
}
