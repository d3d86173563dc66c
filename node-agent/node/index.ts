/**
 * The node agent's Node: registration, the status loop and the Lease
 * heartbeat in one call. `startNode` resolves once the Node is registered
 * (retrying while the API server is away) and the loops run; they stop on
 * `stop()` or when `signal` aborts, leaving no timers or watches behind.
 *
 * @example
 * const node = await startNode({
 *   client, nodeName: 'node-1', dataDir: '/var/lib/skiff',
 *   runtimeVersion: async () => `docker://${(await runtime.version()).version}`,
 *   signal,
 * });
 * node.onPodCidr((cidr) => void network.ensure(cidr));
 * node.setRuntimeHealth(false, 'container runtime is down: connect ENOENT /run/docker.sock');
 */
import type { BackoffOptions } from '../../control-plane/api/client/backoff.ts';
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { rootLogger, type Logger } from '../../control-plane/api/log.ts';
import type { Node } from '../../control-plane/api/types.ts';
import { systemClock, type Clock } from '../kubelet/clock.ts';
import { LeaseHeartbeat } from './lease-heartbeat.ts';
import {
  DEFAULT_EVICTION_HARD,
  type EvictionThresholds,
  type RuntimeHealth,
} from './node-conditions.ts';
import { DEFAULT_KUBELET_PORT, DEFAULT_MAX_PODS, buildNode } from './node-object.ts';
import { registerNode } from './node-registration.ts';
import { NodeStatusLoop } from './node-status.ts';
import { SystemReadings, type ReadingsSource } from './readings.ts';

/**
 * The kubelet version the node reports: the Kubernetes API version skiff
 * serves with skiff's build suffix, the same text as the API server's
 * /version gitVersion (control-plane/apiserver/discovery/version.ts).
 */
export const KUBELET_VERSION = 'v1.32.0+skiff0.1.0';

export interface StartNodeOptions {
  client: ApiClient;
  nodeName: string;
  /** The agent's data dir; its filesystem is the node's ephemeral storage. */
  dataDir: string;
  /**
   * "<runtime>://<version>", e.g. "docker://20.10.24": a function is asked
   * on every status pass (an upgraded engine shows), a string is fixed.
   */
  runtimeVersion: string | (() => Promise<string>);
  /** --node-ip; else the default route's interface address (see node-ip.ts). */
  nodeIp?: string;
  /** The Hostname address; os.hostname() when absent. */
  hostname?: string;
  /** Port of the kubelet HTTP API. Default 10250. */
  kubeletPort?: number;
  /** Default 110. */
  maxPods?: number;
  /** Extra node labels (as --node-labels), set at registration. */
  labels?: Record<string, string>;
  /** Default KUBELET_VERSION. */
  kubeletVersion?: string;
  /** Overrides of the hard eviction thresholds (memory 100Mi, nodefs 10%, pid 5%). */
  evictionHard?: Partial<EvictionThresholds>;
  /** Runtime health until setRuntimeHealth says otherwise. Default healthy. */
  runtimeHealth?: RuntimeHealth;
  /** Status pass period. Default 10 s. */
  statusUpdateMs?: number;
  /** Status written at least this often. Default 60 s. */
  statusReportMs?: number;
  /** Default 40. */
  leaseDurationSeconds?: number;
  /** Default a quarter of the lease duration. */
  leaseRenewMs?: number;
  /** Retry delays of registration, status and lease after failures (defaults as the kubelet). */
  retryBackoff?: BackoffOptions;
  /** Readings other than the machine's (tests). */
  readings?: ReadingsSource;
  clock?: Clock;
  log?: Logger;
  /** Aborting stops everything (as stop()); aborting during registration rejects startNode. */
  signal?: AbortSignal;
}

