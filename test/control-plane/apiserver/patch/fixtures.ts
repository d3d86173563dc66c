// Shared inputs of the patch tests: a Deployment as the server stores it and
// a helper to state the expected result as an edit of it.
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { KubeObject } from '../../../../control-plane/api/types.ts';

export const deployments = findResource('apps', 'v1', 'deployments') as ResourceInfo;
export const pods = findResource('', 'v1', 'pods') as ResourceInfo;
export const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;

/** A live Deployment as the server stores it (defaults filled in). */
export function liveDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      finalizers: ['example.com/a', 'example.com/b'],
      resourceVersion: '42',
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              env: [{ name: 'A', value: '1' }],
              ports: [
                { containerPort: 80, protocol: 'TCP' },
                { containerPort: 443, protocol: 'TCP' },
              ],
              terminationMessagePath: '/dev/termination-log',
            },
            { name: 'sidecar', image: 'busybox:1', args: ['sleep', '1d'] },
          ],
          restartPolicy: 'Always',
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
    status: { replicas: 2 },
  };
}

export interface LiveContainer {
  name: string;
  image: string;
  env: unknown[];
  ports: unknown[];
}

/** The parts of liveDeployment() the expected results edit. */
export interface LiveDeployment {
  metadata: {
    annotations: Record<string, string>;
    labels: Record<string, string>;
    finalizers: string[];
  };
  spec: {
    replicas: number;
    strategy: unknown;
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: LiveContainer[]; tolerations: unknown[] };
    };
  };
}

/** `live` with `edit` applied to a copy. */
export function expected(live: KubeObject, edit: (o: LiveDeployment) => void): KubeObject {
  const copy = structuredClone(live);
  edit(copy as unknown as LiveDeployment);
  return copy;
}

/** The n-th container of the edited copy. */
export function container(o: LiveDeployment, n: number): LiveContainer {
  return o.spec.template.spec.containers[n] as LiveContainer;
}
