/**
 * The control-plane components beside the API server: the scheduler and
 * the controller manager, each running only while this process holds its
 * Lease in kube-system (skiff-scheduler, skiff-controller-manager), so of
 * several control-plane replicas exactly one schedules and one reconciles;
 * when the holder dies another takes over within the lease duration.
 * `skiff server --components apiserver,scheduler,controllers` starts them.
 *
 * @example
 * const ac = new AbortController();
 * const running = startControlPlaneComponents({
 *   apiUrl: api.url,
 *   components: ['scheduler', 'controllers'],
 *   signal: ac.signal,
 * });
 * // ... on SIGTERM:
 * ac.abort();
 * await running.done; // leases released
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ApiClient } from '../api/client/client.ts';
import { rootLogger, type Logger } from '../api/log.ts';
import { controller as daemonSet } from '../controllers/daemonset.ts';
import { controller as deployment } from '../controllers/deployment/index.ts';
import { controller as endpoints } from '../controllers/endpoints.ts';
import { controller as garbageCollector } from '../controllers/garbage-collector.ts';
import { jobController, type JobOptions } from '../controllers/job.ts';
import { runWhileLeading, startControllerManager } from '../controllers/manager.ts';
import { controller as namespace } from '../controllers/namespace.ts';
import { nodeIpamController, type NodeIpamOptions } from '../controllers/node-ipam.ts';
import {
  nodeLifecycleController,
  type NodeLifecycleOptions,
} from '../controllers/node-lifecycle.ts';
import { controller as replicaSet } from '../controllers/replicaset.ts';
import type { ControllerSpec } from '../controllers/runtime/spec.ts';
import { startScheduler, type RunningScheduler } from '../scheduler/scheduler.ts';

export type ComponentName = 'scheduler' | 'controllers';

/** The Leases the components elect their leader on (namespace kube-system). */
export const SCHEDULER_LEASE = 'skiff-scheduler';
export const CONTROLLER_MANAGER_LEASE = 'skiff-controller-manager';

/** Settings of the controllers that have any. */
export interface ControllerSettings {
  nodeLifecycle?: NodeLifecycleOptions;
  nodeIpam?: NodeIpamOptions;
  job?: JobOptions;
}

/** Every controller of the controller manager, in start order. */
export function defaultControllers(settings: ControllerSettings = {}): ControllerSpec[] {
  return [
    replicaSet,
    deployment,
    daemonSet,
    jobController(settings.job),
    endpoints,
    nodeIpamController(settings.nodeIpam),
    nodeLifecycleController(settings.nodeLifecycle),
    namespace,
    garbageCollector,
  ];
}

export interface ControlPlaneComponentsOptions {
  /** The API server's URL; or pass `client`. */
  apiUrl?: string;
  client?: ApiClient;
  components: readonly ComponentName[];
  /** Lease duration of the leader elections. Default 15 s. */
  leaseDurationSeconds?: number;
  /** This replica among candidates. Default "<hostname>_<random>". */
  identity?: string;
  /** The controllers to run. Default defaultControllers(settings). */
  controllers?: readonly ControllerSpec[];
  settings?: ControllerSettings;
  logger?: Logger;
  /** Aborting stops every component and releases the Leases. */
  signal: AbortSignal;
}

export interface ControlPlaneComponents {
  /** This replica's identity in the Leases. */
  identity: string;
  /** The components leading now, and the scheduler's counters of its current term. */
  status(): {
    leading: ComponentName[];
    scheduler: ReturnType<RunningScheduler['stats']> | undefined;
  };
  /** Resolves when every component stopped after the signal aborted. */
  done: Promise<void>;
}

/** Starts the chosen components, each under its own leader election. */
export function startControlPlaneComponents(
  opts: ControlPlaneComponentsOptions,
): ControlPlaneComponents {
  const client = opts.client ?? clientFor(opts.apiUrl);
  const logger = opts.logger ?? rootLogger;
  const identity = opts.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const leaseDurationMs = (opts.leaseDurationSeconds ?? 15) * 1000;
  const { signal } = opts;
  const runs: Promise<void>[] = [];
  const wanted = new Set(opts.components);
  const leading = new Set<ComponentName>();
  let scheduler: RunningScheduler | undefined;
  // Runs `work` as the leader's term of `name`, recording that it leads meanwhile.
  const term = async (name: ComponentName, work: () => Promise<void>): Promise<void> => {
    leading.add(name);
    try {
      await work();
    } finally {
      leading.delete(name);
    }
  };
  if (wanted.has('scheduler')) {
    const log = logger.child({ component: 'scheduler' });
    runs.push(
      runWhileLeading({
        client,
        leaseName: SCHEDULER_LEASE,
        identity,
        leaseDurationMs,
        logger: log,
        signal,
        lead: (s) =>
          term('scheduler', () => {
            scheduler = startScheduler({ client, logger, signal: s });
            return scheduler.done;
          }),
      }),
    );
  }
  if (wanted.has('controllers')) {
    const controllers = opts.controllers ?? defaultControllers(opts.settings);
    runs.push(
      runWhileLeading({
        client,
        leaseName: CONTROLLER_MANAGER_LEASE,
        identity,
        leaseDurationMs,
        logger: logger.child({ component: 'controller-manager' }),
        signal,
        lead: (s) =>
          term(
            'controllers',
            () => startControllerManager({ client, controllers, logger, signal: s }).done,
          ),
      }),
    );
  }
  logger.info('Control-plane components started', { components: [...wanted], identity });
  const done = Promise.all(runs).then(() => {
    if (!opts.client) client.close();
  });
  const status = () => ({
    leading: [...leading],
    scheduler: leading.has('scheduler') ? scheduler?.stats() : undefined,
  });
  return { identity, done, status };
}

/**
 * Parses a --components value ("apiserver,scheduler,controllers"): whether
 * to run the API server, and which other components. Throws an Error naming
 * the unknown entry and the choices.
 */
export function parseComponents(text: string): {
  apiserver: boolean;
  components: ComponentName[];
} {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const known = ['apiserver', 'scheduler', 'controllers'];
  for (const p of parts) {
    if (!known.includes(p))
      throw new Error(`unknown component "${p}" in --components; choose from ${known.join(', ')}`);
  }
  if (parts.length === 0) throw new Error(`--components is empty; choose from ${known.join(', ')}`);
  return {
    apiserver: parts.includes('apiserver'),
    components: parts.filter((p): p is ComponentName => p !== 'apiserver'),
  };
}

function clientFor(apiUrl: string | undefined): ApiClient {
  if (!apiUrl) throw new Error('startControlPlaneComponents needs apiUrl or client');
  return new ApiClient({ server: apiUrl, userAgent: 'skiff-control-plane' });
}
