/**
 * The objects a hollow node writes, pure: its Node (capacity, labels,
 * Ready), its Lease in kube-node-lease, the status patch that reports a
 * pod Running and Ready without any container.
 */
import type { Lease, Node, Pod } from '../api/types.ts';

/** Every hollow node carries this label, so tests and tools can tell them apart. */
export const HOLLOW_LABEL = 'skiff.io/hollow';

export interface HollowCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

export const DEFAULT_CAPACITY: HollowCapacity = { cpu: '4', memory: '16Gi', pods: '110' };

/** A loopback address per node index (127.1.0.1 ...): nothing ever leaves the machine. */
export function nodeAddress(index: number): string {
  const n = index + 1;
  return `127.${1 + ((n >> 16) & 0x7f)}.${(n >> 8) & 255}.${n & 255}`;
}

/** The Node a hollow node registers, Ready from the start. */
export function hollowNode(
  name: string,
  index: number,
  capacity: HollowCapacity,
  labels: Record<string, string>,
  nowMs: number,
): Node {
  const t = new Date(nowMs).toISOString();
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [HOLLOW_LABEL]: 'true',
        ...labels,
      },
    },
    spec: {},
    status: {
      capacity: { ...capacity },
      allocatable: { ...capacity },
      conditions: [
        cond(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond(
          'PIDPressure',
          'False',
          'KubeletHasSufficientPID',
          'kubelet has sufficient PID available',
        ),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: nodeAddress(index) },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: 'hollow',
        osImage: 'hollow',
        containerRuntimeVersion: 'hollow://0',
        kubeletVersion: 'v1.32.0-skiff-hollow',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  } as Node;
}

/** The node's Lease as the kubelet keeps it: holder = node, 40 s, renewed now. */
export function nodeLease(name: string, nodeUid: string | undefined, nowMs: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ...(nodeUid
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] }
        : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(nowMs) },
  };
}

/** metav1.MicroTime text: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** True when the pod already shows Running and Ready (nothing to report). */
export function reportedRunning(pod: Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  );
}

/**
 * The strategic-merge status patch that reports `pod` Running and Ready
 * on `hostIP` with `podIP`: every container running since now, none
 * restarted.
 */
export function runningStatusPatch(
  pod: Pod,
  hostIP: string,
  podIP: string,
  nowMs: number,
): unknown {
  const t = new Date(nowMs).toISOString();
  const cond = (type: string) => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: t,
  });
  const uid = pod.metadata.uid ?? '';
  const containers = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  return {
    status: {
      phase: 'Running',
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: t,
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'ContainersReady',
        'Ready',
        'PodScheduled',
      ].map(cond),
      ...(inits.length > 0
        ? {
            initContainerStatuses: inits.map((c) => ({
              name: c.name,
              image: c.image ?? '',
              imageID: '',
              containerID: `hollow://${uid}/${c.name}`,
              ready: true,
              restartCount: 0,
              started: false,
              state: {
                terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t },
              },
            })),
          }
        : {}),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        containerID: `hollow://${uid}/${c.name}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: t } },
      })),
    },
  };
}
