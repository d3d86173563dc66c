/**
 * Killing one container (the kubelet's killContainer): the Killing event,
 * the preStop hook inside the grace period, then the runtime's stop
 * (SIGTERM, the rest of the grace period, SIGKILL). The grace left after
 * the hook is never under MIN_GRACE_SECONDS, as in the kubelet.
 */
import type { Container, Pod, Probe } from '../../control-plane/api/types.ts';
import type { Clock } from './clock.ts';
import type { KubeletEvent } from './image.ts';
import { MIN_GRACE_SECONDS, type KillContainerAction } from './pod-kill.ts';
import type { ProbeChecker } from './probe-checks.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';

export interface ContainerKillDeps {
  runtime: ContainerRuntime;
  /** Runs exec, httpGet and tcpSocket hooks as probes run them. */
  hooks: ProbeChecker;
  clock: Clock;
  event(pod: Pod, e: KubeletEvent): void;
}

/** Runs `a` to the end: the container has stopped when this resolves. */
export async function killContainer(
  d: ContainerKillDeps,
  pod: Pod,
  a: KillContainerAction,
  podIP: string,
): Promise<void> {
  d.event(pod, { type: 'Normal', reason: 'Killing', message: a.message });
  let grace = a.gracePeriodSeconds;
  if (a.preStop) {
    const started = d.clock.now();
    await runPreStop(d, pod, a, podIP);
    const spent = Math.ceil((d.clock.now() - started) / 1000);
    grace = Math.max(MIN_GRACE_SECONDS, grace - spent);
  }
  await d.runtime.stopContainer(a.containerId, grace);
}

async function runPreStop(
  d: ContainerKillDeps,
  pod: Pod,
  a: KillContainerAction,
  podIP: string,
): Promise<void> {
  const hook = a.preStop;
  if (!hook) return;
  const timeoutMs = a.gracePeriodSeconds * 1000;
  const container: Container = pod.spec.containers.find((c) => c.name === a.name) ?? {
    name: a.name,
  };
  try {
    if (hook.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, hook.sleep!.seconds * 1000)));
      return;
    }
    const result = await d.hooks.check(
      hook as Probe,
      { podIP, container, containerId: a.containerId },
      timeoutMs,
    );
    if (result.outcome !== 'success') throw new Error(result.output);
  } catch {
    // The kubelet goes on with the kill when the hook fails. Like it, the event leaves
    // out the hook's output, which may hold secrets.
    d.event(pod, { type: 'Warning', reason: 'FailedPreStopHook', message: 'PreStopHook failed' });
  }
}
