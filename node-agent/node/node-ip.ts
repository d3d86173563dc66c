/**
 * Choosing the node's InternalIP, pure (readings.ts feeds it
 * /proc/net/route and os.networkInterfaces()):
 *
 * 1. --node-ip when given (VMs with several NICs need it);
 * 2. else the first IPv4 address of the interface that carries the default
 *    route (the lowest metric), as the kubelet's ChooseHostInterface does;
 * 3. else, when there is no default route (a test node in a network
 *    namespace has none, by the network safety rules), the first
 *    non-loopback, non-link-local IPv4 address in the kernel's interface order.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { ipToInt } from '../../control-plane/api/ipv4.ts';

/** The chosen address and where it came from (logged at startup). */
export interface NodeIpChoice {
  ip: string;
  source: 'flag' | 'default-route' | 'first-interface';
}

/**
 * The interface of the IPv4 default route in /proc/net/route text (lowest
 * metric first), or undefined without one. Fields are hex, little-endian:
 * a default route has Destination and Mask 00000000 and the RTF_UP flag.
 */
export function defaultRouteInterface(routeText: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of routeText.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface = '', dest, , flags = '0', , , metric = '0', mask] = f;
    const up = (Number.parseInt(flags, 16) & 0x1) !== 0;
    if (!up || dest !== '00000000' || mask !== '00000000') continue;
    const m = Number.parseInt(metric, 10) || 0;
    if (!best || m < best.metric) best = { iface, metric: m };
  }
  return best?.iface;
}

function usable(a: NetworkInterfaceInfo): boolean {
  if (a.family !== 'IPv4' || a.internal) return false;
  const n = ipToInt(a.address);
  // 127.0.0.0/8 and link-local 169.254.0.0/16 never identify a node.
  return n !== undefined && n >>> 24 !== 127 && n >>> 16 !== 0xa9fe;
}

/** Throws a message for operators when `ip` is not a dotted IPv4 address. */
export function validateNodeIp(ip: string): string {
  if (ipToInt(ip) === undefined) {
    throw new Error(
      `--node-ip "${ip}" is not an IPv4 address: pass the node's address, e.g. 10.0.0.5`,
    );
  }
  return ip;
}

/**
 * The node's InternalIP per the rules above; throws, telling the operator
 * to pass --node-ip, when the machine has no usable IPv4 address.
 */
export function chooseNodeIp(
  flag: string | undefined,
  routeText: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): NodeIpChoice {
  if (flag) return { ip: validateNodeIp(flag), source: 'flag' };
  const iface = defaultRouteInterface(routeText);
  const onRoute = iface ? (interfaces[iface] ?? []).find(usable) : undefined;
  if (onRoute) return { ip: onRoute.address, source: 'default-route' };
  for (const addrs of Object.values(interfaces)) {
    const a = (addrs ?? []).find(usable);
    if (a) return { ip: a.address, source: 'first-interface' };
  }
  throw new Error(
    'cannot choose the node IP: no default route and no non-loopback IPv4 address; pass --node-ip',
  );
}
