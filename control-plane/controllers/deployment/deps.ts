/**
 * What the Deployment controller reads and writes, and the resources it
 * names.
 */
import type { ApiClient } from '../../api/client/client.ts';
import type { Informer } from '../../api/client/informer.ts';
import type { Logger } from '../../api/log.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import type { Deployment, Pod, ReplicaSet } from '../../api/types.ts';
import type { ObjectIndex } from '../replicaset-index.ts';
import type { Clock } from '../runtime/clock.ts';
import type { MutationCache } from './mutation-cache.ts';

export const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
export const REPLICASETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
export const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

export interface DeploymentDeps {
  client: ApiClient;
  deployments: Informer<Deployment>;
  /** Deployments by namespace (for orphan ReplicaSets). */
  deploymentIndex: ObjectIndex<Deployment>;
  replicaSets: Informer<ReplicaSet>;
  /** ReplicaSets by namespace and by controlling Deployment. */
  replicaSetIndex: ObjectIndex<ReplicaSet>;
  /** Pods by controlling ReplicaSet (Recreate waits for old pods to go). */
  pods: ObjectIndex<Pod>;
  /** Our own writes, until the informers catch up. */
  written: { deployments: MutationCache<Deployment>; replicaSets: MutationCache<ReplicaSet> };
  clock: Clock;
  logger: Logger;
}
