/**
 * The TypeScript types of the API objects, derived from the schemas in
 * schemas/ (one source of truth). Objects that passed validateObject()
 * have these shapes; optional fields are optional exactly as in the
 * Kubernetes API.
 */
import type { Static } from 'typebox';
import type * as meta from './schemas/meta.ts';
import type * as c from './schemas/container.ts';
import type * as p from './schemas/pod.ts';
import type * as ps from './schemas/pod-status.ts';
import type * as pr from './schemas/probe.ts';
import type * as sec from './schemas/security.ts';
import type * as v from './schemas/volume.ts';
import type * as a from './schemas/affinity.ts';
import type * as s from './schemas/service.ts';
import type * as n from './schemas/node.ts';
import type * as w from './schemas/workloads.ts';
import type * as j from './schemas/job.ts';
import type * as m from './schemas/misc.ts';

export type ObjectMeta = Static<typeof meta.ObjectMeta>;
export type OwnerReference = Static<typeof meta.OwnerReference>;
export type LabelSelector = Static<typeof meta.LabelSelector>;
export type LabelSelectorRequirement = Static<typeof meta.LabelSelectorRequirement>;
export type Condition = Static<typeof meta.Condition>;
export type ListMeta = Static<typeof meta.ListMeta>;
export type DeleteOptions = Static<typeof meta.DeleteOptions>;
export type Table = Static<typeof meta.Table>;
export type TableColumnDefinition = Static<typeof meta.TableColumnDefinition>;
export type TableRow = Static<typeof meta.TableRow>;

/** Any API object: apiVersion, kind, metadata, and the kind's other fields. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One event of a watch stream; ERROR events carry a metav1.Status as object. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** A list response (PodList, DeploymentList ...). */
export interface List<T = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type Container = Static<typeof c.Container>;
export type EphemeralContainer = Static<typeof c.EphemeralContainer>;
export type ContainerPort = Static<typeof c.ContainerPort>;
export type EnvVar = Static<typeof c.EnvVar>;
export type EnvFromSource = Static<typeof c.EnvFromSource>;
export type ResourceRequirements = Static<typeof c.ResourceRequirements>;
export type VolumeMount = Static<typeof c.VolumeMount>;
export type Probe = Static<typeof pr.Probe>;
export type Lifecycle = Static<typeof pr.Lifecycle>;
export type SecurityContext = Static<typeof sec.SecurityContext>;
export type PodSecurityContext = Static<typeof sec.PodSecurityContext>;
export type Volume = Static<typeof v.Volume>;
export type KeyToPath = Static<typeof v.KeyToPath>;
export type Affinity = Static<typeof a.Affinity>;
export type NodeSelector = Static<typeof a.NodeSelector>;
export type NodeSelectorTerm = Static<typeof a.NodeSelectorTerm>;
export type NodeSelectorRequirement = Static<typeof a.NodeSelectorRequirement>;
export type PodAffinityTerm = Static<typeof a.PodAffinityTerm>;
export type Toleration = Static<typeof a.Toleration>;
export type TopologySpreadConstraint = Static<typeof a.TopologySpreadConstraint>;

export type Pod = Static<typeof p.Pod>;
export type PodSpec = Static<typeof p.PodSpec>;
export type PodStatus = Static<typeof ps.PodStatus>;
export type PodCondition = Static<typeof ps.PodCondition>;
export type PodTemplateSpec = Static<typeof p.PodTemplateSpec>;
export type ContainerStatus = Static<typeof ps.ContainerStatus>;
export type ContainerState = Static<typeof ps.ContainerState>;
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export type Service = Static<typeof s.Service>;
export type ServiceSpec = Static<typeof s.ServiceSpec>;
export type ServicePort = Static<typeof s.ServicePort>;
export type Endpoints = Static<typeof s.Endpoints>;
export type EndpointSubset = Static<typeof s.EndpointSubset>;
export type EndpointAddress = Static<typeof s.EndpointAddress>;
export type EndpointPort = Static<typeof s.EndpointPort>;
export type ObjectReference = Static<typeof s.ObjectReference>;

export type Node = Static<typeof n.Node>;
export type NodeSpec = Static<typeof n.NodeSpec>;
export type NodeStatus = Static<typeof n.NodeStatus>;
export type NodeCondition = Static<typeof n.NodeCondition>;
export type NodeAddress = Static<typeof n.NodeAddress>;
export type NodeSystemInfo = Static<typeof n.NodeSystemInfo>;
export type Taint = Static<typeof n.Taint>;

export type Deployment = Static<typeof w.Deployment>;
export type DeploymentSpec = Static<typeof w.DeploymentSpec>;
export type DeploymentStatus = Static<typeof w.DeploymentStatus>;
export type ReplicaSet = Static<typeof w.ReplicaSet>;
export type ReplicaSetSpec = Static<typeof w.ReplicaSetSpec>;
export type ReplicaSetStatus = Static<typeof w.ReplicaSetStatus>;
export type DaemonSet = Static<typeof w.DaemonSet>;
export type DaemonSetSpec = Static<typeof w.DaemonSetSpec>;
export type DaemonSetStatus = Static<typeof w.DaemonSetStatus>;
export type Job = Static<typeof j.Job>;
export type JobSpec = Static<typeof j.JobSpec>;
export type JobStatus = Static<typeof j.JobStatus>;
export type JobCondition = Static<typeof j.JobCondition>;

export type Namespace = Static<typeof m.Namespace>;
export type Event = Static<typeof m.Event>;
export type ConfigMap = Static<typeof m.ConfigMap>;
export type Secret = Static<typeof m.Secret>;
export type ServiceAccount = Static<typeof m.ServiceAccount>;
export type Lease = Static<typeof m.Lease>;
export type LeaseSpec = Static<typeof m.LeaseSpec>;
export type Binding = Static<typeof m.Binding>;
export type Eviction = Static<typeof m.Eviction>;
export type Scale = Static<typeof m.Scale>;
