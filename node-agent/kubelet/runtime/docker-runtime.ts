/**
 * ContainerRuntime on a Docker engine through dockerode. A pod is a pause
 * container on the node's pod network (the sandbox) plus app containers
 * joined to its network and IPC namespaces; identity is in labels
 * (labels.ts), create options come from container-config.ts, and every
 * engine answer passes a schema (docker-schemas.ts) before it is used.
 *
 * @example
 *   const runtime = await DockerRuntime.connect({ dockerHost: 'unix:///var/run/docker.sock', nodeName: 'n1' });
 *   await runtime.ensureNetwork('10.244.1.0/24', 'skiff-pods');
 *   const { id, ip } = await runtime.createSandbox(pod, { network: 'skiff-pods', attempt: 0 });
 */
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { rootLogger, type Logger } from '../../../control-plane/api/log.ts';
import type { Container, Pod } from '../../../control-plane/api/types.ts';
import { SyncError } from '../sync-error.ts';
import { containerCreateOptions, sandboxCreateOptions } from './container-config.ts';
import { engineMessage, engineStatus, ignoring, unlessNotFound } from './docker-errors.ts';
import { containerLogs, engineEvents, execIn, pullImage } from './docker-io.ts';
import { ensurePodNetwork } from './docker-network.ts';
import {
  ContainerInspect,
  ContainerList,
  EngineVersion,
  ImageInspect,
  checkDocker,
  type ContainerListEntry,
} from './docker-schemas.ts';
import { fromListEntry, imageRefOf, newestFirst, statusFromInspect } from './docker-status.ts';
import { dockerConnection, negotiateApiVersion } from './docker-version.ts';
import { labelFilter } from './labels.ts';
import type {
  ContainerRunConfig,
  ContainerRuntime,
  ExecResult,
  ImageInfo,
  LogOptions,
  PodNetwork,
  PullProgress,
  RuntimeContainer,
  RuntimeContainerStatus,
  RuntimeEvent,
  RuntimeSandbox,
  RuntimeVersion,
  SandboxConfig,
} from './runtime.ts';

/** The default sandbox image, built by deploy/local-cluster. */
export const DEFAULT_PAUSE_IMAGE = 'skiff/pause:1';

export interface DockerRuntimeOptions {
  /** A client already bound to an API version (see `connect`). */
  docker: Docker;
  /** Engine version, e.g. "20.10.24" (decides network options). */
  engineVersion: string;
  apiVersion: string;
  nodeName: string;
  pauseImage?: string;
  log?: Logger;
}

export interface DockerConnectOptions {
  /** unix:///path/docker.sock (default unix:///var/run/docker.sock) or tcp://host:port. */
  dockerHost?: string;
  nodeName: string;
  pauseImage?: string;
  log?: Logger;
}

