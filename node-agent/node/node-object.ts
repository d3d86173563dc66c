/**
 * The Node object the agent registers and keeps up to date, pure: built
 * from NodeReadings the way the kubelet's status setters build it
 * (pkg/kubelet/nodestatus/setters.go): labels, capacity and allocatable
 * (capacity less the hard eviction thresholds), addresses, nodeInfo, the
 * kubelet endpoint and the conditions of node-conditions.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Node, NodeStatus } from '../../control-plane/api/types.ts';
import {
  nodeConditions,
  sameConditions,
  type EvictionThresholds,
  type PressureReadings,
  type RuntimeHealth,
} from './node-conditions.ts';

/** What the agent knows about its machine and itself; readings.ts reads it. */
export interface NodeReadings extends PressureReadings {
  /** Logical CPUs (the kubelet's NumCores). */
  cpuCount: number;
  /** Physical memory (MemTotal). */
  memoryBytes: number;
  /** Size of the filesystem holding the data dir (the kubelet's nodefs). */
  ephemeralStorageBytes: number;
  /** The machine's host name (the Hostname address). */
  hostname: string;
  /** Go's GOOS: "linux". */
  operatingSystem: string;
  /** Go's GOARCH: "amd64", "arm64" ... (see goArch). */
  architecture: string;
  /** `uname -r`. */
  kernelVersion: string;
  /** PRETTY_NAME of /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)". */
  osImage: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  /** "<runtime>://<version>", e.g. "docker://20.10.24". */
  containerRuntimeVersion: string;
  /** e.g. "v1.32.0+skiff0.1.0". */
  kubeletVersion: string;
  /** The node's InternalIP. */
  nodeIp: string;
  /** Port of the kubelet HTTP API (daemonEndpoints.kubeletEndpoint). */
  kubeletPort: number;
  /** Pod capacity. Kubelet default 110. */
  maxPods: number;
}

/** The kubelet's default pod capacity (--max-pods). */
export const DEFAULT_MAX_PODS = 110;
/** The kubelet's default API port. */
export const DEFAULT_KUBELET_PORT = 10250;

// Node's process.arch → Go's GOARCH, the values of kubernetes.io/arch.
const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le', // Node names little-endian ppc64 "ppc64"; Kubernetes ships ppc64le only
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** Go's architecture name for a Node.js `process.arch` value (unknown names pass through). */
export function goArch(nodeArch: string): string {
  return GO_ARCH[nodeArch] ?? nodeArch;
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * A byte count as a canonical BinarySI quantity, as resource.NewQuantity(n,
 * BinarySI) prints it: the largest power-of-1024 suffix that divides it
 * exactly ("32882784Ki", "16Gi"), else plain bytes ("43916124599").
 */
export function binaryQuantity(bytes: number): string {
  let n = Math.max(0, Math.floor(bytes));
  let i = 0;
  while (n !== 0 && n % 1024 === 0 && i < BINARY_SUFFIXES.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${BINARY_SUFFIXES[i] ?? ''}`;
}

/** The labels the agent owns on its Node: hostname, os and arch (also the beta keys kubelets still set). */
export function ownedLabels(nodeName: string, r: NodeReadings): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': r.architecture,
    'beta.kubernetes.io/os': r.operatingSystem,
    'kubernetes.io/arch': r.architecture,
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': r.operatingSystem,
  };
}

/** status.capacity: cpu, memory (Ki), ephemeral-storage (Ki), pods. */
export function nodeCapacity(r: NodeReadings): Record<string, string> {
  return {
    cpu: String(r.cpuCount),
    'ephemeral-storage': binaryQuantity(r.ephemeralStorageBytes),
    memory: binaryQuantity(r.memoryBytes),
    pods: String(r.maxPods),
  };
}

/**
 * status.allocatable: capacity less the hard eviction reservation, as the
 * kubelet's container manager computes it (memory less 100Mi, ephemeral
 * storage less 10% of its size, rounded down), never below 0.
 */
export function nodeAllocatable(r: NodeReadings, t: EvictionThresholds): Record<string, string> {
  const disk = r.ephemeralStorageBytes;
  const diskReserved = Math.floor((disk * t.nodefsAvailablePercent) / 100);
  return {
    cpu: String(r.cpuCount),
    'ephemeral-storage': binaryQuantity(disk - diskReserved),
    memory: binaryQuantity(r.memoryBytes - t.memoryAvailableBytes),
    pods: String(r.maxPods),
  };
}

/** The fields of NodeStatus the agent owns, conditions aside. */
function ownedStatus(r: NodeReadings, t: EvictionThresholds): NodeStatus {
  return {
    capacity: nodeCapacity(r),
    allocatable: nodeAllocatable(r, t),
    addresses: [
      { type: 'InternalIP', address: r.nodeIp },
      { type: 'Hostname', address: r.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: r.kubeletPort } },
    nodeInfo: {
      machineID: r.machineID,
      systemUUID: r.systemUUID,
      bootID: r.bootID,
      kernelVersion: r.kernelVersion,
      osImage: r.osImage,
      containerRuntimeVersion: r.containerRuntimeVersion,
      kubeletVersion: r.kubeletVersion,
      // Deprecated; kubelets of 1.31+ leave it empty (DisableNodeKubeProxyVersion).
      kubeProxyVersion: '',
      operatingSystem: r.operatingSystem,
      architecture: r.architecture,
    },
  };
}

/**
 * The status to write at `nowMs` over the `current` one: the agent's own
 * fields replaced, capacity/allocatable entries others advertise (extended
 * resources) kept, other status fields kept, conditions per nodeConditions.
 */
export function desiredNodeStatus(
  current: NodeStatus | undefined,
  r: NodeReadings,
  runtime: RuntimeHealth,
  t: EvictionThresholds,
  nowMs: number,
): NodeStatus {
  const own = ownedStatus(r, t);
  return {
    ...current,
    ...own,
    capacity: { ...current?.capacity, ...own.capacity },
    allocatable: { ...current?.allocatable, ...own.allocatable },
    conditions: nodeConditions(current?.conditions, r, runtime, t, nowMs),
  };
}

/** True when writing `desired` over `current` would change more than heartbeat times. */
export function nodeStatusChanged(current: NodeStatus | undefined, desired: NodeStatus): boolean {
  const { conditions: a, ...restA } = current ?? {};
  const { conditions: b, ...restB } = desired;
  return !sameConditions(a, b) || !isDeepStrictEqual(restA, restB);
}

/** What buildNode needs. */
export interface NodeBuildInput {
  nodeName: string;
  readings: NodeReadings;
  runtime: RuntimeHealth;
  thresholds: EvictionThresholds;
  nowMs: number;
  /** Labels of the operator's choosing (--node-labels); the owned ones win. */
  extraLabels?: Record<string, string>;
  /** The status the Node has now, when it exists (its conditions keep their transition times). */
  current?: NodeStatus;
}

/** The Node the agent wants: its labels, an empty spec (others own it) and its status. */
export function buildNode(i: NodeBuildInput): Node {
  const labels = { ...i.extraLabels, ...ownedLabels(i.nodeName, i.readings) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: i.nodeName, labels },
    spec: {},
    status: desiredNodeStatus(i.current, i.readings, i.runtime, i.thresholds, i.nowMs),
  };
}
