/**
 * The smaller kinds: Namespace, Event, ConfigMap, Secret, ServiceAccount,
 * Lease, and the subresource bodies Binding, Eviction and Scale.
 */
import Type from 'typebox';
import {
  CORE,
  MicroTime,
  atomicList,
  bool,
  byteMap,
  int32,
  mergeList,
  named,
  str,
  strMap,
  time,
} from './helpers.ts';
import { DeleteOptions, topLevel } from './meta.ts';
import { ObjectReference } from './service.ts';
import { LocalObjectReference } from './pod.ts';

export const Namespace = topLevel(
  `${CORE}Namespace`,
  { group: '', version: 'v1', kind: 'Namespace' },
  'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
  {
    spec: Type.Optional(
      named(`${CORE}NamespaceSpec`, 'NamespaceSpec describes the attributes on a Namespace.', {
        finalizers: Type.Optional(atomicList(Type.String())),
      }),
    ),
    status: Type.Optional(
      named(
        `${CORE}NamespaceStatus`,
        'NamespaceStatus is information about the current status of a Namespace.',
        {
          phase: str(
            'Phase is the current lifecycle phase of the namespace: Active or Terminating.',
          ),
          conditions: Type.Optional(
            mergeList(
              named(
                `${CORE}NamespaceCondition`,
                'NamespaceCondition contains details about state of namespace.',
                {
                  type: Type.String(),
                  status: Type.String(),
                  lastTransitionTime: time(),
                  reason: str(),
                  message: str(),
                },
              ),
              'type',
              { mapKeys: ['type'] },
            ),
          ),
        },
      ),
    ),
  },
);

export const Event = topLevel(
  `${CORE}Event`,
  { group: '', version: 'v1', kind: 'Event' },
  'Event is a report of an event somewhere in the cluster.',
  {
    involvedObject: ObjectReference,
    reason: str(),
    message: str(),
    source: Type.Optional(
      named(`${CORE}EventSource`, 'EventSource contains information for an event.', {
        component: str(),
        host: str(),
      }),
    ),
    firstTimestamp: time(),
    lastTimestamp: time(),
    count: int32(),
    type: str('Type of this event (Normal, Warning), new types could be added in the future'),
    eventTime: Type.Optional(MicroTime),
    series: Type.Optional(
      named(`${CORE}EventSeries`, 'EventSeries contain information on series of events.', {
        count: int32(),
        lastObservedTime: Type.Optional(MicroTime),
      }),
    ),
    action: str(),
    related: Type.Optional(ObjectReference),
    reportingComponent: str(),
    reportingInstance: str(),
  },
);

export const ConfigMap = topLevel(
  `${CORE}ConfigMap`,
  { group: '', version: 'v1', kind: 'ConfigMap' },
  'ConfigMap holds configuration data for pods to consume.',
  { data: strMap(), binaryData: byteMap(), immutable: bool() },
);

export const Secret = topLevel(
  `${CORE}Secret`,
  { group: '', version: 'v1', kind: 'Secret' },
  'Secret holds secret data of a certain type.',
  {
    data: byteMap(),
    stringData: strMap(),
    type: str('Used to facilitate programmatic handling of secret data.'),
    immutable: bool(),
  },
);

export const ServiceAccount = topLevel(
  `${CORE}ServiceAccount`,
  { group: '', version: 'v1', kind: 'ServiceAccount' },
  'ServiceAccount binds together a name, a principal that can be authenticated and authorized, and a set of secrets.',
  {
    secrets: Type.Optional(mergeList(ObjectReference, 'name', { mapKeys: ['name'] })),
    imagePullSecrets: Type.Optional(atomicList(LocalObjectReference)),
    automountServiceAccountToken: bool(),
  },
);

export const LeaseSpec = named(
  'io.k8s.api.coordination.v1.LeaseSpec',
  'LeaseSpec is a specification of a Lease.',
  {
    holderIdentity: str(),
    leaseDurationSeconds: int32(),
    acquireTime: Type.Optional(MicroTime),
    renewTime: Type.Optional(MicroTime),
    leaseTransitions: int32(),
    strategy: str(),
    preferredHolder: str(),
  },
);

export const Lease = topLevel(
  'io.k8s.api.coordination.v1.Lease',
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
  'Lease defines a lease concept.',
  { spec: Type.Optional(LeaseSpec) },
);

export const Binding = topLevel(
  `${CORE}Binding`,
  { group: '', version: 'v1', kind: 'Binding' },
  'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.',
  { target: ObjectReference },
);

export const Eviction = topLevel(
  'io.k8s.api.policy.v1.Eviction',
  { group: 'policy', version: 'v1', kind: 'Eviction' },
  'Eviction evicts a pod from its node subject to certain policies and safety constraints.',
  { deleteOptions: Type.Optional(DeleteOptions) },
);

export const Scale = topLevel(
  'io.k8s.api.autoscaling.v1.Scale',
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  'Scale represents a scaling request for a resource.',
  {
    spec: Type.Optional(
      named(
        'io.k8s.api.autoscaling.v1.ScaleSpec',
        'ScaleSpec describes the attributes of a scale subresource.',
        {
          replicas: int32(),
        },
      ),
    ),
    status: Type.Optional(
      named(
        'io.k8s.api.autoscaling.v1.ScaleStatus',
        'ScaleStatus represents the current status of a scale subresource.',
        {
          replicas: Type.Integer({ format: 'int32' }),
          selector: str(
            'label query over pods that should match the replicas count (a label selector string).',
          ),
        },
      ),
    ),
  },
);
