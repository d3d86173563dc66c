/**
 * An in-memory ContainerRuntime for the kubelet's pure-logic tests: it
 * keeps containers and sandboxes with the same identity, states and
 * reasons DockerRuntime reports (dockershim's mapping), on an injectable
 * clock, and lets a test crash, OOM-kill or wedge containers. Real Docker
 * behaviour is proven by test/node-agent/kubelet/runtime/docker-runtime.test.ts;
 * this fake only mirrors it.
 */
import { Readable } from 'node:stream';
import type { Container, Pod } from '../../control-plane/api/types.ts';
import type { Clock } from '../../node-agent/kubelet/clock.ts';
import { HASH_VERSION, hashContainer } from '../../node-agent/kubelet/container-hash.ts';
import type {
  ContainerRunConfig,
  ContainerRuntime,
  ExecResult,
  ImageInfo,
  PodNetwork,
  RuntimeContainer,
  RuntimeContainerStatus,
  RuntimeEvent,
  RuntimeSandbox,
  RuntimeVersion,
  SandboxConfig,
} from '../../node-agent/kubelet/runtime/runtime.ts';
import { SyncError } from '../../node-agent/kubelet/sync-error.ts';

export interface FakeRuntimeOptions {
  clock: Clock;
  nodeName?: string;
  /** Images present at start (default skiff/pause:1 and skiff/echo:1). */
  images?: string[];
}

/** One recorded call, e.g. "start app#1" or "stop app 30s". */
export type FakeCall = string;

export class FakeRuntime implements ContainerRuntime {
  readonly calls: FakeCall[] = [];
  /** Image references whose pull fails like an unreachable registry. */
  readonly unreachable = new Set<string>();
  /** Container names whose processes ignore SIGTERM (stop ends with 137). */
  readonly ignoreSigterm = new Set<string>();
  /** Answers exec; default exit 0. */
  execHandler: (c: RuntimeContainerStatus, cmd: readonly string[]) => ExecResult = () => ({
    exitCode: 0,
    output: '',
    timedOut: false,
  });
  private readonly clock: Clock;
  private readonly nodeName: string;
  private readonly images: Set<string>;
  private readonly containers = new Map<string, RuntimeContainerStatus>();
  private readonly sandboxes = new Map<string, RuntimeSandbox>();
  private nextId = 1;
  private nextIp = 2;

  constructor(opts: FakeRuntimeOptions) {
    this.clock = opts.clock;
    this.nodeName = opts.nodeName ?? 'n1';
    this.images = new Set(opts.images ?? ['skiff/pause:1', 'skiff/echo:1']);
  }

  /** Makes a running container exit now with `exitCode` (OOMKilled if `oom`). */
  exit(id: string, exitCode: number, oom = false): void {
    const c = this.mustGet(id);
    this.containers.set(id, this.exited(c, exitCode, oom ? 'OOMKilled' : undefined));
  }

