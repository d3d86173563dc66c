/**
 * A DaemonSet's pods, pure: the pod it creates for a node (the template
 * with the daemon tolerations, the controller-revision-hash and
 * pod-template-generation labels, the pinning node affinity and a
 * controlling ownerReference), whether a pod runs the current template,
 * and the DaemonSet's pods grouped by the node each is for.
 */
import type { DaemonSet, Pod } from '../../api/types.ts';
import { computeHash } from '../deployment/hash.ts';
import { controllerRef, podFromTemplate } from '../replicaset-pods.ts';
import { pinnedAffinity, targetNodeName, withDaemonTolerations } from './placement.ts';

/** The label naming the template revision a daemon pod runs. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label carrying the DaemonSet's generation when the pod was made. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** The revision hash of the DaemonSet's current template (ComputeHash with collisionCount). */
export function revisionHash(ds: DaemonSet): string {
  return computeHash(
    ds.spec.template ?? { spec: { containers: [] } },
    ds.status?.collisionCount ?? undefined,
  );
}

/** The pod `ds` creates for the node `nodeName`. */
export function daemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const template = structuredClone(ds.spec.template ?? { spec: { containers: [] } });
  template.metadata = {
    ...template.metadata,
    labels: {
      ...template.metadata?.labels,
      [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1),
      [REVISION_HASH_LABEL]: hash,
    },
  };
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = withDaemonTolerations(spec);
  spec.affinity = pinnedAffinity(spec.affinity, nodeName);
  template.spec = spec;
  return podFromTemplate(
    template,
    ds.metadata.namespace ?? '',
    ds.metadata.name ?? '',
    controllerRef(ds, 'apps/v1', 'DaemonSet'),
  );
}

/** True when the pod runs the template with revision `hash` (IsPodUpdated). */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return hash !== '' && pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
}

/**
 * The DaemonSet's pods by the node each is for, oldest first, leaving out
 * pods that both finished and are being deleted (nothing left to do with
 * them) and pods that name no node.
 */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    const finished = phase === 'Succeeded' || phase === 'Failed';
    if (finished && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (!node) continue;
    const list = out.get(node) ?? [];
    list.push(pod);
    out.set(node, list);
  }
  for (const list of out.values()) list.sort(olderFirst);
  return out;
}

// podByCreationTimestampAndPhase: older first; between equals, the name decides.
function olderFirst(a: Pod, b: Pod): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
