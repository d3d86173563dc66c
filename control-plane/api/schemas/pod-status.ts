/** core/v1 PodStatus: phase, conditions, IPs and the container statuses the kubelet reports. */
import Type from 'typebox';
import {
  CORE,
  atomicList,
  bool,
  int32,
  int64,
  mergeList,
  named,
  quantityMap,
  str,
  time,
} from './helpers.ts';
import { ResourceRequirements } from './container.ts';

export const ContainerState = named(
  `${CORE}ContainerState`,
  'ContainerState holds a possible state of container. Only one of its members may be specified.',
  {
    waiting: Type.Optional(
      named(
        `${CORE}ContainerStateWaiting`,
        'ContainerStateWaiting is a waiting state of a container.',
        { reason: str(), message: str() },
      ),
    ),
    running: Type.Optional(
      named(
        `${CORE}ContainerStateRunning`,
        'ContainerStateRunning is a running state of a container.',
        { startedAt: time() },
      ),
    ),
    terminated: Type.Optional(
      named(
        `${CORE}ContainerStateTerminated`,
        'ContainerStateTerminated is a terminated state of a container.',
        {
          exitCode: Type.Integer({ format: 'int32' }),
          signal: int32(),
          reason: str(),
          message: str(),
          startedAt: time(),
          finishedAt: time(),
          containerID: str(),
        },
      ),
    ),
  },
);

export const ContainerStatus = named(
  `${CORE}ContainerStatus`,
  'ContainerStatus contains details for the current status of this container.',
  {
    name: Type.String(),
    state: Type.Optional(ContainerState),
    lastState: Type.Optional(ContainerState),
    ready: Type.Boolean(),
    restartCount: Type.Integer({ format: 'int32' }),
    image: Type.String(),
    imageID: Type.String(),
    containerID: str(),
    started: bool(),
    allocatedResources: quantityMap(),
    resources: Type.Optional(ResourceRequirements),
    volumeMounts: Type.Optional(
      mergeList(
        named(`${CORE}VolumeMountStatus`, 'VolumeMountStatus shows status of volume mounts.', {
          name: Type.String(),
          mountPath: Type.String(),
          readOnly: bool(),
          recursiveReadOnly: str(),
        }),
        'mountPath',
        { mapKeys: ['mountPath'] },
      ),
    ),
    user: Type.Optional(
      Type.Object(
        {
          linux: Type.Optional(
            Type.Object({
              uid: Type.Integer(),
              gid: Type.Integer(),
              supplementalGroups: Type.Optional(Type.Array(Type.Integer())),
            }),
          ),
        },
        {
          $id: `${CORE}ContainerUser`,
          description: 'ContainerUser represents user identity information',
        },
      ),
    ),
    allocatedResourcesStatus: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String(),
          resources: Type.Optional(
            Type.Array(Type.Object({ resourceID: Type.String(), health: str() })),
          ),
        }),
      ),
    ),
    stopSignal: str(),
  },
);

export const PodCondition = named(
  `${CORE}PodCondition`,
  'PodCondition contains details for the current condition of this pod.',
  {
    type: Type.String(),
    observedGeneration: int64(),
    status: Type.String(),
    lastProbeTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  },
);

const ipEntry = (id: string, what: string) =>
  named(`${CORE}${id}`, `${id} represents a single IP address allocated to the ${what}.`, {
    ip: Type.String(),
  });

export const PodStatus = named(
  `${CORE}PodStatus`,
  'PodStatus represents information about the status of a pod.',
  {
    observedGeneration: int64(),
    phase: str('The phase of a Pod: Pending, Running, Succeeded, Failed or Unknown.'),
    conditions: Type.Optional(mergeList(PodCondition, 'type', { mapKeys: ['type'] })),
    message: str(),
    reason: str(),
    nominatedNodeName: str(),
    hostIP: str(),
    hostIPs: Type.Optional(mergeList(ipEntry('HostIP', 'host'), 'ip', { mapKeys: ['ip'] })),
    podIP: str(),
    podIPs: Type.Optional(mergeList(ipEntry('PodIP', 'pod'), 'ip', { mapKeys: ['ip'] })),
    startTime: time(),
    initContainerStatuses: Type.Optional(atomicList(ContainerStatus)),
    containerStatuses: Type.Optional(atomicList(ContainerStatus)),
    qosClass: str(),
    ephemeralContainerStatuses: Type.Optional(atomicList(ContainerStatus)),
    resize: str(),
    resourceClaimStatuses: Type.Optional(
      mergeList(Type.Object({ name: Type.String(), resourceClaimName: str() }), 'name', {
        mapKeys: ['name'],
        strategy: 'merge,retainKeys',
      }),
    ),
  },
);
