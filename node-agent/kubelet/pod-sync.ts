/**
 * One sync pass of one pod (the kubelet's SyncPod), level-triggered:
 *   observed = what the runtime runs for the pod UID (sandboxes, every
 *              container instance, inspected);
 *   desired  = the Pod (spec, deletionTimestamp, last status);
 *   sync     = computePodActions(desired, observed) carried out in order,
 *              then the status generated from a fresh observation.
 * Running it again after it returns does the next step, or nothing once
 * all is well. Errors of one step end up in the container's waiting state
 * (SyncError reasons), never as exceptions, except when the runtime itself
 * cannot be reached (the caller retries the pass).
 */
import type { Pod, PodStatus } from '../../control-plane/api/types.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import { crashLoopKey, imagePullKey, type Backoff } from './backoff.ts';
import type { Clock } from './clock.ts';
import { killContainer } from './container-kill.ts';
import { messageOf, startContainer, type StartContext } from './container-start.ts';
import type { SyncFailure, ProbeView } from './container-statuses.ts';
import type { NodeAllocatable } from './downward-api.ts';
import type { KubeletEvent } from './image.ts';
import { NOTHING_OBSERVED, checkSandbox, groupByPod, type ObservedPod } from './observed-pod.ts';
import { computePodActions, type PodAction, type ProbeResults } from './pod-actions.ts';
import type { PodDns } from './pod-dns.ts';
import type { PodObjects } from './pod-objects.ts';
import { generatePodStatus } from './pod-status.ts';
import type { ProbeChecker } from './probe-checks.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';
import { isSyncError } from './sync-error.ts';
import { MountError, type PodVolumes, type VolumeManager } from './volumes.ts';

/** The probe side as a sync pass uses it (ProbeManager). */
export interface PodProbes extends ProbeResults, ProbeView {
  sync(pod: Pod, observed: ObservedPod, podIP: string): void;
}

export interface PodSyncDeps {
  runtime: ContainerRuntime;
  volumes: VolumeManager;
  /** The ConfigMaps and Secrets `pod` refers to (fetched when a container starts). */
  objects(pod: Pod): Promise<PodObjects>;
  probes: PodProbes;
  hooks: ProbeChecker;
  restarts: Backoff;
  pulls: Backoff;
  clock: Clock;
  /** The pod network's name. */
  network: string;
  hostIPs: string[];
  allocatable?: NodeAllocatable;
  /** Writes each pod's resolv.conf; containers keep Docker's when absent. */
  dns?: PodDns;
  event(pod: Pod, e: KubeletEvent): void;
  log: Logger;
}

export interface PodSyncResult {
  status: PodStatus;
  actions: PodAction[];
  /** A deleted pod whose containers are all gone: its deletion can be confirmed. */
  terminated: boolean;
  /** Sync again after this many ms at the latest (back-off expiry, retry of a failed step). */
  retryAfterMs?: number;
}

/** Older exited instances than this many per container are removed (the kubelet keeps one dead). */
const KEEP_EXITED = 2;

export class PodSyncer {
  private readonly d: PodSyncDeps;
  // Per pod UID: why the last attempt to start each container failed.
  private readonly failures = new Map<string, Map<string, SyncFailure>>();

  constructor(deps: PodSyncDeps) {
    this.d = deps;
  }

  /** What runs for `uid`, every container inspected. */
  async observe(uid: string): Promise<ObservedPod> {
    const [sandboxes, listed] = await Promise.all([
      this.d.runtime.listPodSandboxes({ podUid: uid }),
      this.d.runtime.listContainers({ podUid: uid }),
    ]);
    const full = await Promise.all(listed.map((c) => this.d.runtime.inspect(c.id)));
    return (
      groupByPod(
        sandboxes,
        full.filter((c) => c !== undefined),
      ).get(uid) ?? NOTHING_OBSERVED
    );
  }

  /** One pass for `pod` (whose status is the last one the kubelet computed). */
  async sync(pod: Pod): Promise<PodSyncResult> {
    const uid = pod.metadata.uid ?? '';
    const failures = this.failuresOf(uid);
    const before = await this.observe(uid);
    const actions = computePodActions({
      pod,
      observed: before,
      network: this.d.network,
      probes: this.d.probes,
      backoff: this.d.restarts,
    });
    const outcome = await this.run(pod, before, actions, failures);
    const after = actions.length > 0 ? await this.observe(uid) : before;
    await this.collectGarbage(pod, after);
    const sandbox = checkSandbox(pod, after, this.d.network).current;
    this.d.probes.sync(pod, after, sandbox?.ip ?? '');
    const status = generatePodStatus({
      pod,
      observed: after,
      failures,
      probes: this.d.probes,
      hostIPs: this.d.hostIPs,
      network: this.d.network,
      now: this.d.clock.now(),
    });
    return { status, actions, ...outcome };
  }

  /** Drops what is kept for a pod that is gone. */
  forget(uid: string): void {
    this.failures.delete(uid);
  }

