/**
 * PodsByNode: a secondary index of the shared pod informer by
 * spec.nodeName, so the node lifecycle controller reads the pods of one
 * node without scanning every pod. It holds the informer's objects, never
 * copies, and follows its events.
 */
import type { Informer } from '../../api/client/informer.ts';
import { objectKey } from '../../api/client/informer-cache.ts';
import type { Pod } from '../../api/types.ts';

/** Pods by spec.nodeName, following one pod informer. */
export class PodsByNode {
  private readonly byNode = new Map<string, Map<string, Pod>>();

  /** Indexes `pods`; call before the informer starts so it sees the first list. */
  constructor(pods: Informer<Pod>) {
    pods
      .on('add', (p) => this.put(p))
      .on('update', (old, p) => {
        this.remove(old);
        this.put(p);
      })
      .on('delete', (p) => this.remove(p));
  }

  /** The pods bound to `node` (unordered). */
  on(node: string): Pod[] {
    const m = this.byNode.get(node);
    return m ? [...m.values()] : [];
  }

  private put(pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(objectKey(pod), pod);
  }

  private remove(pod: Pod): void {
    const node = pod.spec?.nodeName;
    const m = node ? this.byNode.get(node) : undefined;
    if (!m || !node) return;
    m.delete(objectKey(pod));
    if (m.size === 0) this.byNode.delete(node);
  }
}
