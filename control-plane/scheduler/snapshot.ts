/**
 * ClusterSnapshot: the scheduler's picture of the cluster, nodes plus the
 * pods bound to each, maintained incrementally from informer events (and
 * from the scheduler's own decisions: assume() counts a pod on its node
 * before the binding is confirmed). Every change costs O(1) amortized, so
 * thousands of nodes and pods stay cheap; schedulePod reads it.
 *
 * Pods in phase Succeeded or Failed free their resources and are not
 * counted, as kube-scheduler's informer leaves them out.
 */
import type { Node, Pod } from '../api/types.ts';
import { NodeInfo, bump } from './node-info.ts';
import { assumedPodInfo, podInfoOf, podKey, type PodInfo } from './pod-info.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export class ClusterSnapshot {
  // Every NodeInfo, including those whose Node is gone but pods still point at.
  private readonly infos = new Map<string, NodeInfo>();
  // NodeInfos with a Node, in the order nodes were added.
  private list: NodeInfo[] = [];
  private readonly podNode = new Map<string, string>();
  /** Bound pods with required pod anti-affinity, by key. */
  readonly antiAffinityPods = new Map<string, PodInfo>();
  // zone → controlling owner uid → pods (not terminating), for zone spreading.
  private readonly zoneOwners = new Map<string, Map<string, number>>();
  private readonly namespaces = new Map<string, Readonly<Record<string, string>>>();

  /** Nodes that exist (have a Node object). */
  get nodeCount(): number {
    return this.list.length;
  }

  /** Pods counted on some node. */
  get podCount(): number {
    return this.podNode.size;
  }

  /** Existing nodes in a stable order (the order they were added). */
  nodes(): readonly NodeInfo[] {
    return this.list;
  }

  /** The NodeInfo of an existing node. */
  get(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  /** Adds a node or applies its new version. */
  upsertNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    const oldZone = info.labels[LABEL_ZONE];
    if (!info.node) this.list.push(info);
    info.setNode(node);
    this.moveZone(info, oldZone, info.labels[LABEL_ZONE]);
  }

  /** Removes a node; pods still bound to it stay counted until they go. */
  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info?.node) return;
    const oldZone = info.labels[LABEL_ZONE];
    info.setNode(undefined);
    this.moveZone(info, oldZone, undefined);
    this.list = this.list.filter((i) => i !== info);
    if (info.pods.size === 0) this.infos.delete(name);
  }

  /**
   * Applies a pod's new version: counted on spec.nodeName when bound and not
   * finished, dropped otherwise (unbound, Succeeded, Failed).
   */
  upsertPod(pod: Pod): void {
    const info = podInfoOf(pod);
    const phase = pod.status?.phase;
    this.removePod(info.key);
    if (!info.nodeName || phase === 'Succeeded' || phase === 'Failed') return;
    let node = this.infos.get(info.nodeName);
    if (!node) {
      node = new NodeInfo(info.nodeName);
      this.infos.set(info.nodeName, node);
    }
    node.addPod(info);
    this.podNode.set(info.key, info.nodeName);
    this.zoneCount(node, info, 1);
    if (info.requiredAntiAffinity.length > 0) this.antiAffinityPods.set(info.key, info);
  }

  /** Stops counting a pod (by object or "namespace/name"). */
  removePod(podOrKey: Pod | string): void {
    const key = typeof podOrKey === 'string' ? podOrKey : podKey(podOrKey);
    const nodeName = this.podNode.get(key);
    if (nodeName === undefined) return;
    this.podNode.delete(key);
    this.antiAffinityPods.delete(key);
    const node = this.infos.get(nodeName);
    const info = node?.removePod(key);
    if (!node || !info) return;
    this.zoneCount(node, info, -1);
    if (!node.node && node.pods.size === 0) this.infos.delete(nodeName);
  }

  /** Counts `pod` on `nodeName` as the scheduler decided, before the binding is confirmed. */
  assume(pod: Pod, nodeName: string): void {
    this.upsertPod(assumedPodInfo(pod, nodeName).pod);
  }

  /** The node a pod is counted on, if any. */
  nodeOfPod(key: string): string | undefined {
    return this.podNode.get(key);
  }

  /** Records a namespace's labels (for affinity terms with a namespaceSelector). */
  setNamespaceLabels(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    if (labels === undefined) this.namespaces.delete(name);
    else this.namespaces.set(name, labels);
  }

  /** A namespace's labels, if known. */
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaces.get(name);
  }

  /** Pods of the controlling owner `ownerUid` in `zone`, across all nodes. */
  zoneOwnerCount(zone: string, ownerUid: string): number {
    return this.zoneOwners.get(zone)?.get(ownerUid) ?? 0;
  }

  private zoneCount(node: NodeInfo, pod: PodInfo, sign: number): void {
    const zone = node.labels[LABEL_ZONE];
    if (zone === undefined || pod.ownerUid === undefined || pod.terminating) return;
    this.bumpZone(zone, pod.ownerUid, sign);
  }

  private moveZone(node: NodeInfo, from: string | undefined, to: string | undefined): void {
    if (from === to || node.ownerCounts.size === 0) return;
    for (const [owner, n] of node.ownerCounts) {
      if (from !== undefined) this.bumpZone(from, owner, -n);
      if (to !== undefined) this.bumpZone(to, owner, n);
    }
  }

  private bumpZone(zone: string, owner: string, by: number): void {
    let owners = this.zoneOwners.get(zone);
    if (!owners) this.zoneOwners.set(zone, (owners = new Map()));
    bump(owners, owner, by);
    if (owners.size === 0) this.zoneOwners.delete(zone);
  }
}