  private async run(
    pod: Pod,
    observed: ObservedPod,
    actions: PodAction[],
    failures: Map<string, SyncFailure>,
  ): Promise<{ terminated: boolean; retryAfterMs?: number }> {
    const current = checkSandbox(pod, observed, this.d.network).current;
    let sandbox: { id: string; ip: string } | undefined = current && {
      id: current.id,
      ip: current.ip,
    };
    let ctx: StartContext | undefined;
    let retryAfterMs: number | undefined;
    const retry = (ms: number) => (retryAfterMs = Math.min(retryAfterMs ?? ms, ms));
    for (const a of actions) {
      switch (a.type) {
        case 'killContainer':
          await killContainer(this.d, pod, a, sandbox?.ip ?? '');
          break;
        case 'stopSandbox':
          await this.d.runtime.stopContainer(a.sandboxId, 0);
          break;
        case 'removePod':
          for (const id of a.ids) await this.d.runtime.removeContainer(id);
          break;
        case 'podTerminated':
          await this.d.volumes.tearDownPod(pod.metadata.uid ?? '');
          return { terminated: true };
        case 'backOff': {
          failures.set(a.name, { reason: a.reason, message: a.message });
          this.d.event(pod, { type: 'Warning', reason: 'BackOff', message: a.event });
          retry(this.backOffLeft(pod, observed, a.name));
          break;
        }
        case 'createSandbox':
          try {
            const { id, ip } = await this.d.runtime.createSandbox(pod, {
              network: this.d.network,
              attempt: a.attempt,
            });
            sandbox = { id, ip };
          } catch (err) {
            this.d.event(pod, {
              type: 'Warning',
              reason: 'FailedCreatePodSandBox',
              message: `Failed to create pod sandbox: ${messageOf(err)}`,
            });
            retry(1000);
            return { terminated: false, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
          }
          break;
        case 'startContainer': {
          const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
            (c) => c.name === a.name,
          );
          if (!spec || !sandbox) break;
          try {
            ctx ??= await this.startContext(pod, sandbox.id, sandbox.ip);
            await startContainer(this.d, pod, spec, a.attempt, ctx);
            if (a.backoff) this.d.restarts.next(a.backoff.key, a.backoff.since);
            failures.delete(spec.name);
          } catch (err) {
            if (!isSyncError(err)) throw err;
            failures.set(spec.name, { reason: err.reason, message: err.message });
            // A failed pull shows ErrImagePull until its back-off ends, as the kubelet's does.
            const pullDelay = this.d.pulls.get(imagePullKey(pod, spec.image ?? ''));
            retry(err.reason === 'ErrImagePull' ? Math.max(1000, pullDelay) : 1000);
          }
          break;
        }
      }
    }
    return { terminated: false, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  // Volumes, objects and addresses for the starts of this pass, prepared once.
  private async startContext(pod: Pod, sandboxId: string, podIP: string): Promise<StartContext> {
    const objects = await this.d.objects(pod);
    const inputs = {
      podIPs: podIP ? [podIP] : [],
      hostIPs: this.d.hostIPs,
      objects,
      ...(this.d.allocatable ? { allocatable: this.d.allocatable } : {}),
    };
    let podVolumes: PodVolumes;
    try {
      podVolumes = await this.d.volumes.setUpPod(pod, inputs);
    } catch (err) {
      if (!(err instanceof MountError)) throw err;
      this.d.event(pod, { type: 'Warning', reason: 'FailedMount', message: err.message });
      throw err;
    }
    const resolvConf = await this.podResolvConf(pod);
    return { sandboxId, podIP, podVolumes, ...inputs, ...(resolvConf ? { resolvConf } : {}) };
  }

  // The pod's resolv.conf, (re)written before its containers start; undefined without DNS settings.
  private async podResolvConf(pod: Pod): Promise<string | undefined> {
    if (!this.d.dns) return undefined;
    const written = await this.d.dns.write(pod, this.d.volumes.podDir(pod.metadata.uid ?? ''));
    if (written.warnings.length > 0) {
      // The kubelet's event when dnsConfig exceeds the resolver limits.
      this.d.event(pod, {
        type: 'Warning',
        reason: 'DNSConfigForming',
        message: written.warnings.join('; '),
      });
    }
    return written.path;
  }

  // Ms until the container's CrashLoopBackOff ends (the next pass restarts it).
  private backOffLeft(pod: Pod, observed: ObservedPod, name: string): number {
    const exited = observed.containers.find(
      (c) => c.containerName === name && c.state === 'exited',
    );
    const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
      (c) => c.name === name,
    );
    if (!exited || !spec) return 1000;
    const since = exited.finishedAt ?? exited.createdAt;
    const delay = this.d.restarts.get(crashLoopKey(pod, spec));
    return Math.max(50, since + delay - this.d.clock.now() + 20);
  }

  // Dead instances beyond the newest KEEP_EXITED per container (restartCount lives in labels).
  private async collectGarbage(pod: Pod, observed: ObservedPod): Promise<void> {
    if (pod.metadata.deletionTimestamp) return;
    const seen = new Map<string, number>();
    for (const c of observed.containers) {
      const n = (seen.get(c.containerName) ?? 0) + 1;
      seen.set(c.containerName, n);
      if (n > KEEP_EXITED && c.state === 'exited') {
        await this.d.runtime.removeContainer(c.id).catch((err: unknown) =>
          this.d.log.warn('Could not remove an old container', {
            containerId: c.id,
            error: messageOf(err),
          }),
        );
      }
    }
  }

  private failuresOf(uid: string): Map<string, SyncFailure> {
    let f = this.failures.get(uid);
    if (!f) this.failures.set(uid, (f = new Map()));
    return f;
  }
}