/** The running node side of the agent. */
export interface NodeHandle {
  /** The Node as last read or written (uid, spec.podCIDR, status). */
  node(): Node;
  /** The node's InternalIP as registered. */
  nodeIp(): string;
  /** spec.podCIDR once assigned, else undefined. */
  podCidr(): string | undefined;
  /**
   * Calls `cb` when the pod CIDR is assigned or changes (not for a CIDR
   * already known: read podCidr() first). Returns an unsubscribe function.
   */
  onPodCidr(cb: (cidr: string) => void): () => void;
  /** Ready=True when ok, else Ready=False reason KubeletNotReady with `message`; written at once. */
  setRuntimeHealth(ok: boolean, message?: string): void;
  /** Stops the status loop and the heartbeat; resolves when both ended. Safe to call twice. */
  stop(): Promise<void>;
}

/** Registers the Node, then starts its status loop and Lease heartbeat. */
export async function startNode(o: StartNodeOptions): Promise<NodeHandle> {
  const log = (o.log ?? rootLogger).child({ component: 'node' });
  const clock = o.clock ?? systemClock;
  const thresholds = { ...DEFAULT_EVICTION_HARD, ...o.evictionHard };
  let runtime: RuntimeHealth = o.runtimeHealth ?? { ok: true };
  const rv = o.runtimeVersion;
  const readings =
    o.readings ??
    new SystemReadings({
      dataDir: o.dataDir,
      nodeIp: o.nodeIp,
      hostname: o.hostname,
      kubeletPort: o.kubeletPort ?? DEFAULT_KUBELET_PORT,
      maxPods: o.maxPods ?? DEFAULT_MAX_PODS,
      kubeletVersion: o.kubeletVersion ?? KUBELET_VERSION,
      runtimeVersion: typeof rv === 'string' ? () => Promise.resolve(rv) : rv,
    });
  const ac = new AbortController();
  const stopOnSignal = () => ac.abort();
  o.signal?.addEventListener('abort', stopOnSignal, { once: true });
  if (o.signal?.aborted) ac.abort();

  const register = () =>
    registerNode({
      client: o.client,
      nodeName: o.nodeName,
      log,
      signal: ac.signal,
      ...(o.retryBackoff ? { backoff: o.retryBackoff } : {}),
      desired: async (existing) =>
        buildNode({
          nodeName: o.nodeName,
          readings: await readings.read(),
          runtime,
          thresholds,
          nowMs: clock.now(),
          extraLabels: o.labels,
          current: existing?.status,
        }),
    });

  let registered: Node;
  try {
    registered = await register();
  } catch (err) {
    o.signal?.removeEventListener('abort', stopOnSignal);
    throw err;
  }
  logNodeIp(readings, log, o.nodeName);

  const status = new NodeStatusLoop({
    client: o.client,
    node: registered,
    readings,
    thresholds,
    reregister: register,
    updateMs: o.statusUpdateMs,
    reportMs: o.statusReportMs,
    backoff: o.retryBackoff,
    clock,
    log,
  });
  status.setRuntimeHealth(runtime.ok, runtime.message);
  const lease = new LeaseHeartbeat({
    client: o.client,
    nodeName: o.nodeName,
    nodeUid: () => status.node().metadata.uid,
    durationSeconds: o.leaseDurationSeconds,
    renewIntervalMs: o.leaseRenewMs,
    backoff: o.retryBackoff,
    clock,
    log,
  });
  const done = Promise.all([status.run(ac.signal), lease.run(ac.signal)]).finally(() =>
    o.signal?.removeEventListener('abort', stopOnSignal),
  );
  done.catch((err: unknown) => log.error('Node loops failed', { err: err as Error }));

  return {
    node: () => status.node(),
    nodeIp: () => internalIp(status.node()),
    podCidr: () => status.podCidr(),
    onPodCidr: (cb) => status.onPodCidr(cb),
    setRuntimeHealth: (ok, message) => {
      runtime = ok ? { ok } : { ok, message: message ?? '' };
      status.setRuntimeHealth(ok, message);
    },
    stop: async () => {
      ac.abort();
      await done.catch(() => undefined);
    },
  };
}

function internalIp(node: Node): string {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
}

function logNodeIp(readings: ReadingsSource, log: Logger, nodeName: string): void {
  if (readings instanceof SystemReadings && readings.nodeIpChoice) {
    const { ip, source } = readings.nodeIpChoice;
    log.info('Node IP chosen', { node: nodeName, ip, source });
  }
}
