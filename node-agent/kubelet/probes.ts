/**
 * One probe of one container as a state machine (pure, clock injected),
 * after the kubelet's prober worker (pkg/kubelet/prober/worker.go doProbe):
 * - `tick(target)` says whether a check is due now: probes run every
 *   periodSeconds, not before initialDelaySeconds after the container
 *   started, liveness and readiness only once the startup probe passed,
 *   the startup probe only until it passed;
 * - `record(outcome)` feeds a check's outcome; the published result flips
 *   only after successThreshold successes or failureThreshold failures in
 *   a row; a liveness or startup failure puts the worker on hold until a
 *   new container (new ID) appears, since that one is being killed;
 * - initial results: readiness Failure, liveness Success, startup none.
 * The checks themselves (httpGet, tcpSocket, exec) are in probe-checks.ts.
 */
import type { Probe } from '../../control-plane/api/types.ts';
import type { Clock } from './clock.ts';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure';
/** `error` is a prober problem (e.g. a named port that does not exist): it counts for nothing. */
export type ProbeOutcome = ProbeResult | 'error';

/** What the worker needs to know of the container now. */
export interface ProbeTarget {
  /** Undefined while no instance exists. */
  containerId: string | undefined;
  running: boolean;
  /** Epoch ms the instance started (when running). */
  startedAt?: number;
  /** Whether the instance has terminated (as opposed to not yet running). */
  terminated: boolean;
  /** Whether the container passed its startup probe (true when it has none). */
  started: boolean;
  /** Whether the pod will restart a terminated container. */
  willRestart: boolean;
  /** Whether the pod is being deleted. */
  deleting: boolean;
}

/** probe: run a check now; wait: nothing to do; stop: this worker is finished. */
export type ProbeStep = 'probe' | 'wait' | 'stop';

/** Kubernetes' probe defaults for fields a probe leaves out. */
export function probeTiming(
  probe: Probe,
): Required<
  Pick<
    Probe,
    | 'initialDelaySeconds'
    | 'periodSeconds'
    | 'timeoutSeconds'
    | 'successThreshold'
    | 'failureThreshold'
  >
> {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds || 10,
    timeoutSeconds: probe.timeoutSeconds || 1,
    successThreshold: probe.successThreshold || 1,
    failureThreshold: probe.failureThreshold || 3,
  };
}

export class ProbeWorker {
  readonly type: ProbeType;
  private readonly timing: ReturnType<typeof probeTiming>;
  private readonly clock: Clock;
  private containerId: string | undefined;
  private published: ProbeResult | undefined;
  private lastResult: ProbeResult | undefined;
  private run = 0;
  private onHold = false;
  private nextDueAt = 0;

  constructor(opts: { type: ProbeType; probe: Probe; clock: Clock }) {
    this.type = opts.type;
    this.timing = probeTiming(opts.probe);
    this.clock = opts.clock;
  }

  /** The published result for container `containerId`; undefined if none (yet). */
  result(containerId: string): ProbeResult | undefined {
    return containerId === this.containerId ? this.published : undefined;
  }

  /** The check's timeout in ms (timeoutSeconds). */
  get timeoutMs(): number {
    return this.timing.timeoutSeconds * 1000;
  }

  /** Ms until the next check can be due (for the caller's timer). */
  msUntilDue(): number {
    return Math.max(0, this.nextDueAt - this.clock.now());
  }

  /** Advances the machine for the container's current state; says what to do now. */
  tick(target: ProbeTarget): ProbeStep {
    const now = this.clock.now();
    if (target.containerId === undefined) return 'wait';
    if (target.containerId !== this.containerId) this.newContainer(target.containerId);
    if (this.onHold) return 'wait';
    if (!target.running) {
      this.published = 'failure';
      return target.terminated && !target.willRestart ? 'stop' : 'wait';
    }
    if (target.deleting && this.type !== 'readiness') {
      this.published = 'success';
      return 'stop';
    }
    if (now < this.nextDueAt) return 'wait';
    this.nextDueAt = now + this.timing.periodSeconds * 1000;
    if (now - (target.startedAt ?? now) < this.timing.initialDelaySeconds * 1000) return 'wait';
    if (this.type === 'startup' ? target.started : !target.started) return 'wait';
    return 'probe';
  }

  /** Records a check's outcome; returns true when the published result changed. */
  record(outcome: ProbeOutcome): boolean {
    if (outcome === 'error') return false;
    if (outcome === this.lastResult) this.run++;
    else {
      this.lastResult = outcome;
      this.run = 1;
    }
    const threshold =
      outcome === 'failure' ? this.timing.failureThreshold : this.timing.successThreshold;
    if (this.run < threshold) return false;
    const changed = this.published !== outcome;
    this.published = outcome;
    if (this.type !== 'readiness' && outcome === 'failure') {
      // The container will be killed; probing it further could only race the kill.
      this.onHold = true;
      this.run = 0;
    }
    return changed;
  }

  private newContainer(id: string): void {
    this.containerId = id;
    this.published =
      this.type === 'readiness' ? 'failure' : this.type === 'liveness' ? 'success' : undefined;
    this.lastResult = undefined;
    this.run = 0;
    this.onHold = false;
    this.nextDueAt = 0;
  }
}
