/**
 * The service proxy's loop (kube-proxy's iptables Proxier.syncProxyRules
 * and its runner): informers on Services and Endpoints feed a
 * level-triggered, rate-limited sync that renders the whole desired
 * ruleset and applies only what differs (RuleSyncer); a canary, a
 * rule-count and a periodic full check (all read-only, beside the syncs)
 * detect external flushes and edits, which the next sync repairs
 * after reading the kernel back; UDP conntrack entries made
 * stale by endpoint changes are deleted after each sync.
 *
 * Nothing is applied until both initial lists have arrived, so a proxy
 * that starts (or an API server that is down) never wipes good rules with
 * partial data; rules stay in place when the proxy stops.
 */
import type { Informer, ListWatcher } from '../../control-plane/api/client/informer.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import type { Endpoints } from '../../control-plane/api/types.ts';
import {
  readerInformers,
  runOrAwait,
  serviceInformersSynced,
  type ServiceInformers,
} from '../service-informers.ts';
import { CANARY_CHAIN } from './chain-names.ts';
import { staleUdpFlows, type ConntrackRunner } from './conntrack.ts';
import { IptablesError } from './iptables-error.ts';
import type { IptablesRunner } from './iptables.ts';
import { MetricsRecorder, type ProxyMetrics } from './proxy-metrics.ts';
import { renderRules } from './render-rules.ts';
import { RuleSyncer } from './rule-syncer.ts';
import { countRules, TABLES } from './ruleset.ts';
import { buildServicePorts, type ServicePortInfo } from './service-ports.ts';
import { SyncLimiter } from './sync-limiter.ts';

/** What startProxy needs. */
export interface ProxyOptions {
  /** Lists and watches Services and Endpoints for informers of the proxy's own. */
  client?: ListWatcher;
  /** Informers to read instead, run by their owner (the agent's, shared with its DNS server). */
  informers?: ServiceInformers;
  /**
   * How the proxy sees the Endpoints it read, e.g. kube-dns standing for
   * the node's DNS server (local-dns-endpoints.ts); as they are by default.
   */
  endpointsView?: (endpoints: Endpoints[]) => Endpoints[];
  iptables: IptablesRunner;
  /** The pod network (ClusterIP traffic from outside it is masqueraded). */
  clusterCIDR: string;
  /** The service range (addresses no service owns are rejected). */
  serviceCIDR: string;
  nodeName: string;
  log: Logger;
  /** Minimum time between two syncs; bursts of changes coalesce. Default 1000 ms. */
  minSyncPeriodMs?: number;
  /**
   * A sync runs at least this often even without changes, and the full
   * check (read the kernel back, compare every rule, repair what differs)
   * runs this often, beside the syncs (a change never waits for it).
   * Default 30 s.
   */
  syncPeriodMs?: number;
  /**
   * How often the canary chains are checked (a flush of the tables). The
   * rule counts of every skiff chain (a flush of one chain) are checked as
   * often, but never more often than 10× the time one check takes, so a
   * large table costs at most ~10 % of a core. Default 2000 ms.
   */
  canaryCheckMs?: number;
  /** Deletes stale UDP flows after endpoint changes; none when absent. */
  conntrack?: ConntrackRunner;
  /** Rule lines per iptables-restore in a large sync (see plan-steps.ts). */
  stepRules?: number;
  /** Stops the proxy like stop(). */
  signal?: AbortSignal;
}

/** A running proxy. */
export interface Proxy {
  /** Resolves after the first sync is applied; rejects if stopped before. */
  ready: Promise<void>;
  metrics(): ProxyMetrics;
  /** Runs a sync now (if both informers have synced) and resolves when it ends. */
  syncNow(): Promise<void>;
  /** Stops informers and timers, waits for a sync in progress; the rules stay in place. */
  stop(): Promise<void>;
}

/**
 * Starts the proxy: informers, sync loop, canary and count checks. Resolves
 * once started (not synced: await `ready` for that).
 * @example
 * const proxy = await startProxy({ client, iptables: new ExecIptables({ backend }), ... });
 * await proxy.ready;
 */
