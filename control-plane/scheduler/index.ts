/**
 * The scheduler's pure logic: the cluster snapshot, the filters and scores
 * of kube-scheduler's default profile, schedulePod with kube-scheduler's
 * unschedulable messages, and the scheduling queue. The scheduling loop
 * (informers, binding through pods/binding, events) builds on these.
 */
export { ClusterSnapshot, LABEL_HOSTNAME, LABEL_ZONE } from './snapshot.ts';
export { NodeInfo } from './node-info.ts';
export { podInfoOf, podKey, type PodInfo } from './pod-info.ts';
export {
  FILTERS,
  REASON_ANTI_AFFINITY,
  REASON_EXISTING_ANTI_AFFINITY,
  REASON_NODE_AFFINITY,
  REASON_NODE_NAME,
  REASON_NODE_PORTS,
  REASON_TOO_MANY_PODS,
  REASON_UNSCHEDULABLE,
  runFilters,
  type CycleState,
  type FilterPlugin,
  type Rejection,
} from './filters.ts';
export { SCORE_WEIGHTS, scoreNodes } from './scores.ts';
export { fitErrorMessage } from './fit-error.ts';
export {
  NOT_ELIGIBLE_NEVER,
  REASON_NOT_HELPFUL,
  REASON_NO_VICTIMS,
  preemptionOutcome,
} from './preemption.ts';
export {
  NO_NODES_MESSAGE,
  numFeasibleNodesToFind,
  schedulePod,
  type ScheduleOptions,
  type ScheduleResult,
} from './schedule.ts';
export { SchedulingQueue, type ClusterEvent, type QueueOptions, type QueuedPod } from './queue.ts';
