/**
 * The Endpoints controller (Kubernetes' pkg/controller/endpoint): for every
 * Service with a selector, an Endpoints object of the same name listing
 * the selected pods.
 *
 * - desired: the Service (selector, ports, publishNotReadyAddresses);
 * - observed: the pods of its namespace its selector matches, and the
 *   current Endpoints, both from the caches;
 * - sync: write the Endpoints only when the computed subsets or labels
 *   differ; delete it when the Service is gone.
 *
 * Selectorless services (and ExternalName ones) are left to their users,
 * and default/kubernetes belongs to the API server.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { objectKey } from '../api/client/informer-cache.ts';
import { ApiError } from '../api/errors.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import { labelSelectorFromSpec, matchesLabels } from '../api/selectors.ts';
import type { EndpointSubset, Endpoints, Pod, Service } from '../api/types.ts';
import { endpointsDiffer, endpointsLabels, podChangeMatters } from './endpoints/object.ts';
import { desiredSubsets } from './endpoints/subsets.ts';
import { ObjectIndex } from './replicaset-index.ts';
import { getIfExists, isNamespaceTerminating } from './runtime/api-answers.ts';
import type { Result } from './runtime/controller.ts';
import type { KeySink } from './runtime/handlers.ts';
import type { ControllerSpec } from './runtime/spec.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

/** The API server's own Endpoints, never touched here. */
export const API_SERVER_ENDPOINTS = 'default/kubernetes';

/** What reconcileEndpoints reads and writes. */
export interface EndpointsDeps {
  client: ApiClient;
  services: Informer<Service>;
  endpoints: Informer<Endpoints>;
  pods: ObjectIndex<Pod>;
}

/** The controller as the manager runs it (5 workers, as ConcurrentEndpointSyncs). */
export const controller: ControllerSpec = {
  name: 'endpoints',
  workers: 5,
  setup(ctx) {
    const services = ctx.informer<Service>(SERVICES);
    const endpoints = ctx.informer<Endpoints>(ENDPOINTS);
    const podInformer = ctx.informer<Pod>(PODS);
    const serviceIndex = new ObjectIndex(services);
    const deps: EndpointsDeps = {
      client: ctx.client,
      services,
      endpoints,
      pods: new ObjectIndex(podInformer),
    };
    const enqueue = (o: { metadata: { name?: string; namespace?: string } }) =>
      ctx.queue.add(objectKey(o));
    services
      .on('add', enqueue)
      .on('update', (_old, s) => enqueue(s))
      .on('delete', enqueue);
    // Only deletions: a removed Endpoints of a live service is written again.
    endpoints.on('delete', enqueue);
    const forPod = (pod: Pod) => enqueueServicesOf(pod, serviceIndex, ctx.queue);
    podInformer
      .on('add', forPod)
      .on('update', (old, pod) => {
        if (!podChangeMatters(old, pod)) return;
        forPod(old);
        forPod(pod);
      })
      .on('delete', forPod);
    return {
      reconcile: (key) => reconcileEndpoints(key, deps),
      // Endpoints left behind by services deleted while no controller ran.
      run: async () => {
        for (const ep of endpoints.list()) {
          const key = objectKey(ep);
          if (key !== API_SERVER_ENDPOINTS && !services.get(key)) ctx.queue.add(key);
        }
      },
    };
  },
};

/** Queues every service of the pod's namespace whose selector matches the pod. */
function enqueueServicesOf(pod: Pod, services: ObjectIndex<Service>, queue: KeySink): void {
  for (const svc of services.inNamespace(pod.metadata.namespace ?? '')) {
    const selector = svc.spec?.selector;
    if (!selector) continue;
    if (matchesLabels(labelSelectorFromSpec({ matchLabels: selector }), pod.metadata.labels)) {
      queue.add(objectKey(svc));
    }
  }
}

/** One pass for the service with `key` ("namespace/name"); safe to repeat. */
export async function reconcileEndpoints(key: string, d: EndpointsDeps): Promise<Result> {
  if (key === API_SERVER_ENDPOINTS) return;
  const svc = d.services.get(key);
  const current = d.endpoints.get(key);
  if (!svc) {
    if (current) await deleteEndpoints(d.client, current);
    return;
  }
  const selector = svc.spec?.selector;
  if (!selector || svc.spec?.type === 'ExternalName') return;

  const reqs = labelSelectorFromSpec({ matchLabels: selector });
  const pods = d.pods
    .inNamespace(svc.metadata.namespace ?? '')
    .filter((p) => matchesLabels(reqs, p.metadata.labels));
  const subsets = desiredSubsets(svc, pods);
  const labels = endpointsLabels(svc);
  if (current && !endpointsDiffer(current, labels, subsets)) return;
  try {
    await writeEndpoints(d.client, svc, current, labels, subsets);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
    // The cache was behind (often our own last write): once more against the server's copy.
    const live = await getIfExists<Endpoints>(d.client, ENDPOINTS, svc.metadata.name ?? '', {
      namespace: svc.metadata.namespace,
    });
    if (!live || endpointsDiffer(live, labels, subsets)) {
      await writeEndpoints(d.client, svc, live, labels, subsets);
    }
  }
}

/** Creates the Endpoints of `svc`, or replaces `current` (PUT at its resourceVersion). */
async function writeEndpoints(
  client: ApiClient,
  svc: Service,
  current: Endpoints | undefined,
  labels: Record<string, string>,
  subsets: EndpointSubset[],
): Promise<void> {
  if (current) {
    await client.update(ENDPOINTS, {
      ...current,
      metadata: { ...current.metadata, labels },
      subsets,
    });
    return;
  }
  const fresh: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels },
    subsets,
  };
  try {
    await client.create(ENDPOINTS, fresh);
  } catch (err) {
    // The namespace is going away: its content is being deleted, not created.
    if (isNamespaceTerminating(err)) return;
    throw err;
  }
}

async function deleteEndpoints(client: ApiClient, ep: Endpoints): Promise<void> {
  try {
    await client.delete(ENDPOINTS, ep.metadata.name ?? '', {
      namespace: ep.metadata.namespace,
      preconditions: { uid: ep.metadata.uid },
    });
  } catch (err) {
    if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
    throw err;
  }
}