export async function startProxy(o: ProxyOptions): Promise<Proxy> {
  const log = o.log.child({ component: 'proxy', node: o.nodeName });
  const ac = new AbortController();
  const abort = (): void => ac.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  const recorder = new MetricsRecorder();
  const syncer = new RuleSyncer({ iptables: o.iptables, stepRules: o.stepRules });
  const reader = readerInformers(o, 'startProxy', { logger: log });
  const { informers } = reader;
  const { services, endpoints } = informers;
  const view = o.endpointsView ?? ((list: Endpoints[]) => list);
  const syncPeriodMs = o.syncPeriodMs ?? 30_000;
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);
  let prevPorts: ServicePortInfo[] | undefined;
  let failures = 0;
  let syncing = false;

  const sync = async (): Promise<void> => {
    if (!serviceInformersSynced(informers)) return;
    syncing = true;
    const start = performance.now();
    const restoresBefore = syncer.restores;
    try {
      const ports = buildServicePorts(services.list(), view(endpoints.list()));
      const next = renderRules(ports, { clusterCIDR: o.clusterCIDR, serviceCIDR: o.serviceCIDR });
      const r = await syncer.sync(next);
      const durationMs = performance.now() - start;
      recorder.synced({
        durationMs,
        rules: r.rules,
        written: r.written,
        deleted: r.deleted.length,
        restores: r.restores,
        desired: countRules(next),
      });
      log.debug('Synced iptables rules', {
        durationMs: Math.round(durationMs),
        servicePorts: ports.length,
        rulesWritten: r.rules,
        chainsWritten: r.written.length,
        chainsDeleted: r.deleted.length,
        restores: r.restores,
        verified: r.verified,
        jumpsInserted: r.jumpsInserted,
      });
      failures = 0;
      resolveReady();
      if (prevPorts && o.conntrack) await clearStaleFlows(o.conntrack, prevPorts, ports, log);
      prevPorts = ports;
    } catch (err) {
      failures++;
      recorder.failed(syncer.restores - restoresBefore);
      const retryInMs = Math.min(syncPeriodMs, 1000 * 2 ** Math.min(failures - 1, 5));
      const e = err as Error;
      log.error('Failed to sync iptables rules; retrying with a full sync', {
        err: e,
        ...(e instanceof IptablesError
          ? { table: e.table, line: e.line, lineText: e.lineText, exitCode: e.exitCode }
          : {}),
        failures,
        retryInMs,
        hint: 'services on this node keep their previous rules until a sync succeeds',
      });
      limiter.retry(retryInMs);
    } finally {
      syncing = false;
    }
  };

  const limiter = new SyncLimiter({
    run: sync,
    minIntervalMs: o.minSyncPeriodMs ?? 1000,
    maxIntervalMs: syncPeriodMs,
  });
  for (const inf of [services, endpoints] as Informer[]) {
    inf
      .on('add', () => limiter.request())
      .on('update', () => limiter.request())
      .on('delete', () => limiter.request())
      .on('synced', () => limiter.request());
  }
  // Shared informers may have listed before this proxy attached: sync without waiting for them.
  if (serviceInformersSynced(informers)) limiter.request();
  const run = runOrAwait(reader, ac.signal);
  const checker = startChecks(o, syncer, limiter, log, () => syncing || !syncer.applied);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.resolve(); // `stopping` is set before the abort below calls stop() again
      ac.abort();
      o.signal?.removeEventListener('abort', abort);
      checker.stop();
      await run.catch(() => undefined);
      await limiter.stop();
      await checker.done();
      rejectReady(new Error('the proxy stopped before its first sync'));
    })();
    return stopping;
  };
  ac.signal.addEventListener('abort', () => void stop(), { once: true });
  if (o.signal?.aborted) ac.abort();
  return {
    ready,
    metrics: () => recorder.snapshot(),
    syncNow: () => limiter.runNow(),
    stop,
  };
}

// The canary (a flushed table), rule-count (a flushed chain or jump) and full (an edited rule)
// checks. They only read; on a mismatch the next sync reads the kernel back and repairs.
function startChecks(
  o: ProxyOptions,
  syncer: RuleSyncer,
  limiter: SyncLimiter,
  log: Logger,
  busy: () => boolean,
): { stop: () => void; done: () => Promise<void> } {
  const every = o.canaryCheckMs ?? 2000;
  const fullEvery = o.syncPeriodMs ?? 30_000;
  let nextCountCheck = 0;
  let nextFullCheck = performance.now() + fullEvery;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const check = async (): Promise<void> => {
    if (busy()) return;
    try {
      for (const table of TABLES) {
        if (!(await o.iptables.chainExists(table, CANARY_CHAIN))) {
          log.warn('Canary chain gone, resyncing all rules', {
            table,
            chain: CANARY_CHAIN,
            hint: 'something flushed the iptables tables (a firewall reload?)',
          });
          return repair();
        }
      }
      const now = performance.now();
      const full = now >= nextFullCheck;
      if ((!full && now < nextCountCheck) || busy()) return;
      const ok = full ? await syncer.verify() : await syncer.countsMatch();
      // A read of a large table costs seconds of CPU: at most ~10 % of the time on checks.
      const took = performance.now() - now;
      nextCountCheck = performance.now() + 10 * took;
      if (full) nextFullCheck = performance.now() + Math.max(fullEvery, 10 * took);
      if (!ok && !busy()) {
        log.warn('Skiff chains differ from the rules applied, repairing', {
          check: full ? 'every rule' : 'rule counts and jumps',
          hint: 'a skiff chain or jump was flushed or edited by hand; skiff rewrites only what differs',
        });
        repair();
      }
    } catch (err) {
      log.warn('Checking the iptables rules failed', { err: err as Error });
    }
  };
  const repair = (): void => {
    syncer.invalidate();
    limiter.request();
  };
  let inFlight = false;
  const timer = setInterval(() => {
    if (stopped || inFlight) return; // a slow check is never queued behind another
    inFlight = true;
    running = check().finally(() => {
      inFlight = false;
    });
  }, every);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    done: () => running,
  };
}

async function clearStaleFlows(
  conntrack: ConntrackRunner,
  before: ServicePortInfo[],
  after: ServicePortInfo[],
  log: Logger,
): Promise<void> {
  for (const filter of staleUdpFlows(before, after)) {
    try {
      const deleted = await conntrack.deleteUdp(filter);
      if (deleted > 0) log.debug('Deleted stale UDP conntrack entries', { ...filter, deleted });
    } catch (err) {
      log.warn('Failed to delete stale UDP conntrack entries', { ...filter, err: err as Error });
    }
  }
}
