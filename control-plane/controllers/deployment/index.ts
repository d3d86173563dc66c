/**
 * The Deployment controller: RollingUpdate and Recreate rollouts over
 * ReplicaSets, revisions kubectl can roll back to, pause and resume,
 * proportional scaling, revisionHistoryLimit, and the status and
 * conditions `kubectl rollout status` reads. See reconcile.ts for one
 * pass; the files beside it hold the pure arithmetic.
 *
 * Events map to Deployment keys: a Deployment's own changes; a
 * ReplicaSet's changes to its controlling Deployment (an orphan's to every
 * Deployment of the namespace that selects it); a deleted pod to the
 * Deployment above its ReplicaSet (Recreate waits for old pods to go).
 */
import { objectKey } from '../../api/client/informer-cache.ts';
import type { Informer } from '../../api/client/informer.ts';
import { matchesLabels } from '../../api/selectors.ts';
import type { Deployment, OwnerReference, Pod, ReplicaSet } from '../../api/types.ts';
import { ObjectIndex } from '../replicaset-index.ts';
import { selectorOf } from '../replicaset-selector.ts';
import type { ControllerSpec } from '../runtime/spec.ts';
import type { WorkQueue } from '../runtime/work-queue.ts';
import { DEPLOYMENTS, PODS, REPLICASETS, type DeploymentDeps } from './deps.ts';
import { MutationCache } from './mutation-cache.ts';
import { reconcileDeployment } from './reconcile.ts';

export { reconcileDeployment } from './reconcile.ts';
export type { DeploymentDeps } from './deps.ts';

/** The controller as the manager runs it (5 workers, as ConcurrentDeploymentSyncs). */
export const controller: ControllerSpec = {
  name: 'deployment',
  workers: 5,
  setup(ctx) {
    const deployments = ctx.informer<Deployment>(DEPLOYMENTS);
    const replicaSets = ctx.informer<ReplicaSet>(REPLICASETS);
    const pods = ctx.informer<Pod>(PODS);
    const deps: DeploymentDeps = {
      client: ctx.client,
      deployments,
      deploymentIndex: new ObjectIndex(deployments),
      replicaSets,
      replicaSetIndex: new ObjectIndex(replicaSets),
      pods: new ObjectIndex(pods),
      written: { deployments: new MutationCache(), replicaSets: new MutationCache() },
      clock: ctx.clock,
      logger: ctx.logger,
    };
    register(deps, ctx.queue, pods);
    return { reconcile: (key) => reconcileDeployment(key, deps) };
  },
};

function register(deps: DeploymentDeps, queue: WorkQueue, pods: Informer<Pod>): void {
  const enqueue = (d: Deployment): void => queue.add(objectKey(d));
  deps.deployments
    .on('add', enqueue)
    .on('update', (_o, d) => enqueue(d))
    .on('delete', enqueue);

  const owner = (rs: ReplicaSet, ref: OwnerReference | undefined): string | undefined => {
    if (ref?.kind !== 'Deployment') return undefined;
    const key = `${rs.metadata.namespace ?? ''}/${ref.name}`;
    return deps.deployments.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  const matching = (rs: ReplicaSet): void => {
    for (const d of deps.deploymentIndex.inNamespace(rs.metadata.namespace ?? '')) {
      const sel = selectorOf(d);
      if (sel && matchesLabels(sel, rs.metadata.labels)) enqueue(d);
    }
  };
  const rsChanged = (rs: ReplicaSet): void => {
    const ref = controlling(rs);
    const key = owner(rs, ref);
    if (key) queue.add(key);
    else if (!ref && !rs.metadata.deletionTimestamp) matching(rs);
  };
  deps.replicaSets
    .on('add', rsChanged)
    .on('update', (old, rs) => {
      const oldKey = owner(old, controlling(old));
      if (oldKey) queue.add(oldKey);
      rsChanged(rs);
    })
    .on('delete', (rs) => {
      deps.written.replicaSets.forget(rs.metadata.uid);
      const key = owner(rs, controlling(rs));
      if (key) queue.add(key);
    });
  pods.on('delete', (pod) => {
    const ref = controlling(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = deps.replicaSets.get(`${pod.metadata.namespace ?? ''}/${ref.name}`);
    const key = rs && owner(rs, controlling(rs));
    if (key && deps.deployments.get(key)?.spec.strategy?.type === 'Recreate') queue.add(key);
  });
}

function controlling(obj: {
  metadata: { ownerReferences?: OwnerReference[] };
}): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}
