/** Deployment and ReplicaSet builders for the Deployment controller's pure tests. */
import type { Deployment, ReplicaSet } from '../../../../control-plane/api/types.ts';

export const T0 = Date.UTC(2024, 0, 1);

export interface DeploymentInput {
  replicas: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  recreate?: boolean;
  generation?: number;
  status?: Deployment['status'];
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
}

export function deployment(o: DeploymentInput): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd1', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: o.recreate
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: o.maxSurge ?? 0, maxUnavailable: o.maxUnavailable ?? 0 },
          },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
      ...(o.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: o.progressDeadlineSeconds }),
      ...(o.revisionHistoryLimit === undefined
        ? {}
        : { revisionHistoryLimit: o.revisionHistoryLimit }),
    },
    ...(o.status ? { status: o.status } : {}),
  };
}

export interface RsInput {
  replicas: number;
  available?: number;
  actual?: number;
  ready?: number;
  /** Seconds after T0. */
  created?: number;
  annotations?: Record<string, string>;
  revision?: number;
}

export function rs(name: string, o: RsInput): ReplicaSet {
  const annotations = { ...(o.annotations ?? {}) };
  if (o.revision !== undefined)
    annotations['deployment.kubernetes.io/revision'] = String(o.revision);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      generation: 1,
      creationTimestamp: new Date(T0 + (o.created ?? 0) * 1000).toISOString(),
      annotations,
    },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
    },
    status: {
      replicas: o.actual ?? o.replicas,
      readyReplicas: o.ready ?? o.available ?? o.replicas,
      availableReplicas: o.available ?? o.replicas,
      observedGeneration: 1,
    },
  };
}

/** The replicas annotations a ReplicaSet sized for `desired` (+ surge `max`) carries. */
export const sized = (desired: number, max: number): Record<string, string> => ({
  'deployment.kubernetes.io/desired-replicas': String(desired),
  'deployment.kubernetes.io/max-replicas': String(max),
});
