/**
 * The container runtime as the kubelet needs it, and the observed state it
 * reports. The kubelet's pure logic (pod actions, pod status) reads these
 * types; only an implementation of ContainerRuntime (DockerRuntime) talks to
 * a container engine.
 *
 * Identity lives in labels (labels.ts): every container of a pod, the
 * sandbox included, carries the pod UID, namespace and name, its container
 * name ("POD" for the sandbox), restart attempt, node name and spec hash, so
 * an agent that restarts adopts what runs instead of recreating it.
 */
import type { Readable } from 'node:stream';
import type { Container, Pod } from '../../../control-plane/api/types.ts';

/** created: never started; exited: ran and stopped (or could not run). */
export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** Who a container belongs to, as read back from its labels. */
export interface ContainerIdentity {
  podUid: string;
  podNamespace: string;
  podName: string;
  /** The pod's container name, or "POD" for the sandbox. */
  containerName: string;
  /** 0 for the first instance, +1 for each restart (the restartCount). */
  attempt: number;
  nodeName: string;
  /** Spec hash of the container it was created from (container-hash.ts). */
  hash: string;
  hashVersion: string;
}

/** One container of a pod as a cheap list reports it. */
export interface RuntimeContainer extends ContainerIdentity {
  id: string;
  /** The image reference it was created from, e.g. "skiff/echo:1". */
  image: string;
  /** The image's ID, "sha256:...". */
  imageId: string;
  state: RuntimeContainerState;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** The Kubernetes reasons of a terminated container (dockershim's mapping). */
export type TerminatedReason = 'Completed' | 'Error' | 'OOMKilled' | 'ContainerCannotRun';

/** One container in full, as inspect reports it. */
export interface RuntimeContainerStatus extends RuntimeContainer {
  startedAt?: number;
  finishedAt?: number;
  /** Set when state is "exited". */
  exitCode?: number;
  reason?: TerminatedReason;
  /** The engine's error text, if any (e.g. why it could not run). */
  message?: string;
  /** The pod status imageID: "docker-pullable://repo@sha256:..." or "docker://sha256:...". */
  imageRef: string;
  /** Whether it was created with a TTY (its logs are then not multiplexed). */
  tty: boolean;
}

/** A pod sandbox: the pause container holding the pod's network and IPC namespaces. */
export interface RuntimeSandbox extends ContainerIdentity {
  id: string;
  state: 'ready' | 'notready';
  /** The pod IP on the pod network; "" for host-network pods or when not running. */
  ip: string;
  /** The network it is attached to ("host" for host-network pods). */
  network: string;
  createdAt: number;
}

/** One environment variable, resolved (env.ts). */
export interface EnvPair {
  name: string;
  value: string;
}

/** A host path bind-mounted into a container (volumes.ts). */
export interface BindMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/** What the kubelet resolved for one container before creating it. */
export interface ContainerRunConfig {
  /** The image reference with the default tag applied (image.ts). */
  image: string;
  env: readonly EnvPair[];
  mounts: readonly BindMount[];
  /** The pod's resolv.conf on the host (pod-dns.ts), mounted read-only at /etc/resolv.conf. */
  resolvConf?: string;
}

/** Where and how a sandbox runs. */
export interface SandboxConfig {
  /** The pod network (ensureNetwork); ignored for host-network pods. */
  network: string;
  /** 0 for the first sandbox of the pod, +1 for each re-creation. */
  attempt: number;
  dns?: { servers: string[]; searches: string[]; options: string[] };
}

/** A pod network on this node. */
export interface PodNetwork {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
}

/** An image present on the node. */
export interface ImageInfo {
  id: string;
  repoDigests: string[];
  repoTags: string[];
}

/** One progress line of a pull. */
export interface PullProgress {
  status: string;
  id?: string;
  progress?: string;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  /** Only lines newer than this many seconds. */
  sinceSeconds?: number;
  /** Only lines at or after this RFC 3339 time. */
  sinceTime?: string;
  /** Stops a followed stream. */
  signal?: AbortSignal;
}

/** The outcome of a command run in a container. */
export interface ExecResult {
  /** undefined when the command timed out. */
  exitCode: number | undefined;
  /** stdout and stderr, interleaved, capped (probes keep at most 10 KiB). */
  output: string;
  timedOut: boolean;
}

/** A container event from the engine's stream; only ours (labels) come through. */
export interface RuntimeEvent extends Partial<ContainerIdentity> {
  /** "create", "start", "die", "oom", "kill", "stop", "destroy", ... */
  action: string;
  containerId: string;
  /** Epoch milliseconds. */
  time: number;
  exitCode?: number;
}

export interface RuntimeVersion {
  /** "docker" */
  name: string;
  /** Engine version, e.g. "20.10.24". */
  version: string;
  /** The API version in use, e.g. "1.41". */
  apiVersion: string;
}

/**
 * Everything the kubelet asks of a container runtime. Methods throw
 * SyncError with the Kubernetes reason where one applies (ErrImagePull,
 * CreatePodSandboxError, CreateContainerError, RunContainerError); lookups
 * of something gone return undefined; stop and remove of something gone
 * succeed.
 */
export interface ContainerRuntime {
  version(): Promise<RuntimeVersion>;
  /** Creates the pod network with this subnet if missing; fails if it exists with another. */
  ensureNetwork(podCidr: string, name: string): Promise<PodNetwork>;
  /** This node's sandboxes, newest first; of one pod when `podUid` is given. */
  listPodSandboxes(filter?: { podUid?: string }): Promise<RuntimeSandbox[]>;
  /** This node's app and init containers (not sandboxes), newest first. */
  listContainers(filter?: { podUid?: string }): Promise<RuntimeContainer[]>;
  /** Creates and starts the sandbox; resolves to its ID and pod IP. */
  createSandbox(pod: Pod, config: SandboxConfig): Promise<{ id: string; ip: string }>;
  /** Creates (does not start) `container` of `pod` inside the sandbox; resolves to its ID. */
  createContainer(
    pod: Pod,
    container: Container,
    sandboxId: string,
    attempt: number,
    config: ContainerRunConfig,
  ): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stop signal (SIGTERM), up to `gracePeriodSeconds` of waiting, then SIGKILL. */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  inspect(id: string): Promise<RuntimeContainerStatus | undefined>;
  imagePresent(ref: string): Promise<ImageInfo | undefined>;
  pullImage(
    ref: string,
    onProgress?: (p: PullProgress) => void,
    signal?: AbortSignal,
  ): Promise<ImageInfo>;
  /** The container's output as text (stdout and stderr merged, in order). */
  containerLogs(id: string, opts: LogOptions): Promise<Readable>;
  exec(id: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult>;
  /**
   * The engine's event stream for this node's containers, from `sinceMs`
   * (epoch ms; default now) until `signal` aborts or the stream drops.
   */
  events(signal: AbortSignal, sinceMs?: number): AsyncIterable<RuntimeEvent>;
}