export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  private readonly engineVersion: string;
  private readonly apiVersion: string;
  private readonly nodeName: string;
  private readonly pauseImage: string;
  private readonly log: Logger;
  // imageId → pod status imageID; image IDs are content hashes, so entries never go stale.
  private readonly imageRefs = new Map<string, string>();

  constructor(opts: DockerRuntimeOptions) {
    this.docker = opts.docker;
    this.engineVersion = opts.engineVersion;
    this.apiVersion = opts.apiVersion;
    this.nodeName = opts.nodeName;
    this.pauseImage = opts.pauseImage ?? DEFAULT_PAUSE_IMAGE;
    this.log = (opts.log ?? rootLogger).child({ component: 'docker-runtime' });
  }

  /** Connects to the engine, negotiates the API version and returns a runtime for `nodeName`. */
  static async connect(opts: DockerConnectOptions): Promise<DockerRuntime> {
    const where = dockerConnection(opts.dockerHost ?? 'unix:///var/run/docker.sock');
    // Unversioned paths reach any engine; the answer says which version to pin.
    const probe = checkDocker(EngineVersion, await new Docker(where).version(), 'GET /version');
    const apiVersion = negotiateApiVersion(probe.ApiVersion, probe.MinAPIVersion);
    return new DockerRuntime({
      docker: new Docker({ ...where, version: `v${apiVersion}` }),
      engineVersion: probe.Version,
      apiVersion,
      nodeName: opts.nodeName,
      ...(opts.pauseImage !== undefined ? { pauseImage: opts.pauseImage } : {}),
      ...(opts.log !== undefined ? { log: opts.log } : {}),
    });
  }

  async version(): Promise<RuntimeVersion> {
    const v = checkDocker(EngineVersion, await this.docker.version(), 'GET /version');
    return { name: 'docker', version: v.Version, apiVersion: this.apiVersion };
  }

  ensureNetwork(podCidr: string, name: string): Promise<PodNetwork> {
    return ensurePodNetwork(this.docker, {
      podCidr,
      name,
      engineVersion: this.engineVersion,
      nodeName: this.nodeName,
      log: this.log,
    });
  }

  async listPodSandboxes(filter: { podUid?: string } = {}): Promise<RuntimeSandbox[]> {
    const found: RuntimeSandbox[] = [];
    for (const e of await this.list(filter.podUid)) {
      const item = fromListEntry(e);
      if (item && 'sandbox' in item) found.push(item.sandbox);
    }
    return newestFirst(found);
  }

  async listContainers(filter: { podUid?: string } = {}): Promise<RuntimeContainer[]> {
    const found: RuntimeContainer[] = [];
    for (const e of await this.list(filter.podUid)) {
      const item = fromListEntry(e);
      if (item && 'container' in item) found.push(item.container);
    }
    return newestFirst(found);
  }

  async createSandbox(pod: Pod, config: SandboxConfig): Promise<{ id: string; ip: string }> {
    const fail = (what: string, err: unknown) =>
      new SyncError(
        'CreatePodSandboxError',
        `Failed to ${what} sandbox for pod "${podRef(pod)}": ${engineMessage(err)}`,
        { cause: err },
      );
    // Never pulled implicitly: a bare name would mean Docker Hub, and nodes
    // may have no way out. The agent loads it, or the operator names one.
    if (!(await this.imagePresent(this.pauseImage))) {
      throw new SyncError(
        'CreatePodSandboxError',
        `Failed to create sandbox for pod "${podRef(pod)}": the pause image ${this.pauseImage} is not on this node: ` +
          "load it into the node's Docker, or configure a pause image the node has",
      );
    }
    const options = sandboxCreateOptions({
      pod,
      config,
      nodeName: this.nodeName,
      image: this.pauseImage,
    });
    const id = await this.createNamed(options).catch((err: unknown) => {
      throw fail('create', err);
    });
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      await this.removeContainer(id).catch(() => {});
      throw fail('start', err);
    }
    const info = checkDocker(
      ContainerInspect,
      await this.docker.getContainer(id).inspect(),
      'a sandbox inspect',
    );
    const network = pod.spec.hostNetwork ? 'host' : config.network;
    const ip = pod.spec.hostNetwork
      ? ''
      : (info.NetworkSettings?.Networks?.[network]?.IPAddress ?? '');
    return { id, ip };
  }

  async createContainer(
    pod: Pod,
    container: Container,
    sandboxId: string,
    attempt: number,
    config: ContainerRunConfig,
  ): Promise<string> {
    const options = containerCreateOptions({
      pod,
      container,
      sandboxId,
      attempt,
      nodeName: this.nodeName,
      config,
    });
    try {
      return await this.createNamed(options);
    } catch (err) {
      throw new SyncError('CreateContainerError', engineMessage(err), { cause: err });
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await ignoring([304], () => this.docker.getContainer(id).start());
    } catch (err) {
      throw new SyncError('RunContainerError', engineMessage(err), { cause: err });
    }
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const t = Math.max(0, Math.floor(gracePeriodSeconds));
    // The engine sends the stop signal, waits t seconds, then SIGKILL.
    await ignoring([304, 404], () => this.docker.getContainer(id).stop({ t }));
  }

  async removeContainer(id: string): Promise<void> {
    // 409: a removal of it is already in progress.
    await ignoring([404, 409], () => this.docker.getContainer(id).remove({ force: true, v: true }));
  }

  async inspect(id: string): Promise<RuntimeContainerStatus | undefined> {
    const raw = await unlessNotFound(() => this.docker.getContainer(id).inspect());
    if (raw === undefined) return undefined;
    const info = checkDocker(ContainerInspect, raw, `GET /containers/${id.slice(0, 12)}/json`);
    return statusFromInspect(info, await this.imageRef(info.Image));
  }

  async imagePresent(ref: string): Promise<ImageInfo | undefined> {
    const raw = await unlessNotFound(() => this.docker.getImage(ref).inspect());
    if (raw === undefined) return undefined;
    const img = checkDocker(ImageInspect, raw, `GET /images/${ref}/json`);
    return { id: img.Id, repoDigests: img.RepoDigests ?? [], repoTags: img.RepoTags ?? [] };
  }

  async pullImage(
    ref: string,
    onProgress?: (p: PullProgress) => void,
    signal?: AbortSignal,
  ): Promise<ImageInfo> {
    await pullImage(this.docker, ref, onProgress, signal);
    const info = await this.imagePresent(ref);
    if (!info) {
      throw new SyncError('ErrImagePull', `image "${ref}" is missing right after its pull`);
    }
    return info;
  }

  async containerLogs(id: string, opts: LogOptions): Promise<Readable> {
    const container = this.docker.getContainer(id);
    const info = checkDocker(ContainerInspect, await container.inspect(), 'a logs inspect');
    return containerLogs(container, info.Config.Tty === true, opts);
  }

  exec(id: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult> {
    return execIn(this.docker.getContainer(id), cmd, timeoutMs);
  }

  events(signal: AbortSignal, sinceMs?: number): AsyncIterable<RuntimeEvent> {
    return engineEvents(this.docker, this.nodeName, signal, sinceMs);
  }

  // Creates with a deterministic name. A name already taken means an
  // earlier create of this very container (same attempt) survived a crash
  // of the agent before it was recorded: remove it and create again.
  private async createNamed(options: Docker.ContainerCreateOptions): Promise<string> {
    try {
      return (await this.docker.createContainer(options)).id;
    } catch (err) {
      if (engineStatus(err) !== 409 || !options.name) throw err;
      this.log.warn('Replacing a container left over by an earlier create', { name: options.name });
      await this.removeContainer(options.name);
      return (await this.docker.createContainer(options)).id;
    }
  }

  private async list(podUid?: string): Promise<ContainerListEntry[]> {
    const raw = await this.docker.listContainers({
      all: true,
      filters: { label: labelFilter(this.nodeName, podUid) },
    });
    return checkDocker(ContainerList, raw, 'GET /containers/json');
  }

  private async imageRef(imageId: string): Promise<string> {
    const known = this.imageRefs.get(imageId);
    if (known) return known;
    const raw = await unlessNotFound(() => this.docker.getImage(imageId).inspect());
    const img = raw === undefined ? undefined : checkDocker(ImageInspect, raw, 'an image inspect');
    const ref = imageRefOf(imageId, img);
    if (img) this.imageRefs.set(imageId, ref);
    return ref;
  }
}

function podRef(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}
