/**
 * The main routing table through `ip` (iproute2). Routes skiff writes carry
 * its route protocol number (`proto N`), and deletes name that protocol too,
 * so a route someone else installed to the same destination is never removed.
 */
import { runOk, type CommandRunner } from './command.ts';
import type { DesiredRoute, ObservedRoute } from './routes-plan.ts';

/**
 * skiff's route protocol: 177 is in no iproute2 or IANA-style list
 * (/etc/iproute2/rt_protos reserves 0-18, 42, 99, 186-192), so `ip` prints it as "177".
 */
export const SKIFF_ROUTE_PROTOCOL = 177;

export interface RouteTable {
  /** Every IPv4 route of the main table. */
  list(): Promise<ObservedRoute[]>;
  /** Installs or changes the route to `route.dst`, marked as skiff's. */
  replace(route: DesiredRoute): Promise<void>;
  /** Removes skiff's route to `dst`; a no-op when there is none. */
  remove(dst: string): Promise<void>;
}

export interface IpRouteTableOptions {
  runner: CommandRunner;
  protocol?: number;
}

/** `RouteTable` through the `ip` command. */
export class IpRouteTable implements RouteTable {
  readonly #runner: CommandRunner;
  readonly #proto: string;

  constructor(opts: IpRouteTableOptions) {
    this.#runner = opts.runner;
    this.#proto = String(opts.protocol ?? SKIFF_ROUTE_PROTOCOL);
  }

  async list(): Promise<ObservedRoute[]> {
    const out = await runOk(this.#runner, 'ip', ['-j', '-4', 'route', 'show', 'table', 'main']);
    return parseIpRoutes(out);
  }

  async replace(route: DesiredRoute): Promise<void> {
    await runOk(this.#runner, 'ip', [
      ...['-4', 'route', 'replace', route.dst, 'via', route.via],
      ...['proto', this.#proto],
    ]);
  }

  async remove(dst: string): Promise<void> {
    const res = await this.#runner.run('ip', ['-4', 'route', 'del', dst, 'proto', this.#proto]);
    // "No such process": already gone, which is what was wanted.
    if (res.code !== 0 && !/No such process/.test(res.stderr)) {
      throw new Error(`ip route del ${dst} proto ${this.#proto} failed: ${res.stderr.trim()}`);
    }
  }
}

/**
 * Parses `ip -j route` output (unknown until checked): entries without a
 * string `dst` are skipped; a host route gets its "/32" back ("default"
 * stays); a missing protocol is "boot", the one iproute2 leaves out.
 */
export function parseIpRoutes(json: string): ObservedRoute[] {
  const raw: unknown = JSON.parse(json.trim() === '' ? '[]' : json);
  if (!Array.isArray(raw)) throw new Error('ip -j route did not print a JSON array');
  const routes: ObservedRoute[] = [];
  for (const entry of raw as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const r = entry as Record<string, unknown>;
    if (typeof r.dst !== 'string') continue;
    routes.push({
      dst: r.dst === 'default' || r.dst.includes('/') ? r.dst : `${r.dst}/32`,
      ...(typeof r.gateway === 'string' ? { via: r.gateway } : {}),
      protocol: typeof r.protocol === 'string' ? r.protocol : 'boot',
    });
  }
  return routes;
}
