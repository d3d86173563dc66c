/**
 * One reconcile pass over a Deployment: its current object and
 * ReplicaSets, refreshed after every write this pass makes, so later
 * writes carry the resourceVersion the server just returned (Kubernetes
 * reuses the cached object and meets 409s instead). Writes that race with
 * another writer still fail with 409 Conflict and the key is retried.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.ts';
import { DEPLOYMENTS, REPLICASETS, type DeploymentDeps } from './deps.ts';
import { desiredReplicas, maxSurge } from './fenceposts.ts';
import { specReplicas } from './replicasets.ts';
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './revisions.ts';

export class Pass {
  readonly deps: DeploymentDeps;
  /** The Deployment as last read or written (a private copy). */
  d: Deployment;
  private readonly rss = new Map<string, ReplicaSet>();

  constructor(deps: DeploymentDeps, d: Deployment, rss: readonly ReplicaSet[]) {
    this.deps = deps;
    this.d = d;
    for (const rs of rss) this.rss.set(rs.metadata.uid ?? '', rs);
  }

  /** Every ReplicaSet the Deployment controls, latest versions. */
  replicaSets(): ReplicaSet[] {
    return [...this.rss.values()];
  }

  /** The latest version of `rs` seen in this pass. */
  fresh(rs: ReplicaSet): ReplicaSet;
  fresh(rs: ReplicaSet | undefined): ReplicaSet | undefined;
  fresh(rs: ReplicaSet | undefined): ReplicaSet | undefined {
    return rs && (this.rss.get(rs.metadata.uid ?? '') ?? rs);
  }

  /** Records a ReplicaSet written (or found) in this pass. */
  remember(rs: ReplicaSet): ReplicaSet {
    this.rss.set(rs.metadata.uid ?? '', rs);
    return this.deps.written.replicaSets.remember(rs);
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Writes the Deployment's status together with its annotations (as UpdateStatus does). */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    const written = await this.deps.client.updateStatus(DEPLOYMENTS, { ...this.d, status });
    this.d = this.deps.written.deployments.remember(written);
  }

  /** Scales `rs` unless it already has `replicas` (scaleReplicaSetAndRecordEvent); true when written. */
  async scaleIfNeeded(rs: ReplicaSet, replicas: number): Promise<boolean> {
    if (specReplicas(rs) === replicas) return false;
    await this.scale(rs, replicas);
    return true;
  }

  /** Sets spec.replicas and the replicas annotations of `rs` when either differs (scaleReplicaSet). */
  async scale(rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const cur = this.fresh(rs);
    const want = desiredReplicas(this.d);
    const max = want + maxSurge(this.d);
    if (specReplicas(cur) === replicas && !replicasAnnotationsNeedUpdate(cur, want, max))
      return cur;
    const next = structuredClone(cur);
    next.spec.replicas = replicas;
    setReplicasAnnotations(next, want, max);
    this.deps.logger.info('Scaling replica set', {
      deployment: this.d.metadata.name,
      replicaSet: cur.metadata.name,
      from: specReplicas(cur),
      to: replicas,
    });
    return this.remember(await this.deps.client.update(REPLICASETS, next));
  }
}
