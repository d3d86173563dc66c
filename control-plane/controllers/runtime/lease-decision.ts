/**
 * The pure heart of leader election (client-go leaderelection's
 * tryAcquireOrRenew): given the Lease as just read, what this candidate saw
 * before and when, its identity and the time, decide to create, take over,
 * renew, or wait.
 *
 * Expiry is judged by the local clock only: a lease counts as expired when
 * leaseDurationSeconds have passed since this candidate last saw the lease
 * record change, never by comparing renewTime (another machine's clock) with
 * ours. A leader whose renewals keep changing the record is thus never
 * taken over, however skewed the clocks.
 */
import type { LeaseSpec } from '../../api/types.ts';

/** What a candidate remembers of the lease: the record and when it last changed (local ms). */
export interface Observation {
  record: LeaseSpec;
  /** Local clock (ms) when `record` was first seen in this form. */
  time: number;
}

export interface LeaseInput {
  /** The lease spec as read now; undefined when the Lease does not exist. */
  current: LeaseSpec | undefined;
  /** What this candidate saw before, if anything. */
  observed: Observation | undefined;
  identity: string;
  /** Local clock, ms. */
  now: number;
  /** leaseDurationSeconds this candidate writes when it takes or renews the lease. */
  leaseDurationSeconds: number;
}

export type LeaseDecision =
  /** The Lease does not exist: create it with `spec`. */
  | { action: 'create'; spec: LeaseSpec; observed: Observation }
  /** Write `spec` over the current Lease (renew ours, or take over an expired/released one). */
  | { action: 'acquire' | 'renew'; spec: LeaseSpec; observed: Observation }
  /** Someone else holds a valid lease: wait and try again. */
  | { action: 'wait'; holder: string; observed: Observation };

/**
 * Updates what the candidate saw: the observation time moves to `now` only
 * when the record differs from the one seen before.
 */
export function observe(
  observed: Observation | undefined,
  current: LeaseSpec,
  now: number,
): Observation {
  if (observed && sameRecord(observed.record, current)) return observed;
  return { record: current, time: now };
}

/** True while a lease observed at `observed.time` has not run out by `now` (local clock). */
export function isLeaseValid(observed: Observation, now: number): boolean {
  return observed.time + (observed.record.leaseDurationSeconds ?? 0) * 1000 > now;
}

/** The whole decision; apply it with create/update, then remember `observed` on success. */
export function decideLease(input: LeaseInput): LeaseDecision {
  const { current, identity, now, leaseDurationSeconds } = input;
  const stamp = microTime(now);
  if (current === undefined) {
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };
    return { action: 'create', spec, observed: { record: spec, time: now } };
  }
  const seen = observe(input.observed, current, now);
  const holder = current.holderIdentity ?? '';
  const mine = holder === identity;
  if (holder !== '' && !mine && isLeaseValid(seen, now)) {
    return { action: 'wait', holder, observed: seen };
  }
  const spec: LeaseSpec = {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: mine ? current.acquireTime : stamp,
    renewTime: stamp,
    leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1),
  };
  if (spec.acquireTime === undefined) spec.acquireTime = stamp;
  return { action: mine ? 'renew' : 'acquire', spec, observed: { record: spec, time: now } };
}

/**
 * The spec a leader writes to step down (client-go's release on cancel):
 * no holder, a 1 s duration so others take over at once, the same
 * transition count.
 */
export function releasedLease(current: LeaseSpec, now: number): LeaseSpec {
  const stamp = microTime(now);
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: stamp,
    renewTime: stamp,
    leaseTransitions: current.leaseTransitions ?? 0,
  };
}

/** metav1.MicroTime: RFC 3339 in UTC with six fractional digits, "2024-05-01T12:00:00.123000Z". */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const FIELDS = [
  'holderIdentity',
  'leaseDurationSeconds',
  'acquireTime',
  'renewTime',
  'leaseTransitions',
] as const;

// The leader election record: the fields client-go's LeaderElectionRecord holds.
function sameRecord(a: LeaseSpec, b: LeaseSpec): boolean {
  return FIELDS.every((f) => a[f] === b[f]);
}
