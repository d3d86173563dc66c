/**
 * ProbeManager: runs the liveness, readiness and startup probes of every
 * app container on timers, as the kubelet's prober manager (one worker
 * per container and probe type). Each worker is a ProbeWorker (probes.ts,
 * pure) driven by one timer of its own: a check runs when the worker says
 * it is due, never overlapping the previous check of the same worker, and
 * bounded by the probe's timeout. A changed published result calls
 * `onChange(podUid)` so the pod worker syncs at once; each check that does
 * not succeed is a Warning Unhealthy event.
 *
 * Within one period after the manager started (an agent restart adopting
 * running pods), a worker's first check waits a random part of its period
 * so the probes of all pods do not run at once, as the kubelet does; for
 * readiness and startup probes that wait is at most 1 s, so readiness
 * comes back quickly.
 *
 * @example
 *   const probes = new ProbeManager({ checker: new DefaultProbeChecker(runtime), log, onChange: (uid) => workers.wake(uid), onEvent: (pod, e) => events.record(pod, e.type, e.reason, e.message) });
 *   probes.sync(pod, observed, sandbox.ip);
 */
import type { Logger } from '../../control-plane/api/log.ts';
import type { Container, Pod, Probe } from '../../control-plane/api/types.ts';
import type { Clock } from './clock.ts';
import type { ProbeView } from './container-statuses.ts';
import type { KubeletEvent } from './image.ts';
import type { ObservedPod } from './observed-pod.ts';
import type { ProbeResults } from './pod-actions.ts';
import type { ProbeChecker } from './probe-checks.ts';
import { probeTarget, probesOf, targetChanged, unhealthyEvent } from './probe-target.ts';
import { checkWithDeadline, realTimers, type TimerSource } from './probe-timers.ts';
import {
  ProbeWorker,
  probeTiming,
  type ProbeResult,
  type ProbeTarget,
  type ProbeType,
} from './probes.ts';

export interface ProbeManagerOptions {
  checker: ProbeChecker;
  /** Time, and timers when it has them (else real timers). Default the wall clock. */
  clock?: Clock & Partial<TimerSource>;
  log: Logger;
  /** Called when a published result changes (the pod worker then syncs the pod at once). */
  onChange(podUid: string): void;
  /** Warning Unhealthy "Liveness probe failed: <output>" and alike. */
  onEvent(pod: Pod, event: KubeletEvent): void;
  /** Uniform [0, 1) for the first-check jitter. Default Math.random. */
  random?: () => number;
}

/** Longest first-check jitter of readiness and startup probes. */
const QUICK_JITTER_MS = 1_000;

interface Worker {
  podUid: string;
  container: Container;
  type: ProbeType;
  probe: Probe;
  machine: ProbeWorker;
  target: ProbeTarget;
  timer?: { cancel(): void };
  checking: boolean;
  stopped: boolean;
  /** Epoch ms before which the first check does not run (jitter). */
  notBefore: number;
}

interface PodEntry {
  pod: Pod;
  podIP: string;
  /** By `${container}/${type}`. */
  workers: Map<string, Worker>;
  /** Container name → the ID of its instance the workers look at. */
  ids: Map<string, string>;
}

export class ProbeManager implements ProbeResults, ProbeView {
  private readonly checker: ProbeChecker;
  private readonly clock: Clock;
  private readonly timers: TimerSource;
  private readonly log: Logger;
  private readonly onChange: (podUid: string) => void;
  private readonly onEvent: (pod: Pod, event: KubeletEvent) => void;
  private readonly random: () => number;
  private readonly startedAt: number;
  private readonly pods = new Map<string, PodEntry>();
  /** Container ID → pod UID and container name. */
  private readonly byId = new Map<string, { uid: string; name: string }>();

  constructor(opts: ProbeManagerOptions) {
    this.checker = opts.checker;
    const clock = opts.clock;
    this.clock = clock ?? { now: () => Date.now() };
    this.timers = clock?.setTimeout ? (clock as TimerSource) : realTimers;
    this.log = opts.log;
    this.onChange = opts.onChange;
    this.onEvent = opts.onEvent;
    this.random = opts.random ?? Math.random;
    this.startedAt = this.clock.now();
  }

  /**
   * Starts, updates and stops the pod's probe workers for its spec and
   * observed containers (called by the pod worker after each sync).
   * `podIP` is the sandbox's IP.
   */
  sync(pod: Pod, observed: ObservedPod, podIP: string): void {
    const uid = pod.metadata.uid ?? '';
    let p = this.pods.get(uid);
    if (!p) this.pods.set(uid, (p = { pod, podIP, workers: new Map(), ids: new Map() }));
    p.pod = pod;
    p.podIP = podIP;
    const wanted = new Set<string>();
    for (const c of pod.spec.containers) {
      const target = probeTarget(pod, c, observed, (id) => this.startup(id) === 'success');
      this.track(uid, p, c.name, target.containerId);
      for (const [type, probe] of probesOf(c)) {
        const key = `${c.name}/${type}`;
        wanted.add(key);
        const w = p.workers.get(key);
        if (!w) p.workers.set(key, this.newWorker(uid, c, type, probe, target));
        else this.retarget(w, c, target);
      }
    }
    for (const [key, w] of p.workers) {
      if (!wanted.has(key)) {
        this.stopWorker(w);
        p.workers.delete(key);
      }
    }
  }

