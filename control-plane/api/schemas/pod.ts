/** core/v1 Pod: PodSpec and PodTemplateSpec (the status lives in pod-status.ts). */
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
  strMap,
} from './helpers.ts';
import { ObjectMeta, topLevel } from './meta.ts';
import { Container, EphemeralContainer, ResourceRequirements } from './container.ts';
import { PodSecurityContext } from './security.ts';
import { PodStatus } from './pod-status.ts';
import { Volume } from './volume.ts';
import { Affinity, Toleration, TopologySpreadConstraint } from './affinity.ts';

export const PodDNSConfig = named(
  `${CORE}PodDNSConfig`,
  'PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.',
  {
    nameservers: Type.Optional(atomicList(Type.String())),
    searches: Type.Optional(atomicList(Type.String())),
    options: Type.Optional(
      atomicList(
        named(
          `${CORE}PodDNSConfigOption`,
          'PodDNSConfigOption defines DNS resolver options of a pod.',
          { name: str(), value: str() },
        ),
      ),
    ),
  },
);

export const HostAlias = named(
  `${CORE}HostAlias`,
  "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.",
  {
    ip: Type.String(),
    hostnames: Type.Optional(atomicList(Type.String())),
  },
);

export const LocalObjectReference = Type.Object(
  { name: str() },
  {
    $id: `${CORE}LocalObjectReference`,
    description:
      'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const PodSpec = named(`${CORE}PodSpec`, 'PodSpec is a description of a pod.', {
  volumes: Type.Optional(
    mergeList(Volume, 'name', { mapKeys: ['name'], strategy: 'merge,retainKeys' }),
  ),
  initContainers: Type.Optional(
    mergeList(Container, 'name', {
      mapKeys: ['name'],
      description:
        'Containers run in order before the app containers start; restartPolicy Always makes one a sidecar.',
    }),
  ),
  containers: mergeList(Container, 'name', {
    mapKeys: ['name'],
    description: 'List of containers belonging to the pod. There must be at least one.',
  }),
  ephemeralContainers: Type.Optional(mergeList(EphemeralContainer, 'name', { mapKeys: ['name'] })),
  restartPolicy: str(
    'Restart policy for all containers within the pod. One of Always, OnFailure, Never.',
  ),
  terminationGracePeriodSeconds: int64(
    'Seconds the pod needs to terminate gracefully. Defaults to 30.',
  ),
  activeDeadlineSeconds: int64(
    'Seconds the pod may be active on a node before the system actively tries to mark it failed.',
  ),
  dnsPolicy: str('Set DNS policy for the pod. Defaults to "ClusterFirst".'),
  nodeSelector: strMap('Labels a node must have for the pod to fit on it.'),
  serviceAccountName: str('Name of the ServiceAccount to use to run this pod.'),
  serviceAccount: str('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.'),
  automountServiceAccountToken: bool(
    'Whether a service account token should be automatically mounted.',
  ),
  nodeName: str('NodeName indicates in which node this pod is scheduled.'),
  hostNetwork: bool(
    "Host networking requested for this pod: it uses the host's network namespace.",
  ),
  hostPID: bool("Use the host's pid namespace."),
  hostIPC: bool("Use the host's ipc namespace."),
  shareProcessNamespace: bool(
    'Share a single process namespace between all of the containers in a pod.',
  ),
  securityContext: Type.Optional(PodSecurityContext),
  imagePullSecrets: Type.Optional(mergeList(LocalObjectReference, 'name', { mapKeys: ['name'] })),
  hostname: str('The hostname of the pod. Defaults to the pod name.'),
  subdomain: str(
    "If set, the pod's FQDN is <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.",
  ),
  affinity: Type.Optional(Affinity),
  schedulerName: str('The scheduler that dispatches the pod. Defaults to default-scheduler.'),
  tolerations: Type.Optional(atomicList(Toleration, "The pod's tolerations of node taints.")),
  hostAliases: Type.Optional(mergeList(HostAlias, 'ip', { mapKeys: ['ip'] })),
  priorityClassName: str("The name of the pod's PriorityClass."),
  priority: int32('The priority value; higher is more important.'),
  dnsConfig: Type.Optional(PodDNSConfig),
  readinessGates: Type.Optional(
    atomicList(
      named(
        `${CORE}PodReadinessGate`,
        'PodReadinessGate contains the reference to a pod condition',
        { conditionType: Type.String() },
      ),
    ),
  ),
  runtimeClassName: str('The RuntimeClass used to run this pod.'),
  enableServiceLinks: bool(
    "Whether information about services is injected into the pod's environment variables. Defaults to true.",
  ),
  preemptionPolicy: str(
    'Policy for preempting pods with lower priority: Never or PreemptLowerPriority.',
  ),
  overhead: quantityMap(),
  topologySpreadConstraints: Type.Optional(
    mergeList(TopologySpreadConstraint, 'topologyKey', {
      mapKeys: ['topologyKey', 'whenUnsatisfiable'],
    }),
  ),
  setHostnameAsFQDN: bool(
    "The pod's hostname is configured as its FQDN rather than the leaf name.",
  ),
  os: Type.Optional(
    named(`${CORE}PodOS`, 'PodOS defines the OS parameters of a pod.', { name: Type.String() }),
  ),
  hostUsers: bool("Use the host's user namespace. Defaults to true."),
  schedulingGates: Type.Optional(
    mergeList(
      named(
        `${CORE}PodSchedulingGate`,
        'PodSchedulingGate is associated to a Pod to guard its scheduling.',
        { name: Type.String() },
      ),
      'name',
      {
        mapKeys: ['name'],
      },
    ),
  ),
  resourceClaims: Type.Optional(
    mergeList(
      named(`${CORE}PodResourceClaim`, 'PodResourceClaim references exactly one ResourceClaim.', {
        name: Type.String(),
        resourceClaimName: str(),
        resourceClaimTemplateName: str(),
      }),
      'name',
      { mapKeys: ['name'], strategy: 'merge,retainKeys' },
    ),
  ),
  resources: Type.Optional(ResourceRequirements),
  hostnameOverride: str(),
});

export const PodTemplateSpec = named(
  `${CORE}PodTemplateSpec`,
  'PodTemplateSpec describes the data a pod should have when created from a template',
  {
    metadata: Type.Optional(ObjectMeta),
    spec: PodSpec,
  },
);

export const Pod = topLevel(
  `${CORE}Pod`,
  { group: '', version: 'v1', kind: 'Pod' },
  'Pod is a collection of containers that can run on a host.',
  { spec: PodSpec, status: Type.Optional(PodStatus) },
);
