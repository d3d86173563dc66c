/**
 * The controller runtime: a client-go style work queue, the reconcile
 * engine, event-to-key handlers, and Lease-based leader election. Controllers
 * (control-plane/controllers/*.ts) and the scheduler build on these.
 */
export { realClock, sleep, type Clock, type ClockTimer } from './clock.ts';
export { KeyedHeap } from './keyed-heap.ts';
export {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
} from './rate-limiter.ts';
export { WorkQueue, type WorkQueueOptions } from './work-queue.ts';
export {
  TerminalError,
  runController,
  type ControllerOptions,
  type Reconcile,
  type Result,
} from './controller.ts';
export {
  controllerOf,
  enqueueObject,
  enqueueOwner,
  type EventHandlers,
  type KeySink,
} from './handlers.ts';
export {
  decideLease,
  isLeaseValid,
  microTime,
  observe,
  releasedLease,
  type LeaseDecision,
  type LeaseInput,
  type Observation,
} from './lease-decision.ts';
export { apiLeaseClient, type LeaseClient } from './lease-client.ts';
export { runLeaderElection, type LeaderElectionOptions } from './leader-election.ts';
