/**
 * What IPv4 space the host already uses, read from `ip -j` (addresses and
 * every routing table), so the local cluster never picks a subnet that
 * shadows or overlaps a real one (ENVIRONMENT.md, network rule 2).
 */
import { runOk, type CommandRunner } from './command-runner.ts';
import { parseCidr } from './subnet.ts';

/** The host's IPv4 networks and routes as CIDRs; the default route is left out. */
export async function usedHostSubnets(runner: CommandRunner): Promise<string[]> {
  const addrs = await runOk(runner, 'ip', ['-j', '-4', 'addr', 'show']);
  const routes = await runOk(runner, 'ip', ['-j', '-4', 'route', 'show', 'table', 'all']);
  return [...new Set([...parseIpAddrJson(addrs), ...parseIpRouteJson(routes)])];
}

/** CIDRs of the interface addresses in `ip -j -4 addr` output (e.g. "192.0.2.2/24"). */
export function parseIpAddrJson(text: string): string[] {
  return parseIpAddrsByLink(text).map(([, cidr]) => cidr);
}

/** [interface, address CIDR] pairs of `ip -j -4 addr` output. */
export function parseIpAddrsByLink(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const link of jsonArray(text, 'ip addr')) {
    if (!isRecord(link) || !Array.isArray(link.addr_info)) continue;
    const ifname = typeof link.ifname === 'string' ? link.ifname : '';
    for (const info of link.addr_info) {
      if (!isRecord(info) || info.family !== 'inet') continue;
      if (typeof info.local === 'string' && typeof info.prefixlen === 'number') {
        out.push([ifname, `${info.local}/${info.prefixlen}`]);
      }
    }
  }
  return out.filter(([, cidr]) => isCidr(cidr));
}

/** Destinations in `ip -j -4 route` output, except "default" (which overlaps everything). */
export function parseIpRouteJson(text: string): string[] {
  const out: string[] = [];
  for (const route of jsonArray(text, 'ip route')) {
    if (!isRecord(route) || typeof route.dst !== 'string' || route.dst === 'default') continue;
    out.push(route.dst.includes('/') ? route.dst : `${route.dst}/32`);
  }
  return out.filter(isCidr);
}

function jsonArray(text: string, what: string): unknown[] {
  const parsed: unknown = JSON.parse(text.trim() || '[]');
  if (!Array.isArray(parsed)) throw new Error(`unexpected ${what} JSON: not an array`);
  return parsed;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// `ip` may print multicast or unusual destinations; keep only what parses.
function isCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}
