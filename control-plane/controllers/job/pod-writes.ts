/**
 * Creating and deleting an owner's pods with expectations, as Kubernetes'
 * controllers do (used by the Job and DaemonSet controllers): creations go
 * out in slow-start batches (1, 2, 4 ...) and stop at the first failing
 * batch; deletions carry a uid precondition. Expectations are raised
 * before the writes and lowered for the writes that failed or never went
 * out, so the next pass waits only for what the cache will really show.
 */
import type { ApiClient } from '../../api/client/client.ts';
import { objectKey } from '../../api/client/informer-cache.ts';
import { ApiError } from '../../api/errors.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import type { Job, OwnerReference, Pod } from '../../api/types.ts';
import type { WriteExpectations } from './write-expectations.ts';
import { podFromTemplate, slowStartBatches } from '../replicaset-pods.ts';
import { errorText, isNamespaceTerminating } from '../runtime/api-answers.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

/** What a round of pod writes achieved. */
export interface WriteOutcome {
  /** Pods that were to be created but were not. */
  notCreated: number;
  /** The first error, if any write failed for a reason other than "already gone". */
  failure?: string;
}

/** Creates `pods` for the owner with `key`, in slow-start batches. */
export async function createPods(
  client: ApiClient,
  key: string,
  pods: readonly Pod[],
  expectations: WriteExpectations,
): Promise<WriteOutcome> {
  if (pods.length === 0) return { notCreated: 0 };
  expectations.expectCreations(key, pods.length);
  let next = 0;
  let created = 0;
  let failure: string | undefined;
  for (const size of slowStartBatches(pods.length)) {
    const batch = pods.slice(next, next + size);
    next += size;
    const results = await Promise.allSettled(batch.map((p) => client.create(PODS, p)));
    for (const r of results) {
      if (r.status === 'fulfilled') created++;
      else if (!isNamespaceTerminating(r.reason)) failure ??= errorText(r.reason);
    }
    if (failure !== undefined) break;
  }
  // The informer will never show the pods that failed or were not attempted.
  for (let i = created; i < pods.length; i++) expectations.creationObserved(key);
  return failure === undefined
    ? { notCreated: pods.length - created }
    : { notCreated: pods.length - created, failure };
}

/** Deletes `pods` of the owner with `key` (gracefully, uid precondition); returns the first error. */
export async function deletePods(
  client: ApiClient,
  key: string,
  pods: readonly Pod[],
  expectations: WriteExpectations,
): Promise<string | undefined> {
  if (pods.length === 0) return undefined;
  expectations.expectDeletions(key, pods.map(objectKey));
  const results = await Promise.allSettled(
    pods.map((p) =>
      client.delete(PODS, p.metadata.name ?? '', {
        namespace: p.metadata.namespace,
        preconditions: { uid: p.metadata.uid },
      }),
    ),
  );
  let failure: string | undefined;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    expectations.deletionObserved(key, objectKey(pods[i] as Pod));
    const gone = r.reason instanceof ApiError && (r.reason.code === 404 || r.reason.code === 409);
    if (!gone) failure ??= errorText(r.reason);
  });
  return failure;
}

/** The Job's pod writes of one pass: `remove` deleted, else `create` pods made from the template. */
export async function writePodChanges(
  client: ApiClient,
  job: Job,
  plan: { create: number; remove: readonly Pod[] },
  ref: OwnerReference,
  expectations: WriteExpectations,
): Promise<WriteOutcome> {
  const key = objectKey(job);
  if (plan.remove.length > 0) {
    const failure = await deletePods(client, key, plan.remove, expectations);
    return failure === undefined ? { notCreated: 0 } : { notCreated: 0, failure };
  }
  const template = job.spec.template ?? { spec: { containers: [] } };
  const pod = podFromTemplate(template, job.metadata.namespace ?? '', job.metadata.name ?? '', ref);
  const pods = Array.from({ length: plan.create }, () => structuredClone(pod));
  return createPods(client, key, pods, expectations);
}
