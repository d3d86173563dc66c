/**
 * schedulePod: one scheduling attempt, kube-scheduler's scheduling cycle
 * without side effects. PreFilter (node names from matchFields, pod
 * anti-affinity state), Filter over the nodes starting where the last
 * attempt stopped and stopping once enough feasible nodes are found
 * (percentageOfNodesToScore: adaptive, at least 100 nodes), Score, and pick
 * the best (ties broken at random). A pod that fits nowhere gets the
 * FitError message kube-scheduler would write, preemption part included.
 *
 * Cost: O(evaluated nodes) plus, for pods with anti-affinity, O(bound pods).
 *
 * @example
 * const r = schedulePod(pod, snapshot);
 * if ('node' in r) snapshot.assume(pod, r.node); // then bind through the API
 * else console.log(r.unschedulable); // "0/3 nodes are available: ..."
 */
import type { Pod } from '../api/types.ts';
import { antiAffinityState } from './anti-affinity.ts';
import { runFilters, type CycleState, type FilterPlugin, type Rejection } from './filters.ts';
import { fitErrorMessage } from './fit-error.ts';
import {
  isUnrestricted,
  preferredTerms,
  requiredNodeAffinity,
  requiredNodeNames,
} from './node-affinity.ts';
import type { NodeInfo } from './node-info.ts';
import { podInfoOf } from './pod-info.ts';
import { preemptionOutcome } from './preemption.ts';
import { scoreNodes } from './scores.ts';
import type { ClusterSnapshot } from './snapshot.ts';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
export const REASON_AFFINITY_CONFLICT = 'pod affinity terms conflict';
export const REASON_PREFILTER_NODE_AFFINITY = "node(s) didn't satisfy plugin(s) [NodeAffinity]";

// kube-scheduler's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind.
const MIN_FEASIBLE = 100;
const MIN_PERCENTAGE = 5;

export interface ScheduleOptions {
  /** Share of nodes to find feasible before scoring; 0 or absent: adaptive (50 % − nodes/125, at least 5 %). */
  percentageOfNodesToScore?: number;
  /** Where to start in the node list (pass the previous result's nextStartIndex). */
  startIndex?: number;
  /** Uniform [0, 1) source for breaking ties. Default Math.random. */
  random?: () => number;
}

export type ScheduleResult =
  | { node: string; feasibleNodes: number; evaluatedNodes: number; nextStartIndex: number }
  | {
      /** The PodScheduled=False message: "0/3 nodes are available: ...". */
      unschedulable: string;
      /** Plugins that rejected nodes, for re-queueing on matching cluster events. */
      plugins: Set<FilterPlugin>;
      /** Nodes where evicting lower-priority pods would make room (skiff does not preempt). */
      preemptionCandidates: string[];
      nextStartIndex: number;
    };

/** Picks a node for `pod` in `snapshot`, or explains why none fits. */
export function schedulePod(
  pod: Pod,
  snapshot: ClusterSnapshot,
  opts: ScheduleOptions = {},
): ScheduleResult {
  const start = opts.startIndex ?? 0;
  const all = snapshot.nodes();
  const fail = (msg: string, plugins: FilterPlugin[] = []) => ({
    unschedulable: msg,
    plugins: new Set(plugins),
    preemptionCandidates: [],
    nextStartIndex: start,
  });
  if (all.length === 0) return fail(NO_NODES_MESSAGE);

  const info = podInfoOf(pod);
  const required = requiredNodeAffinity(pod);
  const s: CycleState = { pod: info, required, antiAffinity: antiAffinityState(info, snapshot) };
  const names = isUnrestricted(required) ? undefined : requiredNodeNames(required);
  if (names?.size === 0) {
    // PreFilter rejected every node at once; preemption cannot help any of them.
    const { message } = preemptionOutcome(s, new Map(), snapshot);
    const msg = fitErrorMessage(
      all.length,
      { explicit: [] },
      {
        preFilterMsg: REASON_AFFINITY_CONFLICT,
        ...(message === undefined ? {} : { postFilterMsg: message }),
      },
    );
    return fail(msg, ['NodeAffinity']);
  }
  const nodes = names ? [...names].flatMap((n) => snapshot.get(n) ?? []) : all;

  const { feasible, rejected, processed } = findFeasible(s, nodes, start, opts);
  const nextStartIndex = names ? start : (start + processed) % Math.max(1, all.length);
  if (feasible.length === 0) {
    const absent = names ? [REASON_PREFILTER_NODE_AFFINITY] : [];
    const preemption = preemptionOutcome(s, rejected, snapshot);
    const unschedulable = fitErrorMessage(
      all.length,
      { explicit: [...rejected.values()].map((r) => r.reasons), absent },
      preemption.message === undefined ? {} : { postFilterMsg: preemption.message },
    );
    const plugins = new Set([...rejected.values()].map((r) => r.plugin));
    if (names) plugins.add('NodeAffinity');
    return { unschedulable, plugins, preemptionCandidates: preemption.candidates, nextStartIndex };
  }
  const chosen = feasible.length === 1 ? feasible[0] : pickBest(s, feasible, snapshot, opts);
  return {
    node: (chosen as NodeInfo).name,
    feasibleNodes: feasible.length,
    evaluatedNodes: processed,
    nextStartIndex,
  };
}

/** How many feasible nodes to find before scoring (numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE) return numAllNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(MIN_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
  if (p >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE, Math.trunc((numAllNodes * p) / 100));
}

function findFeasible(
  s: CycleState,
  nodes: readonly NodeInfo[],
  start: number,
  opts: ScheduleOptions,
) {
  const want = numFeasibleNodesToFind(nodes.length, opts.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const rejected = new Map<NodeInfo, Rejection>();
  const n = nodes.length;
  let processed = 0;
  while (processed < n && feasible.length < want) {
    const node = nodes[(start + processed) % n] as NodeInfo;
    processed++;
    const r = runFilters(s, node);
    if (r) rejected.set(node, r);
    else feasible.push(node);
  }
  return { feasible, rejected, processed };
}

// The highest total; among equals, each is kept with equal chance (selectHost).
function pickBest(
  s: CycleState,
  nodes: readonly NodeInfo[],
  snapshot: ClusterSnapshot,
  opts: ScheduleOptions,
): NodeInfo {
  const random = opts.random;
  const totals = scoreNodes(s, nodes, preferredTerms(s.pod.pod), snapshot);
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    const t = totals[i] as number;
    const b = totals[best] as number;
    if (t > b) {
      best = i;
      ties = 1;
    } else if (t === b) {
      ties++;
      // Math.random called directly can be inlined (no boxed number per tie).
      if (Math.floor((random === undefined ? Math.random() : random()) * ties) === 0) best = i;
    }
  }
  return nodes[best] as NodeInfo;
}
