/**
 * The sample app `skiff up` deploys, so that a new cluster shows its main
 * job working at once: a Deployment `echo` (one replica per node, spread
 * by the scheduler, with a readiness probe) behind a ClusterIP Service
 * `echo` (port 80 → 8080) in the default namespace, then one request to the
 * service IP from inside the first node, the way a user would make it.
 * Existing objects of those names are left as they are (a user may have
 * changed them).
 */
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { ApiError } from '../../control-plane/api/errors.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Endpoints, KubeObject, Service } from '../../control-plane/api/types.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandRunner } from './command-runner.ts';
import { ECHO_IMAGE } from './images/sample-images.ts';

export const SAMPLE_APP = 'echo';
const NAMESPACE = 'default';
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
const POLL_MS = 500;

/** Where the sample app answers and what it said. */
export interface SampleAppResult {
  serviceIp: string;
  /** The first line of the answer to GET http://<serviceIp>/ from the first node. */
  answer: string;
}

export interface SampleAppOptions {
  client: ApiClient;
  runner: CommandRunner;
  /** host:port of the local registry. */
  registry: string;
  replicas: number;
  /** The network namespace of the node the request is made from. */
  netns: string;
  timeoutMs: number;
  /** Progress details. */
  detail: (line: string) => void;
}

/** The Deployment and Service manifests (pure). */
export function sampleAppManifests(registry: string, replicas: number) {
  const labels = { app: SAMPLE_APP };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: SAMPLE_APP, namespace: NAMESPACE, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: SAMPLE_APP,
              image: `${registry}/${ECHO_IMAGE}`,
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SAMPLE_APP, namespace: NAMESPACE, labels },
    spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
  return { deployment, service };
}

/**
 * Creates the sample app (unless present), waits until its Service has
 * `replicas` ready endpoints, then GETs the service IP from inside `netns`
 * until it answers. Throws with what was last seen on timeout.
 */
export async function deploySampleApp(o: SampleAppOptions): Promise<SampleAppResult> {
  const { deployment, service } = sampleAppManifests(o.registry, o.replicas);
  await createUnlessExists(o.client, DEPLOYMENTS, deployment);
  await createUnlessExists(o.client, SERVICES, service);
  const svc = await o.client.get<Service>(SERVICES, SAMPLE_APP, { namespace: NAMESPACE });
  const serviceIp = svc.spec?.clusterIP ?? '';
  o.detail(
    `Deployment ${SAMPLE_APP} (${o.replicas} replicas), Service ${SAMPLE_APP} at ${serviceIp}`,
  );
  const deadline = Date.now() + o.timeoutMs;
  let ready = 0;
  while ((ready = await readyEndpoints(o.client)) < o.replicas) {
    if (Date.now() > deadline) {
      throw new Error(
        `the sample app has ${ready} of ${o.replicas} ready pods after ${o.timeoutMs / 1000} s; see kubectl describe pods -l app=${SAMPLE_APP}`,
      );
    }
    await sleep(POLL_MS);
  }
  o.detail(`${ready} pods ready; asking http://${serviceIp}/ from netns ${o.netns}`);
  let last = '';
  for (;;) {
    const r = await o.runner.run(
      'nsenter',
      [`--net=/run/netns/${o.netns}`, 'curl', '-s', '-S', '-m', '5', `http://${serviceIp}/`],
      { timeoutMs: 10_000 },
    );
    if (r.code === 0 && r.stdout.trim() !== '') {
      return { serviceIp, answer: r.stdout.trim().split('\n')[0] ?? '' };
    }
    last = (r.stderr || r.stdout).trim();
    if (Date.now() > deadline) {
      throw new Error(
        `the sample app's service IP ${serviceIp} did not answer from netns ${o.netns} within ${o.timeoutMs / 1000} s (last: ${last}); see the agents' logs`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function createUnlessExists(
  client: ApiClient,
  resource: ResourceInfo,
  object: KubeObject,
): Promise<void> {
  try {
    await client.create(resource, object, { namespace: NAMESPACE });
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
  }
}

async function readyEndpoints(client: ApiClient): Promise<number> {
  try {
    const ep = await client.get<Endpoints>(ENDPOINTS, SAMPLE_APP, { namespace: NAMESPACE });
    return (ep.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'NotFound') return 0;
    throw err;
  }
}
