/**
 * maxSurge and maxUnavailable as numbers of pods (Kubernetes'
 * intstr.GetScaledValueFromIntOrPercent and ResolveFenceposts): an int is
 * taken as is; a percentage of spec.replicas rounds up for surge and down
 * for unavailable; both 0 would stall a rollout, so unavailable becomes 1.
 */
import type { Deployment } from '../../api/types.ts';

/** `value` (an int or "N%") as a count of `total`; throws on another string. */
export function scaledValue(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m)
    throw new Error(
      `invalid value for IntOrString: invalid type: string is not a percentage: "${value}"`,
    );
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** [surge, unavailable] for `desired` replicas (ResolveFenceposts). */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): [number, number] {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** True for the RollingUpdate strategy (the default). */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** spec.replicas with the API default of 1. */
export function desiredReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

function fenceposts(d: Deployment): [number, number] {
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desiredReplicas(d));
}

/** Pods allowed above spec.replicas during a rolling update; 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
}

/** Pods allowed to be unavailable during a rolling update, at most spec.replicas; 0 for Recreate. */
export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d)[1], replicas);
}