  /** The newest instance of container `name` of the pod with `podUid`. */
  latest(podUid: string, name: string): RuntimeContainerStatus | undefined {
    return [...this.containers.values()]
      .filter((c) => c.podUid === podUid && c.containerName === name)
      .sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt)[0];
  }

  async version(): Promise<RuntimeVersion> {
    return { name: 'docker', version: '20.10.24', apiVersion: '1.41' };
  }

  async ensureNetwork(podCidr: string, name: string): Promise<PodNetwork> {
    return { id: `net-${name}`, name, subnet: podCidr, gateway: '' };
  }

  async listPodSandboxes(filter: { podUid?: string } = {}): Promise<RuntimeSandbox[]> {
    return [...this.sandboxes.values()]
      .filter((s) => filter.podUid === undefined || s.podUid === filter.podUid)
      .sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt)
      .map((s) => ({ ...s }));
  }

  async listContainers(filter: { podUid?: string } = {}): Promise<RuntimeContainer[]> {
    return [...this.containers.values()]
      .filter((c) => filter.podUid === undefined || c.podUid === filter.podUid)
      .sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt)
      .map((c) => ({ ...c }));
  }

  async createSandbox(pod: Pod, config: SandboxConfig): Promise<{ id: string; ip: string }> {
    const id = `sandbox-${this.nextId++}`;
    const ip = pod.spec.hostNetwork ? '' : `10.244.1.${this.nextIp++}`;
    this.sandboxes.set(id, {
      ...this.identity(pod, 'POD', config.attempt, '', ''),
      id,
      state: 'ready',
      ip,
      network: pod.spec.hostNetwork ? 'host' : config.network,
      createdAt: this.clock.now(),
    });
    this.calls.push(`createSandbox#${config.attempt}`);
    return { id, ip };
  }

  async createContainer(
    pod: Pod,
    container: Container,
    sandboxId: string,
    attempt: number,
    config: ContainerRunConfig,
  ): Promise<string> {
    if (!this.sandboxes.has(sandboxId)) {
      throw new SyncError('CreateContainerError', `No such container: ${sandboxId}`);
    }
    if (!this.images.has(config.image)) {
      throw new SyncError('CreateContainerError', `No such image: ${config.image}`);
    }
    const id = `c-${this.nextId++}`;
    const identity = this.identity(
      pod,
      container.name,
      attempt,
      hashContainer(container),
      HASH_VERSION,
    );
    this.containers.set(id, {
      ...identity,
      id,
      image: config.image,
      imageId: `sha256:${config.image}`,
      imageRef: `docker://sha256:${config.image}`,
      state: 'created',
      createdAt: this.clock.now(),
      tty: false,
    });
    this.calls.push(`create ${container.name}#${attempt}`);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.mustGet(id);
    this.containers.set(id, { ...c, state: 'running', startedAt: this.clock.now() });
    this.calls.push(`start ${c.containerName}#${c.attempt}`);
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    const s = this.sandboxes.get(id);
    if (s) {
      this.sandboxes.set(id, { ...s, state: 'notready', ip: '' });
      this.calls.push(`stopSandbox ${s.attempt}`);
    }
    if (!c) return;
    this.calls.push(`stop ${c.containerName}#${c.attempt} ${gracePeriodSeconds}s`);
    if (c.state !== 'running') return;
    const stubborn = this.ignoreSigterm.has(c.containerName);
    this.containers.set(id, this.exited(c, stubborn ? 137 : 0));
  }

  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
    this.sandboxes.delete(id);
  }

  async inspect(id: string): Promise<RuntimeContainerStatus | undefined> {
    const c = this.containers.get(id);
    return c ? { ...c } : undefined;
  }

  async imagePresent(ref: string): Promise<ImageInfo | undefined> {
    return this.images.has(ref)
      ? { id: `sha256:${ref}`, repoDigests: [], repoTags: [ref] }
      : undefined;
  }

  async pullImage(ref: string): Promise<ImageInfo> {
    this.calls.push(`pull ${ref}`);
    if (this.unreachable.has(ref)) {
      throw new SyncError('ErrImagePull', `failed to pull image "${ref}": connection refused`);
    }
    this.images.add(ref);
    return { id: `sha256:${ref}`, repoDigests: [], repoTags: [ref] };
  }

  async containerLogs(): Promise<Readable> {
    return Readable.from([]);
  }

  async exec(id: string, cmd: readonly string[]): Promise<ExecResult> {
    return this.execHandler(this.mustGet(id), cmd);
  }

  async *events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  }

  private exited(
    c: RuntimeContainerStatus,
    exitCode: number,
    reason?: 'OOMKilled',
  ): RuntimeContainerStatus {
    return {
      ...c,
      state: 'exited',
      exitCode,
      reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
      finishedAt: this.clock.now(),
    };
  }

  private identity(
    pod: Pod,
    containerName: string,
    attempt: number,
    hash: string,
    hashVersion: string,
  ) {
    return {
      podUid: pod.metadata.uid ?? '',
      podNamespace: pod.metadata.namespace ?? 'default',
      podName: pod.metadata.name ?? '',
      containerName,
      attempt,
      nodeName: this.nodeName,
      hash,
      hashVersion,
    };
  }

  private mustGet(id: string): RuntimeContainerStatus {
    const c = this.containers.get(id);
    if (!c) throw new SyncError('RunContainerError', `No such container: ${id}`);
    return c;
  }
}
