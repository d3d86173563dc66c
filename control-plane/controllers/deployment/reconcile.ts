/**
 * reconcileDeployment: one pass of the Deployment controller
 * (syncDeployment of Kubernetes' deployment_controller.go).
 *
 * - desired: the Deployment from the cache (template, replicas, strategy,
 *   paused);
 * - observed: the ReplicaSets it controls after claiming (adopting
 *   matching orphans, releasing those that stopped matching), with their
 *   status as their controller reported it;
 * - sync: a paused or resized Deployment is scaled proportionally; a
 *   changed template rolls (RollingUpdate or Recreate); status and
 *   conditions follow.
 */
import type { Deployment } from '../../api/types.ts';
import { applyClaim, planClaim } from '../replicaset-ownership.ts';
import { controllerRef } from '../replicaset-pods.ts';
import { selectorOf } from '../replicaset-selector.ts';
import { TerminalError, type Result } from '../runtime/controller.ts';
import {
  PAUSED,
  RESUMED,
  TIMED_OUT,
  getCondition,
  newCondition,
  setCondition,
} from './conditions.ts';
import { DEPLOYMENTS, REPLICASETS, type DeploymentDeps } from './deps.ts';
import { allReplicaSets } from './new-replicaset.ts';
import { Pass } from './pass.ts';
import {
  isScalingEvent,
  rolloutRecreate,
  rolloutRolling,
  syncScale,
  syncStatusOnly,
} from './rollout.ts';
import { hasProgressDeadline } from './status.ts';

/** One pass for the Deployment with `key` ("namespace/name"); safe to repeat. */
export async function reconcileDeployment(key: string, deps: DeploymentDeps): Promise<Result> {
  const cached = deps.deployments.get(key);
  if (!cached) return;
  const selector = selectorOf(cached);
  if (!selector) throw new TerminalError(`Deployment ${key} has an invalid selector`);
  const d = structuredClone(deps.written.deployments.newest(cached));
  if (selectsEverything(d)) {
    deps.logger.warn('Deployment selects every pod; not syncing it', { deployment: key });
    return;
  }
  const candidates = deps.replicaSetIndex
    .inNamespace(d.metadata.namespace ?? '')
    .map((rs) => deps.written.replicaSets.newest(rs));
  const ref = controllerRef(d, 'apps/v1', 'Deployment');
  const rss = await applyClaim(
    deps.client,
    REPLICASETS,
    planClaim(d, selector, candidates),
    ref,
    () => stillLive(deps, d),
  );
  const pass = new Pass(deps, d, rss);
  if (d.metadata.deletionTimestamp) {
    const { newRs, oldRss } = await allReplicaSets(pass, false);
    return syncStatusOnly(pass, oldRss, newRs);
  }
  await checkPausedConditions(pass);
  if (pass.d.spec.paused || (await isScalingEvent(pass))) return syncScale(pass);
  if (pass.d.spec.strategy?.type === 'Recreate') return rolloutRecreate(pass);
  return rolloutRolling(pass);
}

// An empty selector would claim every ReplicaSet of the namespace; Kubernetes refuses it too.
function selectsEverything(d: Deployment): boolean {
  const s = d.spec.selector;
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

// Progressing Unknown DeploymentPaused / DeploymentResumed when spec.paused flips.
async function checkPausedConditions(pass: Pass): Promise<void> {
  const d = pass.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === TIMED_OUT) return;
  const pausedShown = cond?.reason === PAUSED;
  const status = structuredClone(d.status ?? {});
  if (d.spec.paused && !pausedShown) {
    setCondition(
      status,
      newCondition('Progressing', 'Unknown', PAUSED, 'Deployment is paused', pass.now()),
    );
  } else if (!d.spec.paused && pausedShown) {
    setCondition(
      status,
      newCondition('Progressing', 'Unknown', RESUMED, 'Deployment is resumed', pass.now()),
    );
  } else return;
  await pass.writeStatus(status);
}

async function stillLive(deps: DeploymentDeps, d: Deployment): Promise<boolean> {
  try {
    const fresh = await deps.client.get<Deployment>(DEPLOYMENTS, d.metadata.name ?? '', {
      namespace: d.metadata.namespace,
    });
    return fresh.metadata.uid === d.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 404) return false;
    throw err;
  }
}
