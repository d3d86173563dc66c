/** batch/v1 Job. */
import Type from 'typebox';
import { atomicList, bool, int32, int64, named, str, time } from './helpers.ts';
import { LabelSelector, topLevel } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

const BATCH = 'io.k8s.api.batch.v1.';

export const PodFailurePolicy = named(
  `${BATCH}PodFailurePolicy`,
  'PodFailurePolicy describes how failed pods influence the backoffLimit.',
  {
    rules: atomicList(
      named(
        `${BATCH}PodFailurePolicyRule`,
        'PodFailurePolicyRule describes how a pod failure is handled when the requirements are met.',
        {
          action: Type.String(),
          onExitCodes: Type.Optional(
            named(
              `${BATCH}PodFailurePolicyOnExitCodesRequirement`,
              'PodFailurePolicyOnExitCodesRequirement describes the requirement for handling a failed pod based on its container exit codes.',
              {
                containerName: str(),
                operator: Type.String(),
                values: Type.Array(Type.Integer({ format: 'int32' }), {
                  'x-kubernetes-list-type': 'set',
                }),
              },
            ),
          ),
          onPodConditions: Type.Optional(
            atomicList(
              named(
                `${BATCH}PodFailurePolicyOnPodConditionsPattern`,
                'PodFailurePolicyOnPodConditionsPattern describes a pattern for matching an actual pod condition type.',
                {
                  type: Type.String(),
                  status: str(),
                },
              ),
            ),
          ),
        },
      ),
    ),
  },
);

export const SuccessPolicy = named(
  `${BATCH}SuccessPolicy`,
  'SuccessPolicy describes when a Job can be declared as succeeded based on the success of some indexes.',
  {
    rules: atomicList(
      named(
        `${BATCH}SuccessPolicyRule`,
        'SuccessPolicyRule describes rule for declaring a Job as succeeded.',
        {
          succeededIndexes: str(),
          succeededCount: int32(),
        },
      ),
    ),
  },
);

export const JobSpec = named(
  `${BATCH}JobSpec`,
  'JobSpec describes how the job execution will look like.',
  {
    parallelism: int32(),
    completions: int32(),
    activeDeadlineSeconds: int64(),
    podFailurePolicy: Type.Optional(PodFailurePolicy),
    successPolicy: Type.Optional(SuccessPolicy),
    backoffLimit: int32(),
    backoffLimitPerIndex: int32(),
    maxFailedIndexes: int32(),
    selector: Type.Optional(LabelSelector),
    manualSelector: bool(),
    template: PodTemplateSpec,
    ttlSecondsAfterFinished: int32(),
    completionMode: str(
      'completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.',
    ),
    suspend: bool(),
    podReplacementPolicy: str(),
    managedBy: str(),
  },
);

export const JobCondition = named(
  `${BATCH}JobCondition`,
  'JobCondition describes current state of a job.',
  {
    type: Type.String(),
    status: Type.String(),
    lastProbeTime: time(),
    lastTransitionTime: time(),
    reason: str(),
    message: str(),
  },
);

export const JobStatus = named(
  `${BATCH}JobStatus`,
  'JobStatus represents the current state of a Job.',
  {
    conditions: Type.Optional(
      Type.Array(JobCondition, {
        'x-kubernetes-list-type': 'atomic',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    startTime: time(),
    completionTime: time(),
    active: int32(),
    succeeded: int32(),
    failed: int32(),
    terminating: int32(),
    completedIndexes: str(),
    failedIndexes: str(),
    uncountedTerminatedPods: Type.Optional(
      named(
        `${BATCH}UncountedTerminatedPods`,
        "UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted in Job status counters.",
        {
          succeeded: Type.Optional(Type.Array(Type.String(), { 'x-kubernetes-list-type': 'set' })),
          failed: Type.Optional(Type.Array(Type.String(), { 'x-kubernetes-list-type': 'set' })),
        },
      ),
    ),
    ready: int32(),
  },
);

export const Job = topLevel(
  `${BATCH}Job`,
  { group: 'batch', version: 'v1', kind: 'Job' },
  'Job represents the configuration of a single job.',
  { spec: JobSpec, status: Type.Optional(JobStatus) },
);
