/**
 * Leader election over a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection package: of several candidates with distinct identities,
 * one holds the Lease and runs the leader's work; the others poll it.
 *
 * - A candidate tries every retryPeriod (jittered) until it creates the
 *   Lease, or finds it released or unrenewed for leaseDurationSeconds by its
 *   own clock (see lease-decision.ts), and writes itself in. Writes carry the
 *   resourceVersion read, so of two racing candidates one gets 409 Conflict.
 * - The leader renews every retryPeriod. If no renewal succeeds within
 *   renewDeadline it stops leading: the signal given to onStartedLeading
 *   aborts, and once that work has returned onStoppedLeading runs and
 *   runLeaderElection resolves. The process should then exit (or start a
 *   new election); it must not keep acting as leader.
 * - When `signal` aborts, the leader steps down and by default releases the
 *   Lease so another candidate takes over at once.
 *
 * Defaults are client-go's: lease 15 s, renew deadline 10 s, retry 2 s.
 */
import { ApiError } from '../../api/errors.ts';
import { rootLogger, type Logger } from '../../api/log.ts';
import type { Lease } from '../../api/types.ts';
import { realClock, sleep, type Clock } from './clock.ts';
import { decideLease, observe, releasedLease, type Observation } from './lease-decision.ts';
import type { LeaseClient } from './lease-client.ts';

// wait.JitterUntil's factor: each wait is retryPeriod × (1 + 1.2 × random).
const JITTER = 1.2;

export interface LeaderElectionOptions {
  client: LeaseClient;
  /** The Lease's namespace. Default "kube-system". */
  namespace?: string;
  /** The Lease's name, e.g. "skiff-controller-manager". */
  name: string;
  /** This candidate, unique among candidates (hostname plus a random suffix). */
  identity: string;
  /** How long a lease lasts without renewal. Default 15000 ms; whole seconds are written. */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a renewal before it gives up. Default 10000 ms. */
  renewDeadlineMs?: number;
  /** Pause between attempts. Default 2000 ms. */
  retryPeriodMs?: number;
  /** Release the Lease when `signal` aborts while leading. Default true. */
  releaseOnCancel?: boolean;
  /** Runs the leader's work; must return soon after `signal` aborts. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once leading ended (lost or cancelled) and onStartedLeading's work returned. */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  /** Ends the election: a candidate stops trying, a leader steps down. */
  signal: AbortSignal;
  clock?: Clock;
  logger?: Logger;
  /** Uniform [0, 1) source for the jitter. Default Math.random. */
  random?: () => number;
}

/**
 * Campaigns until leading, leads until the lease is lost or `signal`
 * aborts, then resolves. Throws at once on inconsistent durations.
 */
export async function runLeaderElection(opts: LeaderElectionOptions): Promise<void> {
  await new LeaderElector(opts).run();
}

class LeaderElector {
  private readonly o: LeaderElectionOptions;
  private readonly ns: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private observed: Observation | undefined;
  private reportedLeader: string | undefined;

  constructor(o: LeaderElectionOptions) {
    this.o = o;
    this.ns = o.namespace ?? 'kube-system';
    this.leaseMs = o.leaseDurationMs ?? 15_000;
    this.renewMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2_000;
    this.clock = o.clock ?? realClock;
    this.log = (o.logger ?? rootLogger).child({
      component: 'leader-election',
      lease: `${this.ns}/${o.name}`,
      identity: o.identity,
    });
    validate(o.identity, this.leaseMs, this.renewMs, this.retryMs);
  }

  async run(): Promise<void> {
    const { signal } = this.o;
    this.log.info('Attempting to acquire leader lease');
    while (!(await this.tryAcquireOrRenew(this.renewMs))) {
      const wait = this.retryMs * (1 + JITTER * (this.o.random ?? Math.random)());
      if (!(await sleep(this.clock, wait, signal))) return;
    }
    if (signal.aborted) {
      await this.release();
      return;
    }
    this.log.info('Successfully acquired lease');
    const leading = new AbortController();
    const work = Promise.resolve()
      .then(() => this.o.onStartedLeading(leading.signal))
      .catch((err: unknown) => this.log.error('Leader work failed', { err }));
    const lost = await this.renewLoop();
    leading.abort();
    if (lost)
      this.log.error('Stopped leading: the lease was not renewed within the renew deadline');
    else this.log.info('Stopped leading: shutting down');
    await work;
    if (!lost && this.o.releaseOnCancel !== false) await this.release();
    this.o.onStoppedLeading?.();
  }

