/**
 * The pod network's reconcile loop on one node. Desired: the Node objects
 * (every other node's pod CIDR via its InternalIP) and skiff's forward and
 * masquerade chains for the cluster CIDR. Observed: the main routing table,
 * the chains and their jumps read back, ip_forward, the bridge ports' hairpin
 * flags. Sync: apply only the difference. Level-triggered and idempotent: the
 * agent calls `reconcile()` on every Node change and `start()` adds a resync
 * every 30 s; calls are coalesced and syncs start at most once per
 * `minSyncIntervalMs`.
 *
 * @example
 *   const run = execRunner(); // or execRunner('/run/netns/skiff-n1')
 *   const net = new PodNetworkReconciler({
 *     nodeName: 'n1', clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16', bridge: 'skiff-pods',
 *     listNodes: () => (nodeInformerSynced ? nodeCache.list() : undefined),
 *     routes: new IpRouteTable({ runner: run }), iptables: new ExecIptables({ runner: run }),
 *     sysctls: new ExecSysctls({ runner: run }), hairpin: new IpHairpin({ runner: run }),
 *   });
 *   void net.start(signal); nodeInformer.on('update', () => void net.reconcile());
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rootLogger, type Logger } from '../../control-plane/api/log.ts';
import type { Node } from '../../control-plane/api/types.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { podNetworkChains, renderRestorePayload, type ObservedChain } from './forward-rules.ts';
import type { Hairpin } from './hairpin.ts';
import type { Iptables } from './iptables.ts';
import { SKIFF_ROUTE_PROTOCOL, type RouteTable } from './ip-routes.ts';
import { desiredRoutes, planRoutes, type RouteStep } from './routes-plan.ts';
import { sysctlWarnings, type Sysctls } from './sysctls.ts';

export interface PodNetworkOptions {
  nodeName: string;
  /** The cluster (pod) CIDR of all nodes, e.g. 10.244.0.0/16. */
  clusterCidr: string;
  /** The Service ClusterIP range, e.g. 10.96.0.0/16 (left to the service proxy's rules). */
  serviceCidr: string;
  /** The desired Node objects; undefined while they are not yet known (nothing is changed then). */
  listNodes: () => readonly Node[] | undefined | Promise<readonly Node[] | undefined>;
  routes: RouteTable;
  iptables: Iptables;
  sysctls: Sysctls;
  /** With `bridge`, hairpin mode is turned on for that bridge's ports. */
  hairpin?: Hairpin;
  bridge?: string;
  /** The route protocol `routes` marks its routes with (default 177). */
  routeProtocol?: number;
  /** Least time between the starts of two syncs (default 1 s). */
  minSyncIntervalMs?: number;
  /** Period of `start()`'s resync (default 30 s). */
  resyncIntervalMs?: number;
  log?: Logger;
}

/** What one sync found and did; `errors` empty when everything is in place. */
export interface SyncReport {
  routeSteps: RouteStep[];
  /** Desired routes left alone, and nodes left out, with the reason. */
  problems: string[];
  /** True when an iptables-restore payload was applied. */
  rulesApplied: boolean;
  hairpinEnabled: string[];
  warnings: string[];
  errors: string[];
}

/** The reconcile loop; see the file comment. */
export class PodNetworkReconciler {
  readonly #o: PodNetworkOptions;
  readonly #cluster: string;
  readonly #service: string;
  readonly #minGap: number;
  readonly #log: Logger;
  #running: Promise<SyncReport> | undefined;
  #pending: Promise<SyncReport> | undefined;
  #lastStart = -Infinity;
  #lastWarnings = '';

  constructor(opts: PodNetworkOptions) {
    const cluster = parseCidr(opts.clusterCidr);
    if (!cluster) throw new Error(`cluster CIDR "${opts.clusterCidr}" is not an IPv4 CIDR`);
    const service = parseCidr(opts.serviceCidr);
    if (!service) throw new Error(`service CIDR "${opts.serviceCidr}" is not an IPv4 CIDR`);
    this.#o = opts;
    this.#cluster = formatCidr(cluster);
    this.#service = formatCidr(service);
    this.#minGap = opts.minSyncIntervalMs ?? 1_000;
    this.#log = (opts.log ?? rootLogger).child({ component: 'pod-network' });
  }

  /**
   * Resolves with the report of a sync that started after this call. Calls
   * made while one is waiting share it; a call during a running sync gets the
   * next one. Never rejects: failures are in `errors` and logged.
   */
  reconcile(): Promise<SyncReport> {
    this.#pending ??= this.#next();
    return this.#pending;
  }

