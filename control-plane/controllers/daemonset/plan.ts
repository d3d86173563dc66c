/**
 * One sync of a DaemonSet as a pure decision (Kubernetes' manage,
 * podsShouldBeOnNode and rollingUpdate without surge): which nodes get a
 * new pod and which pods go.
 *
 * - a node that should run a daemon pod and has none gets one (a pod still
 *   terminating there counts: the new one waits for it to go);
 * - a node where pods may not stay loses them all;
 * - failed pods are deleted (one attempt per node per backoff), succeeded
 *   ones at once, and of several running pods on a node only the oldest
 *   is kept;
 * - a pod pinned to a node that no longer exists is deleted;
 * - with nothing else to do, RollingUpdate replaces old-template pods,
 *   keeping at most maxUnavailable nodes (default 1) without an available
 *   current pod; OnDelete replaces a pod only after someone deleted it.
 *   maxSurge is not honoured yet: updates always go delete-then-create.
 */
import type { DaemonSet, Node, Pod } from '../../api/types.ts';
import { isPodAvailable } from '../replicaset-pods.ts';
import { placement } from './placement.ts';
import { isPodUpdated } from './pods.ts';

/** The writes of one DaemonSet sync. */
export interface DaemonPlan {
  /** Nodes that get a new daemon pod. */
  createOn: string[];
  /** Pods to delete. */
  remove: Pod[];
  /** Nodes whose failed pod is deleted now (their backoff grows). */
  failedOn: string[];
  /** Sync again after this many ms (a failed pod waiting out its backoff). */
  requeueAfterMs?: number;
}

/** What the plan needs besides the DaemonSet: nodes, its pods by node, the time, the backoff. */
export interface DaemonInputs {
  nodes: readonly Node[];
  /** From podsByNode(): the DaemonSet's pods by target node, oldest first. */
  pods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  nowMs: number;
  /** Ms left before a failed pod on `node` may be deleted again (0: now). */
  failedBackoffMs: (node: string) => number;
}

/** manage(): creations and deletions that put one daemon pod on each eligible node. */
export function manage(ds: DaemonSet, x: DaemonInputs): DaemonPlan {
  const plan: DaemonPlan = { createOn: [], remove: [], failedOn: [] };
  const waits: number[] = [];
  const names = new Set<string>();
  for (const node of x.nodes) {
    const name = node.metadata.name ?? '';
    names.add(name);
    const { shouldRun, shouldContinueRunning } = placement(ds, node);
    const pods = x.pods.get(name) ?? [];
    if (shouldRun && pods.length === 0) {
      plan.createOn.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        // A daemon that exited cleanly is replaced too (it should never exit).
        if (pod.status?.phase === 'Succeeded') {
          plan.remove.push(pod);
          continue;
        }
        if (pod.status?.phase !== 'Failed') {
          running.push(pod);
          continue;
        }
        // A kubelet that keeps rejecting the pod must not make this a hot loop.
        const wait = x.failedBackoffMs(name);
        if (wait > 0) waits.push(wait);
        else {
          plan.remove.push(pod);
          plan.failedOn.push(name);
        }
      }
      plan.remove.push(...running.slice(1)); // keep the oldest
    } else {
      plan.remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
  }
  for (const [name, pods] of x.pods) {
    if (names.has(name)) continue;
    // Pinned to a node that is gone: the scheduler can never place it.
    plan.remove.push(...pods.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp));
  }
  if (waits.length > 0) plan.requeueAfterMs = Math.min(...waits);
  return plan;
}

/** The pods a RollingUpdate (maxSurge 0) deletes now to make room for the current template. */
export function rollingUpdate(ds: DaemonSet, x: DaemonInputs): Pod[] {
  const eligible = x.nodes.filter((n) => placement(ds, n).shouldRun);
  const maxUnavailable = maxUnavailableOf(ds, eligible.length);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const nodes = new Set([...x.pods.keys(), ...eligible.map((n) => n.metadata.name ?? '')]);
  let unavailable = 0;
  const mustReplace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const name of [...nodes].sort()) {
    const live = (x.pods.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    if (live.length !== 1) {
      unavailable++; // none yet, or old and new together: manage() sorts it out; unavailable till then
      continue;
    }
    const [pod] = live as [Pod];
    const available = isPodAvailable(pod, minReady, x.nowMs);
    if (isPodUpdated(pod, x.hash)) {
      if (!available) unavailable++;
    } else if (!available) {
      mustReplace.push(pod); // an old pod that is not available anyway
    } else if (unavailable < maxUnavailable) {
      candidates.push(pod);
    }
  }
  const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
  return [...mustReplace, ...candidates.slice(0, room)];
}

/**
 * maxUnavailable of the update strategy as a number of nodes: a
 * percentage of `desired` rounded up; 1 when it comes out 0 (with no surge,
 * nothing could move otherwise).
 */
export function maxUnavailableOf(ds: DaemonSet, desired: number): number {
  const v = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (/^\d+%$/.test(v)) n = Math.ceil((Number.parseInt(v, 10) * desired) / 100);
  else n = Number.parseInt(v, 10) || 0;
  return desired > 0 && n <= 0 ? 1 : Math.max(0, n);
}
