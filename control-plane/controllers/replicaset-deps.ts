/**
 * What the ReplicaSet controller reads and writes: the API client, the
 * ReplicaSet informer, indexes of pods and ReplicaSets, the expectations
 * and the clock. The resources it uses are named here once.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Pod, ReplicaSet } from '../api/types.ts';
import type { Expectations } from './replicaset-expectations.ts';
import type { ObjectIndex } from './replicaset-index.ts';
import type { Clock } from './runtime/clock.ts';

export const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
export const REPLICASETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;

export interface ReplicaSetDeps {
  client: ApiClient;
  replicaSets: Informer<ReplicaSet>;
  /** ReplicaSets by namespace and by controlling owner (a Deployment). */
  replicaSetIndex: ObjectIndex<ReplicaSet>;
  /** Pods by namespace and by controlling owner. */
  pods: ObjectIndex<Pod>;
  expectations: Expectations;
  clock: Clock;
}
