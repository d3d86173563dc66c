/**
 * What the probe manager tells a ProbeWorker about a container (pure), and
 * the kubelet's wording of a failed probe in the Unhealthy event
 * (pkg/kubelet/prober/prober.go): "Readiness probe failed: <output>".
 */
import type { Container, Pod, Probe } from '../../control-plane/api/types.ts';
import type { KubeletEvent } from './image.ts';
import { latestOf, shouldRestart, type ObservedPod } from './observed-pod.ts';
import type { CheckResult } from './probe-checks.ts';
import type { ProbeTarget, ProbeType } from './probes.ts';

/** Probe output kept in an event's message at most (the rest is cut). */
export const MAX_PROBE_OUTPUT = 1024;

/** The probes a container declares, by type. */
export function probesOf(c: Container): [ProbeType, Probe][] {
  const out: [ProbeType, Probe][] = [];
  if (c.startupProbe) out.push(['startup', c.startupProbe]);
  if (c.livenessProbe) out.push(['liveness', c.livenessProbe]);
  if (c.readinessProbe) out.push(['readiness', c.readinessProbe]);
  return out;
}

/**
 * The newest instance of container `c` as a probe target. `started` is true
 * when the container has no startup probe or `startupOk(id)` says it passed.
 */
export function probeTarget(
  pod: Pod,
  c: Container,
  observed: ObservedPod,
  startupOk: (containerId: string) => boolean,
): ProbeTarget {
  const latest = latestOf(observed, c.name);
  return {
    containerId: latest?.id,
    running: latest?.state === 'running',
    ...(latest?.startedAt !== undefined ? { startedAt: latest.startedAt } : {}),
    terminated: latest?.state === 'exited',
    started: !c.startupProbe || (latest !== undefined && startupOk(latest.id)),
    willRestart: shouldRestart(pod, c, observed),
    deleting: Boolean(pod.metadata.deletionTimestamp),
  };
}

/** True when the two targets differ in anything a ProbeWorker looks at. */
export function targetChanged(a: ProbeTarget, b: ProbeTarget): boolean {
  return (
    a.containerId !== b.containerId ||
    a.running !== b.running ||
    a.startedAt !== b.startedAt ||
    a.terminated !== b.terminated ||
    a.started !== b.started ||
    a.willRestart !== b.willRestart ||
    a.deleting !== b.deleting
  );
}

/**
 * The Warning Unhealthy event of a check that did not succeed, or undefined
 * for a success. The output is trimmed and cut at MAX_PROBE_OUTPUT.
 */
export function unhealthyEvent(type: ProbeType, r: CheckResult): KubeletEvent | undefined {
  if (r.outcome === 'success') return undefined;
  const title = type.charAt(0).toUpperCase() + type.slice(1);
  let output = r.output.trimEnd();
  if (output.length > MAX_PROBE_OUTPUT) output = output.slice(0, MAX_PROBE_OUTPUT) + '...';
  const message =
    r.outcome === 'failure'
      ? `${title} probe failed: ${output}`
      : `${title} probe errored and resulted in unknown state: ${output}`;
  return { type: 'Warning', reason: 'Unhealthy', message };
}