  // Renews every retryPeriod; true when a renewal round failed for renewDeadline.
  private async renewLoop(): Promise<boolean> {
    const { signal } = this.o;
    while (await sleep(this.clock, this.retryMs, signal)) {
      const deadline = this.clock.now() + this.renewMs;
      let renewed = false;
      for (let left = this.renewMs; left > 0; left = deadline - this.clock.now()) {
        renewed = await this.tryAcquireOrRenew(left);
        if (renewed || signal.aborted) break;
        const rest = deadline - this.clock.now();
        if (rest <= 0 || !(await sleep(this.clock, Math.min(this.retryMs, rest), signal))) break;
      }
      if (signal.aborted) return false;
      if (!renewed) return true;
    }
    return false;
  }

  // One read-decide-write round; true when this candidate holds the lease afterwards.
  private async tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    const call = { timeoutMs, signal: this.o.signal };
    let current: Lease | undefined;
    try {
      current = await this.o.client.get(this.ns, this.o.name, call);
    } catch (err) {
      if (!this.o.signal.aborted) this.log.warn('Failed to read the leader lease', { err });
      return false;
    }
    const now = this.clock.now();
    if (current) this.observed = observe(this.observed, current.spec ?? {}, now);
    const d = decideLease({
      current: current ? (current.spec ?? {}) : undefined,
      observed: this.observed,
      identity: this.o.identity,
      now,
      leaseDurationSeconds: Math.floor(this.leaseMs / 1000),
    });
    if (d.action === 'wait') {
      this.report(d.holder);
      return false;
    }
    try {
      if (d.action === 'create') {
        await this.o.client.create(this.ns, this.leaseObject(d.spec), call);
      } else {
        await this.o.client.update(this.ns, { ...(current as Lease), spec: d.spec }, call);
      }
    } catch (err) {
      if (this.o.signal.aborted) return false;
      const conflict = err instanceof ApiError && (err.code === 409 || err.code === 404);
      if (conflict) this.log.debug('Lost a lease write race', { action: d.action });
      else this.log.warn('Failed to write the leader lease', { action: d.action, err });
      return false;
    }
    this.observed = d.observed;
    this.report(this.o.identity);
    return true;
  }

  // Steps down: writes an empty holder if this candidate still holds the lease.
  private async release(): Promise<void> {
    const call = { timeoutMs: this.renewMs };
    try {
      const current = await this.o.client.get(this.ns, this.o.name, call);
      if (!current || current.spec?.holderIdentity !== this.o.identity) return;
      const spec = releasedLease(current.spec, this.clock.now());
      await this.o.client.update(this.ns, { ...current, spec }, call);
      this.log.info('Released the leader lease');
    } catch (err) {
      this.log.warn('Failed to release the leader lease', { err });
    }
  }

  private report(holder: string): void {
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (holder !== this.o.identity) this.log.info('New leader elected', { leader: holder });
    this.o.onNewLeader?.(holder);
  }

  private leaseObject(spec: Lease['spec']): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.name, namespace: this.ns },
      spec,
    };
  }
}

function validate(identity: string, leaseMs: number, renewMs: number, retryMs: number): void {
  const problems: string[] = [];
  if (!identity) problems.push('identity must not be empty');
  if (leaseMs < 1000) problems.push(`leaseDurationMs (${leaseMs}) must be at least 1000`);
  if (leaseMs <= renewMs) {
    problems.push(`leaseDurationMs (${leaseMs}) must be greater than renewDeadlineMs (${renewMs})`);
  }
  if (retryMs <= 0) problems.push(`retryPeriodMs (${retryMs}) must be positive`);
  if (renewMs <= JITTER * retryMs) {
    problems.push(
      `renewDeadlineMs (${renewMs}) must be greater than ${JITTER} × retryPeriodMs (${retryMs})`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`leader election: ${problems.join('; ')}; fix the election settings`);
  }
}
