/**
 * Finding or creating the Deployment's new ReplicaSet and keeping the
 * revisions in step (getAllReplicaSetsAndSyncRevision / getNewReplicaSet
 * of Kubernetes' sync.go):
 *
 * - the new ReplicaSet is the one whose template equals the Deployment's;
 *   it gets revision max(old) + 1 (a rollback thus renumbers an old one,
 *   keeping its earlier number in revision-history), the Deployment's
 *   annotations and its minReadySeconds;
 * - when none exists (and `create`), one named `<deployment>-<hash>` is
 *   created, its template and selector carrying pod-template-hash, sized
 *   as far as maxSurge allows; a name taken by a different ReplicaSet (a
 *   hash collision) bumps status.collisionCount and the next pass tries a
 *   new hash;
 * - the Deployment's revision annotation follows, and Progressing records
 *   NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetCreateError.
 */
import { ApiError } from '../../api/errors.ts';
import type { Deployment, ReplicaSet } from '../../api/types.ts';
import { controllerRef } from '../replicaset-pods.ts';
import {
  FAILED_RS_CREATE,
  FOUND_NEW_RS,
  NEW_RS_CREATED,
  getCondition,
  newCondition,
  setCondition,
} from './conditions.ts';
import { REPLICASETS } from './deps.ts';
import { maxSurge } from './fenceposts.ts';
import { POD_TEMPLATE_HASH, computeHash, equalIgnoreHash } from './hash.ts';
import type { Pass } from './pass.ts';
import { findNewReplicaSet, findOldReplicaSets } from './replicasets.ts';
import { REVISION, maxRevision, setNewReplicaSetAnnotations } from './revisions.ts';
import { newReplicaSetReplicas } from './rolling.ts';
import { hasProgressDeadline } from './status.ts';

/** The new ReplicaSet (undefined when none and not `create`) and all old ones. */
export async function allReplicaSets(
  pass: Pass,
  create: boolean,
): Promise<{ newRs: ReplicaSet | undefined; oldRss: ReplicaSet[] }> {
  const oldRss = findOldReplicaSets(pass.d, pass.replicaSets()).all;
  const newRs = await newReplicaSet(pass, oldRss, create);
  return { newRs, oldRss: oldRss.map((rs) => pass.fresh(rs)) };
}

async function newReplicaSet(
  pass: Pass,
  oldRss: ReplicaSet[],
  create: boolean,
): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(pass.d, pass.replicaSets());
  const revision = maxRevision(oldRss) + 1;
  if (existing) return syncExisting(pass, existing, revision);
  if (!create) return undefined;
  return createNew(pass, oldRss, revision);
}

async function syncExisting(pass: Pass, rs: ReplicaSet, revision: number): Promise<ReplicaSet> {
  const d = pass.d;
  const copy = structuredClone(rs);
  const annotated = setNewReplicaSetAnnotations(d, copy, revision, true, maxSurge(d));
  const minReady = d.spec.minReadySeconds ?? 0;
  if (annotated || (copy.spec.minReadySeconds ?? 0) !== minReady) {
    copy.spec.minReadySeconds = minReady;
    return pass.remember(await pass.deps.client.update(REPLICASETS, copy));
  }
  const status = structuredClone(d.status ?? {});
  let changed = setDeploymentRevision(d, rs.metadata.annotations?.[REVISION] ?? '');
  if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
    const msg = `Found new replica set "${rs.metadata.name ?? ''}"`;
    setCondition(status, newCondition('Progressing', 'True', FOUND_NEW_RS, msg, pass.now()));
    changed = true;
  }
  if (changed) await pass.writeStatus(status);
  return rs;
}

async function createNew(pass: Pass, oldRss: ReplicaSet[], revision: number): Promise<ReplicaSet> {
  const d = pass.d;
  const rs = replicaSetFor(d);
  rs.spec.replicas = newReplicaSetReplicas(d, [...oldRss, rs], rs);
  setNewReplicaSetAnnotations(d, rs, revision, false, maxSurge(d));
  const status = structuredClone(d.status ?? {});
  let created: ReplicaSet;
  let existed = false;
  try {
    created = await pass.deps.client.create(REPLICASETS, rs);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.code !== 409) {
      if (hasProgressDeadline(d)) {
        const msg = `Failed to create new replica set "${rs.metadata.name ?? ''}": ${err.message}`;
        setCondition(
          status,
          newCondition('Progressing', 'False', FAILED_RS_CREATE, msg, pass.now()),
        );
        await pass.writeStatus(status);
      }
      throw err;
    }
    const found = await pass.deps.client.get<ReplicaSet>(REPLICASETS, rs.metadata.name ?? '', {
      namespace: rs.metadata.namespace,
    });
    const ours = found.metadata.ownerReferences?.some(
      (r) => r.controller === true && r.uid === d.metadata.uid,
    );
    if (!ours || !equalIgnoreHash(found.spec.template, d.spec.template)) {
      // A different ReplicaSet holds the name: the next pass hashes with a higher count.
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      await pass.writeStatus(status);
      throw new Error(
        `hash collision for deployment ${d.metadata.name ?? ''}: replica set ${found.metadata.name ?? ''} exists with another template; collisionCount is now ${status.collisionCount}`,
      );
    }
    created = found;
    existed = true;
  }
  pass.remember(created);
  let changed = setDeploymentRevision(d, String(revision));
  if (!existed && hasProgressDeadline(d)) {
    const msg = `Created new replica set "${created.metadata.name ?? ''}"`;
    setCondition(status, newCondition('Progressing', 'True', NEW_RS_CREATED, msg, pass.now()));
    changed = true;
  }
  if (changed) await pass.writeStatus(status);
  return created;
}

/** The ReplicaSet a Deployment's current template makes (no replicas or revision yet). */
export function replicaSetFor(d: Deployment): ReplicaSet {
  const template = structuredClone(d.spec.template);
  const hash = computeHash(template, d.status?.collisionCount);
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec.minReadySeconds ?? 0,
      selector,
      template,
    },
  };
}

// SetDeploymentRevision: true when the annotation changed.
function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION] === revision) return false;
  a[REVISION] = revision;
  return true;
}
