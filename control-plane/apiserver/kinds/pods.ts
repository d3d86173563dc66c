/**
 * Pods: a new pod starts Pending (defaults add its QoS class; admission its
 * service account, priority and default tolerations); deletion is graceful
 * (CheckGracefulDelete): a pod bound to a node keeps running for its grace
 * period (the request's, else spec.terminationGracePeriodSeconds, else 30)
 * until its kubelet deletes it with a grace period of 0; an unbound or
 * finished pod goes at once.
 */
import type { KubeObject } from '../../api/types.ts';
import type { KindHooks } from '../registry/hooks.ts';
import { admitNewPod } from './pod-admission.ts';

const DEFAULT_GRACE = 30;

export const podHooks: KindHooks = {
  returnDeletedObject: true,
  initialStatus: () => ({ phase: 'Pending' }),
  prepareCreate: admitNewPod,
  gracePeriod: podGracePeriod,
};

/** The grace period a delete gives `pod` (requested: the DeleteOptions value). */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as { nodeName?: unknown; terminationGracePeriodSeconds?: unknown };
  const phase = (pod.status as { phase?: unknown } | undefined)?.phase;
  let period =
    requested ??
    (typeof spec.terminationGracePeriodSeconds === 'number'
      ? spec.terminationGracePeriodSeconds
      : DEFAULT_GRACE);
  if (typeof spec.nodeName !== 'string' || spec.nodeName === '') period = 0;
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}
