/** apps/v1 Deployment, ReplicaSet and DaemonSet. */
import Type from 'typebox';
import { IntOrString, bool, int32, int64, mergeList, named, str, time } from './helpers.ts';
import { LabelSelector, topLevel } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

const APPS = 'io.k8s.api.apps.v1.';

const condition = (id: string, what: string, withUpdate: boolean) =>
  named(`${APPS}${id}`, `${id} describes the state of a ${what} at a certain point.`, {
    type: Type.String(),
    status: Type.String(),
    ...(withUpdate ? { lastUpdateTime: time() } : {}),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  });

const rollingUpdate = (id: string) =>
  named(`${APPS}${id}`, 'Spec to control the desired behavior of rolling update.', {
    maxUnavailable: Type.Optional(IntOrString),
    maxSurge: Type.Optional(IntOrString),
  });

export const DeploymentStrategy = named(
  `${APPS}DeploymentStrategy`,
  'DeploymentStrategy describes how to replace existing pods with new ones.',
  {
    type: str(
      'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.',
    ),
    rollingUpdate: Type.Optional(rollingUpdate('RollingUpdateDeployment')),
  },
);

export const DeploymentSpec = named(
  `${APPS}DeploymentSpec`,
  'DeploymentSpec is the specification of the desired behavior of the Deployment.',
  {
    replicas: int32('Number of desired pods. Defaults to 1.'),
    selector: LabelSelector,
    template: PodTemplateSpec,
    strategy: Type.Optional(DeploymentStrategy),
    minReadySeconds: int32(
      'Seconds a new pod must be ready, without any container crashing, to count as available.',
    ),
    revisionHistoryLimit: int32('Number of old ReplicaSets to keep for rollback. Defaults to 10.'),
    paused: bool('Indicates that the deployment is paused.'),
    progressDeadlineSeconds: int32(
      'Seconds for the deployment to make progress before it is considered failed. Defaults to 600.',
    ),
  },
);

export const DeploymentStatus = named(
  `${APPS}DeploymentStatus`,
  'DeploymentStatus is the most recently observed status of the Deployment.',
  {
    observedGeneration: int64(),
    replicas: int32(),
    updatedReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    unavailableReplicas: int32(),
    terminatingReplicas: int32(),
    conditions: Type.Optional(
      mergeList(condition('DeploymentCondition', 'deployment', true), 'type', {
        mapKeys: ['type'],
      }),
    ),
    collisionCount: int32(),
  },
);

export const Deployment = topLevel(
  `${APPS}Deployment`,
  { group: 'apps', version: 'v1', kind: 'Deployment' },
  'Deployment enables declarative updates for Pods and ReplicaSets.',
  { spec: DeploymentSpec, status: Type.Optional(DeploymentStatus) },
);

export const ReplicaSetSpec = named(
  `${APPS}ReplicaSetSpec`,
  'ReplicaSetSpec is the specification of a ReplicaSet.',
  {
    replicas: int32(),
    minReadySeconds: int32(),
    selector: LabelSelector,
    template: PodTemplateSpec,
  },
);

export const ReplicaSetStatus = named(
  `${APPS}ReplicaSetStatus`,
  'ReplicaSetStatus represents the current status of a ReplicaSet.',
  {
    replicas: Type.Integer({ format: 'int32' }),
    fullyLabeledReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    terminatingReplicas: int32(),
    observedGeneration: int64(),
    conditions: Type.Optional(
      mergeList(condition('ReplicaSetCondition', 'replica set', false), 'type', {
        mapKeys: ['type'],
      }),
    ),
  },
);

export const ReplicaSet = topLevel(
  `${APPS}ReplicaSet`,
  { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
  'ReplicaSet ensures that a specified number of pod replicas are running at any given time.',
  { spec: ReplicaSetSpec, status: Type.Optional(ReplicaSetStatus) },
);

export const DaemonSetUpdateStrategy = named(
  `${APPS}DaemonSetUpdateStrategy`,
  'DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.',
  {
    type: str(
      'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.',
    ),
    rollingUpdate: Type.Optional(rollingUpdate('RollingUpdateDaemonSet')),
  },
);

export const DaemonSetSpec = named(
  `${APPS}DaemonSetSpec`,
  'DaemonSetSpec is the specification of a daemon set.',
  {
    selector: LabelSelector,
    template: PodTemplateSpec,
    updateStrategy: Type.Optional(DaemonSetUpdateStrategy),
    minReadySeconds: int32(),
    revisionHistoryLimit: int32(),
  },
);

export const DaemonSetStatus = named(
  `${APPS}DaemonSetStatus`,
  'DaemonSetStatus represents the current status of a daemon set.',
  {
    currentNumberScheduled: Type.Integer({ format: 'int32' }),
    numberMisscheduled: Type.Integer({ format: 'int32' }),
    desiredNumberScheduled: Type.Integer({ format: 'int32' }),
    numberReady: Type.Integer({ format: 'int32' }),
    observedGeneration: int64(),
    updatedNumberScheduled: int32(),
    numberAvailable: int32(),
    numberUnavailable: int32(),
    collisionCount: int32(),
    conditions: Type.Optional(
      mergeList(condition('DaemonSetCondition', 'DaemonSet', false), 'type', { mapKeys: ['type'] }),
    ),
  },
);

export const DaemonSet = topLevel(
  `${APPS}DaemonSet`,
  { group: 'apps', version: 'v1', kind: 'DaemonSet' },
  'DaemonSet represents the configuration of a daemon set.',
  { spec: DaemonSetSpec, status: Type.Optional(DaemonSetStatus) },
);
