/**
 * Builders for the kubelet tests: pods as the API server hands them out
 * (defaults applied), observed runtime containers and sandboxes, and a
 * volume manager that mounts nothing.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Container, Pod, PodSpec } from '../../../control-plane/api/types.ts';
import { HASH_VERSION, hashContainer } from '../../../node-agent/kubelet/container-hash.ts';
import type {
  RuntimeContainerStatus,
  RuntimeSandbox,
} from '../../../node-agent/kubelet/runtime/runtime.ts';
import { VolumeManager } from '../../../node-agent/kubelet/volumes.ts';

/** A VolumeManager under `dataDir` whose mounter does nothing (no tmpfs is ever mounted). */
export function unmountedVolumes(dataDir: string): VolumeManager {
  return new VolumeManager({
    dataDir,
    mounter: {
      mountTmpfs: () => Promise.resolve(),
      unmount: () => Promise.resolve(),
      isMountPoint: () => Promise.resolve(false),
    },
    log: createLogger({}, { level: 'error' }),
  });
}

/** A container spec with the defaults the API server applies. */
export function container(name: string, extra: Partial<Container> = {}): Container {
  return {
    name,
    image: 'skiff/echo:1',
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...extra,
  };
}

/** A pod bound to node n1 with the given containers (defaults applied). */
export function pod(
  name: string,
  containers: Container[],
  spec: Partial<PodSpec> = {},
  meta: Partial<Pod['metadata']> = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: randomUUID(),
      creationTimestamp: '2025-01-01T00:00:00Z',
      ...meta,
    },
    spec: {
      containers,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      nodeName: 'n1',
      ...spec,
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

let nextId = 1;

/** An observed running sandbox of `p`. */
export function sandbox(p: Pod, extra: Partial<RuntimeSandbox> = {}): RuntimeSandbox {
  return {
    id: `sandbox${nextId++}`,
    podUid: p.metadata.uid ?? '',
    podNamespace: p.metadata.namespace ?? '',
    podName: p.metadata.name ?? '',
    containerName: 'POD',
    attempt: 0,
    nodeName: 'n1',
    hash: '',
    hashVersion: '',
    state: 'ready',
    ip: '10.244.1.5',
    network: 'skiff-pods',
    createdAt: Date.parse('2025-01-01T00:00:01Z'),
    ...extra,
  };
}

type Obs = Partial<RuntimeContainerStatus> & Pick<RuntimeContainerStatus, 'state'>;

/** An observed instance of container `c` of `p` (running unless told otherwise). */
export function observed(p: Pod, c: Container, extra: Obs): RuntimeContainerStatus {
  const createdAt = extra.createdAt ?? Date.parse('2025-01-01T00:00:02Z');
  return {
    id: `c${nextId++}`,
    podUid: p.metadata.uid ?? '',
    podNamespace: p.metadata.namespace ?? '',
    podName: p.metadata.name ?? '',
    containerName: c.name,
    attempt: 0,
    nodeName: 'n1',
    hash: hashContainer(c),
    hashVersion: HASH_VERSION,
    image: c.image ?? '',
    imageId: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    imageRef: 'docker://sha256:1111111111111111111111111111111111111111111111111111111111111111',
    tty: false,
    createdAt,
    ...(extra.state === 'running' ? { startedAt: createdAt + 500 } : {}),
    ...extra,
  };
}

/** An exited instance: exit code, finish time and the reason Docker's mapping gives. */
export function exited(
  p: Pod,
  c: Container,
  exitCode: number,
  finishedAt: number,
  extra: Partial<RuntimeContainerStatus> = {},
): RuntimeContainerStatus {
  return observed(p, c, {
    state: 'exited',
    exitCode,
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: finishedAt - 1000,
    finishedAt,
    ...extra,
  });
}

/** `v` with the keys of every object in reverse order (equal content, other layout). */
export function reverseKeys<T>(v: T): T {
  const rev = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(rev)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.entries(x)
              .reverse()
              .map(([k, y]) => [k, rev(y)]),
          )
        : x;
  return rev(v) as T;
}
