/**
 * The ReplicaSet controller's event handlers (addPod/updatePod/deletePod
 * of Kubernetes' replica_set.go). They map events to ReplicaSet keys and
 * record observed creations and deletions in the expectations; they never
 * act on a payload otherwise.
 *
 * - a pod with a controlling ReplicaSet: that ReplicaSet (a pod that
 *   changed owner: the old one too);
 * - an orphan pod that is added or changed labels: every ReplicaSet of its
 *   namespace whose selector matches (one of them may adopt it);
 * - a pod becoming ready under minReadySeconds: again once it is available.
 */
import { objectKey } from '../api/client/informer-cache.ts';
import type { Informer } from '../api/client/informer.ts';
import { matchesLabels } from '../api/selectors.ts';
import type { OwnerReference, Pod, ReplicaSet } from '../api/types.ts';
import type { ReplicaSetDeps } from './replicaset-deps.ts';
import { isPodReady } from './replicaset-pods.ts';
import { selectorOf } from './replicaset-selector.ts';
import type { WorkQueue } from './runtime/work-queue.ts';

export class ReplicaSetEvents {
  private readonly d: ReplicaSetDeps;
  private readonly queue: WorkQueue;

  constructor(d: ReplicaSetDeps, queue: WorkQueue) {
    this.d = d;
    this.queue = queue;
  }

  /** Adds the handlers to the informers (after the indexes, so they see current state). */
  register(replicaSets: Informer<ReplicaSet>, pods: Informer<Pod>): void {
    const enqueue = (rs: ReplicaSet): void => this.queue.add(objectKey(rs));
    replicaSets
      .on('add', enqueue)
      .on('update', (_old, rs) => enqueue(rs))
      .on('delete', enqueue);
    pods
      .on('add', (p) => this.podAdded(p))
      .on('update', (old, p) => this.podUpdated(old, p))
      .on('delete', (p) => this.podDeleted(p));
  }

  private podAdded(pod: Pod): void {
    // A pod restored by a relist while already terminating counts as a deletion.
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllingRef(pod);
    if (ref) {
      const key = this.resolve(pod, ref);
      if (key) {
        this.d.expectations.creationObserved(key);
        this.queue.add(key);
      }
      return;
    }
    this.enqueueMatching(pod);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    const labelsChanged = !sameLabels(old, pod);
    if (pod.metadata.deletionTimestamp) {
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllingRef(old);
    const ref = controllingRef(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const key = this.resolve(old, oldRef);
      if (key) this.queue.add(key);
    }
    if (ref) {
      const key = this.resolve(pod, ref);
      if (!key) return;
      this.queue.add(key);
      const minReady = this.d.replicaSets.get(key)?.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod))
        this.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) this.enqueueMatching(pod);
  }

  private podDeleted(pod: Pod): void {
    const ref = controllingRef(pod);
    if (!ref) return;
    const key = this.resolve(pod, ref);
    if (!key) return;
    this.d.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  // The key of the ReplicaSet `ref` names, if it is one and is the same object (uid).
  private resolve(pod: Pod, ref: OwnerReference): string | undefined {
    if (ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const key = `${pod.metadata.namespace ?? ''}/${ref.name}`;
    return this.d.replicaSets.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  private enqueueMatching(pod: Pod): void {
    for (const rs of this.d.replicaSetIndex.inNamespace(pod.metadata.namespace ?? '')) {
      const sel = selectorOf(rs);
      if (sel && matchesLabels(sel, pod.metadata.labels)) this.queue.add(objectKey(rs));
    }
  }
}

function controllingRef(pod: Pod): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller === true);
}

function sameLabels(a: Pod, b: Pod): boolean {
  const x = a.metadata.labels ?? {};
  const y = b.metadata.labels ?? {};
  const kx = Object.keys(x);
  return kx.length === Object.keys(y).length && kx.every((k) => x[k] === y[k]);
}
