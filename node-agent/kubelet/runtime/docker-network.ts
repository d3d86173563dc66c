/**
 * The pod network on a node as a Docker bridge network: its subnet is the
 * node's pod CIDR, its gateway the subnet's first address, its Linux
 * bridge a predictable name for the networking code to write rules
 * against. Pure helpers, and `ensurePodNetwork`, which talks to the engine.
 */
import type Docker from 'dockerode';
import type { Logger } from '../../../control-plane/api/log.ts';
import { engineMessage, engineStatus, unlessNotFound } from './docker-errors.ts';
import { NetworkInspect, checkDocker } from './docker-schemas.ts';
import { compareVersions } from './docker-version.ts';
import { LABEL_NODE_NAME } from './labels.ts';
import type { PodNetwork } from './runtime.ts';

/**
 * Docker 28 blocks direct access to unpublished container ports from
 * outside the bridge in its default ("nat") gateway mode; pods must be
 * reachable by IP from the node and (with the networking issue) from other
 * nodes, so their bridge uses the "routed" gateway mode, which Docker 28+
 * understands. Docker 20.10 has neither the option nor that filtering.
 */
export function usesGatewayMode(engineVersion: string): boolean {
  return compareVersions(engineVersion, '28.0.0') >= 0;
}

/** The bridge driver options for a pod network on an engine of `engineVersion`. */
export function podNetworkOptions(
  engineVersion: string,
  bridgeName: string,
): Record<string, string> {
  return {
    'com.docker.network.bridge.name': bridgeName,
    'com.docker.network.bridge.enable_icc': 'true',
    // The agent's own rules masquerade only traffic leaving the cluster CIDR
    // (node-agent/network/); Docker's would hide pod IPs from other nodes.
    'com.docker.network.bridge.enable_ip_masquerade': 'false',
    ...(usesGatewayMode(engineVersion)
      ? { 'com.docker.network.bridge.gateway_mode_ipv4': 'routed' }
      : {}),
  };
}

/** A Linux interface name (at most 15 characters) for the bridge of network `name`. */
export function bridgeNameFor(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_.-]/g, '');
  return (clean === '' ? 'skiff0' : clean).slice(0, 15);
}

/**
 * The normalized IPv4 CIDR and its first host address (the gateway), or an
 * Error saying what is wrong with `cidr`.
 */
export function parsePodCidr(cidr: string): { subnet: string; gateway: string } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) {
    throw new Error(
      `pod CIDR "${cidr}" is not an IPv4 network with a prefix of 8 to 30 bits (e.g. 10.244.1.0/24)`,
    );
  }
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const network = addr - (addr % size);
  return { subnet: `${ipv4(network)}/${bits}`, gateway: ipv4(network + 1) };
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface PodNetworkSpec {
  podCidr: string;
  /** The Docker network name. */
  name: string;
  engineVersion: string;
  nodeName: string;
  log: Logger;
}

/**
 * Creates the pod network if missing (idempotent, safe against a
 * concurrent create); throws when a network of that name exists with
 * another subnet, saying how to fix it.
 */
export async function ensurePodNetwork(docker: Docker, spec: PodNetworkSpec): Promise<PodNetwork> {
  const { subnet, gateway } = parsePodCidr(spec.podCidr);
  const existing = await inspectNetwork(docker, spec.name);
  if (existing) return checkNetwork(existing, subnet);
  try {
    await docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
      Options: podNetworkOptions(spec.engineVersion, bridgeNameFor(spec.name)),
      Labels: { [LABEL_NODE_NAME]: spec.nodeName },
    });
    spec.log.info('Created pod network', { network: spec.name, subnet, gateway });
  } catch (err) {
    // 409: another caller created it first; the check below decides.
    if (engineStatus(err) !== 409) {
      throw new Error(`create pod network "${spec.name}" (${subnet}): ${engineMessage(err)}`, {
        cause: err,
      });
    }
  }
  const created = await inspectNetwork(docker, spec.name);
  if (!created) throw new Error(`pod network "${spec.name}" vanished right after it was created`);
  return checkNetwork(created, subnet);
}

async function inspectNetwork(docker: Docker, name: string): Promise<NetworkInspect | undefined> {
  const raw = await unlessNotFound(() => docker.getNetwork(name).inspect());
  return raw === undefined ? undefined : checkDocker(NetworkInspect, raw, `GET /networks/${name}`);
}

function checkNetwork(net: NetworkInspect, subnet: string): PodNetwork {
  const cfg = net.IPAM.Config?.[0];
  if (cfg?.Subnet !== subnet) {
    throw new Error(
      `pod network "${net.Name}" exists with subnet ${cfg?.Subnet ?? 'none'}, not the node's pod CIDR ${subnet}: ` +
        `remove it (docker network rm ${net.Name}) once no pod uses it, or fix the pod CIDR`,
    );
  }
  return { id: net.Id, name: net.Name, subnet, gateway: cfg.Gateway ?? '' };
}
