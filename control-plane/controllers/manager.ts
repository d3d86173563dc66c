/**
 * The controller manager: runs a list of ControllerSpecs (see
 * runtime/spec.ts) on one set of shared informers, and `runWhileLeading`,
 * which runs any component only while this process holds a Lease, so of
 * several control-plane replicas exactly one acts.
 *
 * @example
 * const ac = new AbortController();
 * const cm = startControllerManager({ client, controllers: [replicaSet], signal: ac.signal });
 * await cm.ready; // informers synced, workers running
 * ac.abort();
 * await cm.done;
 */
import type { ApiClient } from '../api/client/client.ts';
import { Informer } from '../api/client/informer.ts';
import { rootLogger, type Logger } from '../api/log.ts';
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { realClock, sleep, type Clock } from './runtime/clock.ts';
import { runController } from './runtime/controller.ts';
import { apiLeaseClient } from './runtime/lease-client.ts';
import { runLeaderElection } from './runtime/leader-election.ts';
import type { ControllerSpec } from './runtime/spec.ts';
import { WorkQueue } from './runtime/work-queue.ts';

export interface ControllerManagerOptions {
  client: ApiClient;
  controllers: readonly ControllerSpec[];
  logger?: Logger;
  /** Aborting stops every controller and informer. */
  signal: AbortSignal;
  clock?: Clock;
}

export interface ControllerManager {
  /** Resolves once every informer synced and the workers run; rejects if stopped first. */
  ready: Promise<void>;
  /** Resolves when everything stopped after the signal aborted. */
  done: Promise<void>;
}

/** One list+watch per resource for the whole process, shared by every controller. */
export class SharedInformers {
  private readonly client: ApiClient;
  private readonly logger: Logger;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(client: ApiClient, logger: Logger) {
    this.client = client;
    this.logger = logger;
  }

  /** The shared informer of `resource`; only before start(). */
  informer<T extends KubeObject>(resource: ResourceInfo): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.plural}`;
    let inf = this.informers.get(key);
    if (!inf) {
      if (this.started)
        throw new Error(`informer for ${key} requested after the informers started`);
      inf = new Informer({ client: this.client, resource, logger: this.logger });
      this.informers.set(key, inf);
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer; resolves once all synced. The returned `stopped` settles after `signal`. */
  start(signal: AbortSignal): { synced: Promise<void>; stopped: Promise<void> } {
    this.started = true;
    const all = [...this.informers.values()];
    const stopped = Promise.all(all.map((i) => i.start(signal))).then(() => undefined);
    return { synced: Promise.all(all.map((i) => i.ready)).then(() => undefined), stopped };
  }
}

/** Sets up every controller, starts the informers, and runs the workers until `signal` aborts. */
export function startControllerManager(opts: ControllerManagerOptions): ControllerManager {
  const log = (opts.logger ?? rootLogger).child({ component: 'controller-manager' });
  const clock = opts.clock ?? realClock;
  const { signal } = opts;
  const informers = new SharedInformers(opts.client, log);
  const running = opts.controllers.map((spec) => {
    const queue = new WorkQueue({ clock });
    const logger = log.child({ controller: spec.name });
    const instance = spec.setup({
      client: opts.client,
      informer: (r) => informers.informer(r),
      queue,
      logger,
      clock,
      signal,
    });
    return { spec, queue, logger, instance };
  });
  const { synced, stopped } = informers.start(signal);
  const ready = synced.then(() => {
    log.info('Informers synced, starting controllers', {
      controllers: running.map((r) => r.spec.name),
    });
  });
  ready.catch(() => undefined);
  const done = (async () => {
    try {
      await ready;
    } catch {
      // Stopped before the informers synced: nothing ran.
      for (const r of running) r.queue.shutDown();
      await stopped;
      return;
    }
    await Promise.all(
      running.map(async ({ spec, queue, logger, instance }) => {
        const extra = instance.run?.(signal).catch((err: unknown) => {
          logger.error('Controller loop failed', { err });
        });
        await runController({
          name: spec.name,
          reconcile: instance.reconcile,
          workers: spec.workers ?? 1,
          queue,
          logger,
          signal,
        });
        await extra;
      }),
    );
    await stopped;
    log.info('Controllers stopped');
  })();
  return { ready, done };
}

export interface LeaderOptions {
  client: ApiClient;
  /** The Lease in kube-system, e.g. "skiff-controller-manager". */
  leaseName: string;
  /** This candidate, unique among replicas. */
  identity: string;
  /** Default 15 000 ms; the renew deadline is 2/3 of it and the retry period 2/15. */
  leaseDurationMs?: number;
  logger?: Logger;
  signal: AbortSignal;
  /** The work to run while leading; must return soon after its signal aborts. */
  lead: (signal: AbortSignal) => Promise<void>;
}

/**
 * Campaigns for the Lease and runs `lead` while holding it. Leadership lost
 * (renewals failed for the renew deadline) stops the work and campaigns
 * again, so the process never acts without the Lease. Work that fails or
 * ends on its own while leading gives the Lease up (released, so another
 * replica takes over at once) rather than holding it idle. Resolves after
 * `signal` aborted and the work returned (the Lease released).
 */
export async function runWhileLeading(opts: LeaderOptions): Promise<void> {
  const leaseMs = opts.leaseDurationMs ?? 15_000;
  const retryMs = Math.max(100, Math.floor((leaseMs * 2) / 15));
  const log = (opts.logger ?? rootLogger).child({ lease: opts.leaseName });
  const client = apiLeaseClient(opts.client);
  while (!opts.signal.aborted) {
    const term = new AbortController();
    const stop = (): void => term.abort();
    opts.signal.addEventListener('abort', stop, { once: true });
    let gaveUp = false;
    await runLeaderElection({
      client,
      name: opts.leaseName,
      identity: opts.identity,
      leaseDurationMs: leaseMs,
      renewDeadlineMs: Math.floor((leaseMs * 2) / 3),
      retryPeriodMs: retryMs,
      logger: log,
      signal: term.signal,
      onStartedLeading: async (leading) => {
        try {
          await opts.lead(leading);
        } catch (err) {
          log.error('Leader work failed', { err });
        }
        if (leading.aborted) return;
        log.warn('Leader work ended while leading; giving up the lease');
        gaveUp = true;
        term.abort();
      },
    });
    opts.signal.removeEventListener('abort', stop);
    // Work that fails at once must not turn into a tight campaign loop.
    if (gaveUp) await sleep(realClock, retryMs, opts.signal);
  }
}
