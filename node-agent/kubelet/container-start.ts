/**
 * Starting one container of a pod (the kubelet's startContainer): image
 * (pull as the policy and the pull back-off decide), env, volume mounts,
 * create, start, with the kubelet's events at each step. A failed step
 * throws SyncError with the reason the container's waiting state shows
 * (ErrImagePull, CreateContainerConfigError, RunContainerError, ...).
 */
import type { Container, Pod } from '../../control-plane/api/types.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import { imagePullKey, type Backoff } from './backoff.ts';
import type { Clock } from './clock.ts';
import type { NodeAllocatable } from './downward-api.ts';
import { resolveEnv } from './env.ts';
import { decideImage, pullFailedEvent, pulledEvent, type KubeletEvent } from './image.ts';
import type { PodObjects } from './pod-objects.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';
import { SyncError, isSyncError } from './sync-error.ts';
import type { PodVolumes, VolumeManager } from './volumes.ts';

/** What starting a container needs besides the pod. */
export interface ContainerStartDeps {
  runtime: ContainerRuntime;
  volumes: VolumeManager;
  pulls: Backoff;
  clock: Clock;
  log: Logger;
  event(pod: Pod, e: KubeletEvent): void;
}

/** The pod-level inputs of one start, resolved once per sync pass. */
export interface StartContext {
  sandboxId: string;
  podIP: string;
  hostIPs: string[];
  objects: PodObjects;
  podVolumes: PodVolumes;
  allocatable?: NodeAllocatable;
  /** The pod's resolv.conf on the host (pod-dns.ts); Docker's own when absent. */
  resolvConf?: string;
}

/** Creates and starts `container` as restart `attempt`; resolves to its container ID. */
export async function startContainer(
  d: ContainerStartDeps,
  pod: Pod,
  container: Container,
  attempt: number,
  ctx: StartContext,
): Promise<string> {
  // Like the kubelet, a step that fails also records "Error: <reason or message>".
  const image = await withErrorEvent(d, pod, ensureImage(d, pod, container), true);
  const { env, warnings } = await withErrorEvent(
    d,
    pod,
    (async () =>
      resolveEnv(pod, container, {
        podIPs: ctx.podIP ? [ctx.podIP] : [],
        hostIPs: ctx.hostIPs,
        objects: ctx.objects,
        ...(ctx.allocatable ? { allocatable: ctx.allocatable } : {}),
      }))(),
    false,
  );
  for (const w of warnings) d.event(pod, { type: 'Warning', reason: 'Failed', message: w });
  const mounts = await withErrorEvent(
    d,
    pod,
    d.volumes.mountsFor(container, ctx.podVolumes),
    false,
  );
  let id: string;
  try {
    id = await d.runtime.createContainer(pod, container, ctx.sandboxId, attempt, {
      image,
      env,
      mounts,
      ...(ctx.resolvConf ? { resolvConf: ctx.resolvConf } : {}),
    });
  } catch (err) {
    d.event(pod, failed(`Error: ${messageOf(err)}`));
    throw err;
  }
  d.event(pod, {
    type: 'Normal',
    reason: 'Created',
    message: `Created container ${container.name}`,
  });
  try {
    await d.runtime.startContainer(id);
  } catch (err) {
    d.event(pod, failed(`Error: ${messageOf(err)}`));
    throw isSyncError(err) ? err : new SyncError('RunContainerError', messageOf(err));
  }
  d.event(pod, {
    type: 'Normal',
    reason: 'Started',
    message: `Started container ${container.name}`,
  });
  return id;
}

/** The image reference to create from, pulled first when the policy says so. */
async function ensureImage(d: ContainerStartDeps, pod: Pod, container: Container): Promise<string> {
  let present = false;
  let key = '';
  try {
    key = imagePullKey(pod, container.image ?? '');
    present = (await d.runtime.imagePresent(container.image ?? '')) !== undefined;
  } catch {
    // A malformed reference: decideImage below reports InvalidImageName.
  }
  const now = d.clock.now();
  const decision = decideImage(container, {
    present,
    inBackOff: d.pulls.isInBackOffSinceUpdate(key, now),
  });
  d.event(pod, decision.event);
  if (decision.action === 'fail') throw decision.error;
  if (decision.action === 'use') return decision.image;
  const started = d.clock.now();
  let lastLog = 0;
  try {
    await d.runtime.pullImage(decision.image, (p) => {
      // Progress for operators, at most one line a second per pull.
      if (d.clock.now() - lastLog < 1000) return;
      lastLog = d.clock.now();
      d.log.info('Pulling image', {
        image: decision.image,
        status: p.status,
        layer: p.id,
        progress: p.progress,
      });
    });
  } catch (err) {
    d.pulls.next(key, now);
    d.event(pod, pullFailedEvent(container, err));
    throw isSyncError(err)
      ? err
      : new SyncError(
          'ErrImagePull',
          `failed to pull image ${JSON.stringify(decision.image)}: ${messageOf(err)}`,
        );
  }
  d.pulls.reset(key);
  d.event(pod, pulledEvent(container, d.clock.now() - started));
  return decision.image;
}

// Image steps report the reason ("Error: ErrImagePull"), config steps the message.
async function withErrorEvent<T>(
  d: ContainerStartDeps,
  pod: Pod,
  step: Promise<T>,
  byReason: boolean,
): Promise<T> {
  try {
    return await step;
  } catch (err) {
    const text = byReason && isSyncError(err) ? err.reason : messageOf(err);
    d.event(pod, failed(`Error: ${text}`));
    throw err;
  }
}

function failed(message: string): KubeletEvent {
  return { type: 'Warning', reason: 'Failed', message };
}

/** The text of an error for events and statuses. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
