/**
 * Pod event handlers for a controller that owns pods through a controlling
 * ownerReference (the Job and DaemonSet controllers' addPod / updatePod /
 * deletePod). They map each event to owner keys and record observed
 * creations and deletions in the expectations; they act on nothing else.
 *
 * - a pod with a controlling owner of this kind: that owner (a pod that
 *   changed owner: the old one too);
 * - an orphan pod added or relabelled: every owner of its namespace whose
 *   selector matches it (one of them may adopt it).
 */
import { objectKey } from '../../api/client/informer-cache.ts';
import type { Informer } from '../../api/client/informer.ts';
import { matchesLabels, type LabelSelectorRequirement } from '../../api/selectors.ts';
import type { KubeObject, OwnerReference, Pod } from '../../api/types.ts';
import type { WriteExpectations } from './write-expectations.ts';
import type { ObjectIndex } from '../replicaset-index.ts';
import type { KeySink } from '../runtime/handlers.ts';

/** The owner kind, its caches and the sinks the handlers feed. */
export interface OwnedPodEventsOptions<O extends KubeObject> {
  /** The owner kind and API group ("Job", "batch"). */
  kind: string;
  group: string;
  owners: Informer<O>;
  /** Owners by namespace, to find those whose selector matches an orphan. */
  ownerIndex: ObjectIndex<O>;
  /** The owner's compiled selector; undefined when invalid (selects nothing). */
  selectorOf: (owner: O) => readonly LabelSelectorRequirement[] | undefined;
  expectations: WriteExpectations;
  queue: KeySink;
}

/** Adds the owner and pod handlers (after the indexes, so they see current state). */
export function registerOwnedPodEvents<O extends KubeObject>(
  pods: Informer<Pod>,
  o: OwnedPodEventsOptions<O>,
): void {
  const enqueue = (owner: O): void => o.queue.add(objectKey(owner));
  o.owners
    .on('add', enqueue)
    .on('update', (_old, owner) => enqueue(owner))
    .on('delete', (owner) => {
      o.expectations.delete(objectKey(owner));
      enqueue(owner);
    });

  // The key of the owner `ref` names, if it is of this kind and the same object (uid).
  const resolve = (pod: Pod, ref: OwnerReference | undefined): string | undefined => {
    if (!ref || ref.kind !== o.kind || apiGroup(ref.apiVersion) !== o.group) return undefined;
    const key = `${pod.metadata.namespace ?? ''}/${ref.name}`;
    return o.owners.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  const matching = (pod: Pod): void => {
    for (const owner of o.ownerIndex.inNamespace(pod.metadata.namespace ?? '')) {
      const sel = o.selectorOf(owner);
      if (sel && matchesLabels(sel, pod.metadata.labels)) enqueue(owner);
    }
  };
  const deleted = (pod: Pod): void => {
    const key = resolve(pod, controllingRef(pod));
    if (!key) return;
    o.expectations.deletionObserved(key, objectKey(pod));
    o.queue.add(key);
  };

  pods
    .on('add', (pod) => {
      // A pod restored by a relist while already terminating counts as a deletion.
      if (pod.metadata.deletionTimestamp) return deleted(pod);
      const ref = controllingRef(pod);
      const key = resolve(pod, ref);
      if (key) {
        o.expectations.creationObserved(key);
        o.queue.add(key);
      } else if (!ref) matching(pod);
    })
    .on('update', (old, pod) => {
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) deleted(pod);
      const oldKey = resolve(old, controllingRef(old));
      const key = resolve(pod, controllingRef(pod));
      if (oldKey && oldKey !== key) o.queue.add(oldKey);
      if (key) o.queue.add(key);
      else if (!controllingRef(pod) && (controllingRef(old) || !sameLabels(old, pod))) {
        matching(pod);
      }
    })
    .on('delete', deleted);
}

function controllingRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

function sameLabels(a: Pod, b: Pod): boolean {
  const x = a.metadata.labels ?? {};
  const y = b.metadata.labels ?? {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

// "batch/v1" → "batch", "v1" → "".
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