  /** Syncs now and every `resyncIntervalMs` until `signal` aborts; resolves then. */
  async start(signal: AbortSignal): Promise<void> {
    const every = this.#o.resyncIntervalMs ?? 30_000;
    while (!signal.aborted) {
      await this.reconcile();
      await sleep(every, undefined, { signal }).catch(() => undefined);
    }
  }

  async #next(): Promise<SyncReport> {
    await this.#running?.catch(() => undefined);
    const wait = this.#lastStart + this.#minGap - performance.now();
    if (wait > 0) await sleep(wait);
    this.#pending = undefined;
    this.#lastStart = performance.now();
    this.#running = this.#sync();
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  async #sync(): Promise<SyncReport> {
    const report: SyncReport = {
      routeSteps: [],
      problems: [],
      rulesApplied: false,
      hairpinEnabled: [],
      warnings: [],
      errors: [],
    };
    const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        report.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await step('check sysctls', () => this.#syncSysctls(report));
    await step('sync iptables rules', () => this.#syncRules(report));
    await step('sync routes', () => this.#syncRoutes(report));
    if (this.#o.hairpin && this.#o.bridge !== undefined) {
      await step('sync hairpin mode', () => this.#syncHairpin(report));
    }
    this.#logReport(report);
    return report;
  }

  async #syncSysctls(report: SyncReport): Promise<void> {
    let seen = await this.#o.sysctls.read();
    if (seen.ipForward === false) {
      await this.#o.sysctls.enableIpForward();
      this.#log.info('Enabled IPv4 forwarding', { sysctl: 'net.ipv4.ip_forward' });
      seen = await this.#o.sysctls.read();
    }
    report.warnings.push(...sysctlWarnings(seen));
  }

  async #syncRules(report: SyncReport): Promise<void> {
    const specs = podNetworkChains(this.#cluster, this.#service);
    const observed = new Map<string, ObservedChain>();
    for (const s of specs) {
      observed.set(s.chain, {
        chain: await this.#o.iptables.listChain(s.table, s.chain),
        hook: (await this.#o.iptables.listChain(s.table, s.hook)) ?? [],
      });
    }
    const payload = renderRestorePayload(specs, observed);
    if (payload === '') return;
    await this.#o.iptables.restore(payload);
    report.rulesApplied = true;
  }

  async #syncRoutes(report: SyncReport): Promise<void> {
    const nodes = await this.#o.listNodes();
    if (nodes === undefined) {
      report.problems.push('Node objects not known yet: routes left as they are');
      return;
    }
    const desired = desiredRoutes(nodes, this.#o.nodeName, this.#cluster);
    report.problems.push(...desired.problems);
    const protocol = String(this.#o.routeProtocol ?? SKIFF_ROUTE_PROTOCOL);
    const plan = planRoutes(desired.routes, await this.#o.routes.list(), protocol);
    report.problems.push(...plan.conflicts);
    for (const s of plan.steps) {
      const dst = s.op === 'delete' ? s.dst : s.route.dst;
      try {
        if (s.op === 'delete') await this.#o.routes.remove(s.dst);
        else await this.#o.routes.replace(s.route);
        report.routeSteps.push(s);
      } catch (err) {
        // One bad route (e.g. a gateway off this node's link) must not block the others.
        report.errors.push(
          `${s.op} route to ${dst}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  async #syncHairpin(report: SyncReport): Promise<void> {
    const { hairpin, bridge } = this.#o;
    if (!hairpin || bridge === undefined) return;
    for (const port of await hairpin.portsWithout(bridge)) {
      await hairpin.enable(port);
      report.hairpinEnabled.push(port);
    }
  }

  #logReport(r: SyncReport): void {
    const changed = r.routeSteps.length > 0 || r.rulesApplied || r.hairpinEnabled.length > 0;
    if (changed) {
      this.#log.info('Synced pod network', {
        routes: r.routeSteps.map(
          (s) => `${s.op} ${s.op === 'delete' ? s.dst : `${s.route.dst} via ${s.route.via}`}`,
        ),
        rulesApplied: r.rulesApplied,
        hairpinEnabled: r.hairpinEnabled,
      });
    }
    // The same warnings every 30 s would drown the log: only when they change.
    const warnings = [...r.warnings, ...r.problems].join('\n');
    if (warnings !== this.#lastWarnings && warnings !== '') {
      this.#log.warn('Pod network problems', { problems: [...r.warnings, ...r.problems] });
    }
    this.#lastWarnings = warnings;
    if (r.errors.length > 0) this.#log.error('Pod network sync failed', { errors: r.errors });
  }
}
