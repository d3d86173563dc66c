/**
 * The namespace controller (Kubernetes' pkg/controller/namespace): a
 * deleted namespace (deletionTimestamp set, phase Terminating) is emptied,
 * then released.
 *
 * - desired: nothing left in a Terminating namespace, then the namespace
 *   itself gone;
 * - observed: the namespace from the cache; its content listed live from
 *   the API server on every pass (kinds the cache does not hold count too);
 * - sync: delete every namespaced kind's objects, report progress in the
 *   namespace's conditions, come back while something remains (pods on
 *   nodes wait for their kubelets), and once it is empty remove the
 *   `kubernetes` finalizer through /finalize, after which the API server
 *   deletes the namespace.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Namespace } from '../api/types.ts';
import { conditionsChanged, deletionConditions, isEmpty } from './namespace/conditions.ts';
import { deleteContent } from './namespace/content.ts';
import type { Clock } from './runtime/clock.ts';
import type { Result } from './runtime/controller.ts';
import type { ControllerSpec } from './runtime/spec.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

/** The spec.finalizers entry this controller is responsible for. */
export const KUBERNETES_FINALIZER = 'kubernetes';

/** Look again this soon while content remains without a grace period to wait for. */
const RECHECK_MS = 1_000;
/**
 * And at most this long when a grace period is pending: content going
 * away (a kubelet confirming early) triggers no event here, so a long
 * wait would only delay `kubectl delete namespace`.
 */
const MAX_RECHECK_MS = 5_000;

/** What reconcileNamespace reads and writes. */
export interface NamespaceDeps {
  client: ApiClient;
  namespaces: Informer<Namespace>;
  clock: Clock;
  logger: Logger;
}

/** The controller as the manager runs it (10 workers, as ConcurrentNamespaceSyncs). */
export const controller: ControllerSpec = {
  name: 'namespace',
  workers: 10,
  setup(ctx) {
    const namespaces = ctx.informer<Namespace>(NAMESPACES);
    const deps: NamespaceDeps = {
      client: ctx.client,
      namespaces,
      clock: ctx.clock,
      logger: ctx.logger,
    };
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) ctx.queue.add(ns.metadata.name ?? '');
    };
    namespaces.on('add', enqueue).on('update', (_old, ns) => enqueue(ns));
    return { reconcile: (key) => reconcileNamespace(key, deps) };
  },
};

/** One pass for the namespace named `name`; safe to repeat. */
export async function reconcileNamespace(name: string, d: NamespaceDeps): Promise<Result> {
  const ns = d.namespaces.get(name);
  if (!ns?.metadata.deletionTimestamp) return;
  const finalizers = ns.spec?.finalizers ?? [];
  if (!finalizers.includes(KUBERNETES_FINALIZER)) return;

  const now = d.clock.now();
  const report = await deleteContent(d.client, name, now);
  const current = ns.status?.conditions ?? [];
  const conditions = deletionConditions(current, report, new Date(now));
  if (conditionsChanged(current, conditions)) await writeConditions(d.client, ns, conditions);

  if (report.failures.length > 0) {
    throw new Error(`delete the content of namespace ${name}: ${report.failures.join('; ')}`);
  }
  if (!isEmpty(report)) {
    d.logger.info('Namespace content remains, checking again', {
      namespace: name,
      remaining: Object.fromEntries(report.remaining),
    });
    // As Kubernetes: half the longest pending grace period plus a second.
    const wait = report.graceLeftMs > 0 ? report.graceLeftMs / 2 + 1_000 : RECHECK_MS;
    return { requeueAfter: Math.min(MAX_RECHECK_MS, wait) };
  }
  await finalize(
    d.client,
    ns,
    finalizers.filter((f) => f !== KUBERNETES_FINALIZER),
  );
  d.logger.info('Namespace emptied and finalized', { namespace: name });
  return;
}

async function writeConditions(
  client: ApiClient,
  ns: Namespace,
  conditions: NonNullable<Namespace['status']>['conditions'],
): Promise<void> {
  try {
    await client.updateStatus(NAMESPACES, { ...ns, status: { ...ns.status, conditions } });
  } catch (err) {
    // Conditions are progress reports: a stale copy or a namespace just gone is no failure.
    if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
    throw err;
  }
}

/** PUT namespaces/{name}/finalize with the remaining spec.finalizers. */
async function finalize(client: ApiClient, ns: Namespace, rest: string[]): Promise<void> {
  const name = ns.metadata.name ?? '';
  try {
    await client.request({
      method: 'PUT',
      path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`,
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: ns.metadata.uid },
        spec: { finalizers: rest },
      },
    });
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return;
    throw err;
  }
}
