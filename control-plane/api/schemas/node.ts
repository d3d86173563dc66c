/** core/v1 Node: spec (pod CIDRs, taints) and status (capacity, conditions, addresses, info). */
import Type from 'typebox';
import {
  CORE,
  atomicList,
  bool,
  freeForm,
  int64,
  mergeList,
  named,
  quantityMap,
  setList,
  str,
  time,
} from './helpers.ts';
import { topLevel } from './meta.ts';

export const Taint = named(
  `${CORE}Taint`,
  'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.',
  {
    key: Type.String(),
    value: str(),
    effect: Type.String({
      description: 'Valid effects are NoSchedule, PreferNoSchedule and NoExecute.',
    }),
    timeAdded: time(),
  },
);

export const NodeSpec = named(
  `${CORE}NodeSpec`,
  'NodeSpec describes the attributes that a node is created with.',
  {
    podCIDR: str(),
    podCIDRs: Type.Optional(setList(Type.String())),
    providerID: str(),
    unschedulable: bool(),
    taints: Type.Optional(atomicList(Taint)),
    configSource: Type.Optional(
      freeForm("Deprecated: previously used to specify the source of the node's configuration."),
    ),
    externalID: str(),
  },
);

export const NodeCondition = named(
  `${CORE}NodeCondition`,
  'NodeCondition contains condition information for a node.',
  {
    type: Type.String(),
    status: Type.String(),
    lastHeartbeatTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  },
);

export const NodeAddress = named(
  `${CORE}NodeAddress`,
  "NodeAddress contains information for the node's address.",
  {
    type: Type.String(),
    address: Type.String(),
  },
);

export const NodeSystemInfo = named(
  `${CORE}NodeSystemInfo`,
  'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.',
  {
    machineID: Type.String(),
    systemUUID: Type.String(),
    bootID: Type.String(),
    kernelVersion: Type.String(),
    osImage: Type.String(),
    containerRuntimeVersion: Type.String(),
    kubeletVersion: Type.String(),
    kubeProxyVersion: Type.String(),
    operatingSystem: Type.String(),
    architecture: Type.String(),
    swap: Type.Optional(
      named(`${CORE}NodeSwapStatus`, 'NodeSwapStatus represents swap memory information.', {
        capacity: int64(),
      }),
    ),
  },
);

export const NodeStatus = named(
  `${CORE}NodeStatus`,
  'NodeStatus is information about the current status of a node.',
  {
    capacity: quantityMap(),
    allocatable: quantityMap(),
    phase: str(),
    conditions: Type.Optional(mergeList(NodeCondition, 'type', { mapKeys: ['type'] })),
    addresses: Type.Optional(mergeList(NodeAddress, 'type', { mapKeys: ['type'] })),
    daemonEndpoints: Type.Optional(
      named(
        `${CORE}NodeDaemonEndpoints`,
        'NodeDaemonEndpoints lists ports opened by daemons running on the Node.',
        {
          kubeletEndpoint: Type.Optional(
            named(
              `${CORE}DaemonEndpoint`,
              'DaemonEndpoint contains information about a single Daemon endpoint.',
              {
                Port: Type.Integer({ format: 'int32' }),
              },
            ),
          ),
        },
      ),
    ),
    nodeInfo: Type.Optional(NodeSystemInfo),
    images: Type.Optional(
      atomicList(
        named(`${CORE}ContainerImage`, 'Describe a container image', {
          names: Type.Optional(atomicList(Type.String())),
          sizeBytes: int64(),
        }),
      ),
    ),
    volumesInUse: Type.Optional(atomicList(Type.String())),
    volumesAttached: Type.Optional(
      atomicList(
        named(`${CORE}AttachedVolume`, 'AttachedVolume describes a volume attached to a node', {
          name: Type.String(),
          devicePath: Type.String(),
        }),
      ),
    ),
    config: Type.Optional(
      freeForm('Status of the config assigned to the node via the dynamic Kubelet config feature.'),
    ),
    runtimeHandlers: Type.Optional(
      atomicList(
        named(
          `${CORE}NodeRuntimeHandler`,
          'NodeRuntimeHandler is a set of runtime handler information.',
          {
            name: str(),
            features: Type.Optional(
              Type.Object({ recursiveReadOnlyMounts: bool(), userNamespaces: bool() }),
            ),
          },
        ),
      ),
    ),
    features: Type.Optional(
      named(
        `${CORE}NodeFeatures`,
        'NodeFeatures describes the set of features implemented by the CRI implementation.',
        {
          supplementalGroupsPolicy: bool(),
        },
      ),
    ),
  },
);

export const Node = topLevel(
  `${CORE}Node`,
  { group: '', version: 'v1', kind: 'Node' },
  'Node is a worker node in Kubernetes.',
  { spec: Type.Optional(NodeSpec), status: Type.Optional(NodeStatus) },
);
