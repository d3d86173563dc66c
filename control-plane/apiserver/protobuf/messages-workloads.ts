/**
 * Messages of apps/v1 Deployment and batch/v1 Job, the workloads
 * `kubectl create deployment|job` posts.
 */
import { bool, int, msg, msgs, str, type MessageSpec } from './schema.ts';

export const WORKLOAD_MESSAGES: Record<string, MessageSpec> = {
  Deployment: {
    1: msg('metadata', 'ObjectMeta'),
    2: msg('spec', 'DeploymentSpec'),
    3: msg('status', 'DeploymentStatus'),
  },
  DeploymentSpec: {
    1: int('replicas', true),
    2: msg('selector', 'LabelSelector'),
    3: msg('template', 'PodTemplateSpec'),
    4: msg('strategy', 'DeploymentStrategy'),
    5: int('minReadySeconds'),
    6: int('revisionHistoryLimit', true),
    7: bool('paused'),
    9: int('progressDeadlineSeconds', true),
  },
  DeploymentStrategy: { 1: str('type'), 2: msg('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: {
    1: msg('maxUnavailable', 'IntOrString'),
    2: msg('maxSurge', 'IntOrString'),
  },
  DeploymentStatus: {
    1: int('observedGeneration'),
    2: int('replicas'),
    3: int('updatedReplicas'),
    4: int('availableReplicas'),
    5: int('unavailableReplicas'),
    6: msgs('conditions', 'Condition'),
    7: int('readyReplicas'),
    8: int('collisionCount', true),
  },
  Job: {
    1: msg('metadata', 'ObjectMeta'),
    2: msg('spec', 'JobSpec'),
    3: msg('status', 'JobStatus'),
  },
  JobSpec: {
    1: int('parallelism', true),
    2: int('completions', true),
    3: int('activeDeadlineSeconds', true),
    4: msg('selector', 'LabelSelector'),
    5: bool('manualSelector', true),
    6: msg('template', 'PodTemplateSpec'),
    7: int('backoffLimit', true),
    8: int('ttlSecondsAfterFinished', true),
    9: str('completionMode', true),
    10: bool('suspend', true),
    12: int('backoffLimitPerIndex', true),
    13: int('maxFailedIndexes', true),
    14: str('podReplacementPolicy', true),
    15: str('managedBy', true),
  },
  JobStatus: { 4: int('active'), 5: int('succeeded'), 6: int('failed'), 9: int('ready', true) },
};
