/**
 * A pod's QoS class (pure), as Kubernetes computes it (pkg/apis/core/v1/helper/qos):
 * BestEffort when no container requests or limits cpu or memory;
 * Guaranteed when every container limits both cpu and memory and requests
 * (if given) equal the limits; Burstable otherwise. Quantities compare by
 * value, so "1" and "1000m" are equal.
 */
import type { Container, PodSpec } from '../../control-plane/api/types.ts';
import { parseQuantity } from '../../control-plane/api/validation/quantity.ts';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

export function qosClassOf(spec: PodSpec): QosClass {
  const all: Container[] = [...(spec.initContainers ?? []), ...spec.containers];
  let anySet = false;
  let guaranteed = true;
  for (const c of all) {
    for (const r of COMPUTE) {
      const req = quantity(c.resources?.requests?.[r]);
      const lim = quantity(c.resources?.limits?.[r]);
      if ((req ?? 0) > 0 || (lim ?? 0) > 0) anySet = true;
      if (lim === undefined || lim === 0) guaranteed = false;
      else if (req !== undefined && req !== lim) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function quantity(q: string | number | undefined): number | undefined {
  return q === undefined ? undefined : parseQuantity(q);
}