  /** Stops the pod's workers and forgets its results. */
  remove(podUid: string): void {
    const p = this.pods.get(podUid);
    if (!p) return;
    for (const w of p.workers.values()) this.stopWorker(w);
    for (const id of p.ids.values()) this.byId.delete(id);
    this.pods.delete(podUid);
  }

  liveness(containerId: string): ProbeResult | undefined {
    return this.result(containerId, 'liveness');
  }

  startup(containerId: string): ProbeResult | undefined {
    return this.result(containerId, 'startup');
  }

  readiness(containerId: string): ProbeResult | undefined {
    return this.result(containerId, 'readiness');
  }

  /** Stops every worker and clears every timer. */
  stop(): void {
    for (const uid of [...this.pods.keys()]) this.remove(uid);
  }

  private result(containerId: string, type: ProbeType): ProbeResult | undefined {
    const at = this.byId.get(containerId);
    if (!at) return undefined;
    return this.pods.get(at.uid)?.workers.get(`${at.name}/${type}`)?.machine.result(containerId);
  }

  // Keeps the container-ID index on the instance the workers look at.
  private track(uid: string, p: PodEntry, name: string, id: string | undefined): void {
    const old = p.ids.get(name);
    if (old === id) return;
    if (old !== undefined) this.byId.delete(old);
    if (id === undefined) p.ids.delete(name);
    else {
      p.ids.set(name, id);
      this.byId.set(id, { uid, name });
    }
  }

  private newWorker(
    podUid: string,
    container: Container,
    type: ProbeType,
    probe: Probe,
    target: ProbeTarget,
  ): Worker {
    const now = this.clock.now();
    const periodMs = probeTiming(probe).periodSeconds * 1000;
    const jitterCap = type === 'liveness' ? periodMs : Math.min(periodMs, QUICK_JITTER_MS);
    const jitter = now - this.startedAt < periodMs ? this.random() * jitterCap : 0;
    const w: Worker = {
      podUid,
      container,
      type,
      probe,
      machine: new ProbeWorker({ type, probe, clock: this.clock }),
      target,
      checking: false,
      stopped: false,
      notBefore: now + Math.round(jitter),
    };
    this.step(w);
    return w;
  }

  // A new view of the container: step at once if it matters (or nothing is scheduled).
  private retarget(w: Worker, container: Container, target: ProbeTarget): void {
    const changed = targetChanged(w.target, target);
    w.container = container;
    w.target = target;
    if (changed || (!w.timer && !w.checking)) this.step(w);
  }

  // Advances the worker: runs a due check, or sleeps until one can be due.
  private step(w: Worker): void {
    w.timer?.cancel();
    w.timer = undefined;
    if (w.stopped || w.checking) return;
    const now = this.clock.now();
    if (now < w.notBefore) {
      this.schedule(w, w.notBefore - now);
      return;
    }
    const next = w.machine.tick(w.target);
    if (next === 'probe') void this.check(w);
    else if (next === 'wait') {
      const ms = w.machine.msUntilDue();
      // 0: waiting for the container to change; the next sync() steps it.
      if (ms > 0) this.schedule(w, ms);
    }
  }

  private schedule(w: Worker, ms: number): void {
    w.timer = this.timers.setTimeout(() => {
      w.timer = undefined;
      this.step(w);
    }, ms);
  }

  private async check(w: Worker): Promise<void> {
    const p = this.pods.get(w.podUid);
    const containerId = w.target.containerId;
    if (!p || containerId === undefined) return;
    w.checking = true;
    const ctx = { podIP: p.podIP, container: w.container, containerId };
    const r = await checkWithDeadline(this.checker, w.probe, ctx, w.machine.timeoutMs, this.timers);
    w.checking = false;
    // Removed meanwhile, or the container was replaced: the outcome is stale.
    if (w.stopped) return;
    if (w.target.containerId !== containerId) return this.step(w);
    const event = unhealthyEvent(w.type, r);
    if (event) {
      this.log.debug('Probe did not succeed', {
        pod: p.pod.metadata.name,
        container: w.container.name,
        probe: w.type,
        outcome: r.outcome,
      });
      this.notify(() => this.onEvent(p.pod, event));
    }
    if (w.machine.record(r.outcome)) {
      if (w.type === 'startup') this.startupChanged(p, w, containerId);
      this.notify(() => this.onChange(w.podUid));
    }
    this.step(w);
  }

  // A passed startup probe lets the container's other probes start (and
  // stops itself). Readiness is checked at once, as the kubelet's manual
  // trigger does: a readiness worker gated until now has run no check, so
  // a fresh machine is the same one without its wait for the next period.
  private startupChanged(p: PodEntry, startup: Worker, containerId: string): void {
    const started = this.startup(containerId) === 'success';
    for (const w of p.workers.values()) {
      if (w.container.name !== startup.container.name || w.target.containerId !== containerId) {
        continue;
      }
      w.target = { ...w.target, started };
      if (w === startup) continue;
      if (started && w.type === 'readiness' && !w.checking) {
        w.machine = new ProbeWorker({ type: w.type, probe: w.probe, clock: this.clock });
      }
      this.step(w);
    }
  }

  // A failing callback must not stop the worker (nor reject a promise no one awaits).
  private notify(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('Probe result handler failed', { error: err });
    }
  }

  private stopWorker(w: Worker): void {
    w.stopped = true;
    w.timer?.cancel();
    w.timer = undefined;
  }
}
