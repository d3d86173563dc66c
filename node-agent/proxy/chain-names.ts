/**
 * The names of skiff's iptables chains: fixed top-level chains and
 * kube-proxy-style hashed per-service chains (proxier.go portProtoHash and
 * servicePortEndpointChainName): the prefix plus the first 16 base32
 * characters of a sha256, so a name is stable across restarts, unique per
 * service port (and endpoint), and within iptables' 28-character limit.
 */
import { createHash } from 'node:crypto';

/** Every chain skiff's proxy owns starts with this (see isProxyChain: not every such chain is the proxy's). */
export const CHAIN_PREFIX = 'SKIFF-';

/** nat and filter: dispatch by ClusterIP:port (nat) or REJECT of unserved ones (filter). */
export const SERVICES_CHAIN = 'SKIFF-SERVICES';
/** nat: NodePort dispatch, jumped to at the end of nat SKIFF-SERVICES for local addresses. */
export const NODEPORTS_CHAIN = 'SKIFF-NODEPORTS';
/** nat: sets the masquerade mark. */
export const MARK_MASQ_CHAIN = 'SKIFF-MARK-MASQ';
/** nat: masquerades packets carrying the mark. */
export const POSTROUTING_CHAIN = 'SKIFF-POSTROUTING';
/** filter: REJECT of NodePorts without endpoints. */
export const EXTERNAL_SERVICES_CHAIN = 'SKIFF-EXTERNAL-SERVICES';
/** filter: accepts marked and established traffic despite a FORWARD DROP policy. */
export const FORWARD_CHAIN = 'SKIFF-FORWARD';
/** nat and filter: always empty; its absence means someone flushed our rules. */
export const CANARY_CHAIN = 'SKIFF-PROXY-CANARY';

const FIXED_CHAINS = new Set([
  'SKIFF-SERVICES',
  'SKIFF-NODEPORTS',
  'SKIFF-MARK-MASQ',
  'SKIFF-POSTROUTING',
  'SKIFF-EXTERNAL-SERVICES',
  'SKIFF-FORWARD',
  'SKIFF-PROXY-CANARY',
]);
const HASHED_PREFIXES = ['SKIFF-SVC-', 'SKIFF-EXT-', 'SKIFF-SEP-'];

/**
 * Whether the proxy owns `chain`: its fixed chains and its hashed per-service
 * chains. Other SKIFF-* chains (the pod network's SKIFF-POD-*, the local
 * cluster's fence) belong to other parts of skiff and are never touched here.
 */
export function isProxyChain(chain: string): boolean {
  return FIXED_CHAINS.has(chain) || HASHED_PREFIXES.some((p) => chain.startsWith(p));
}

/** iptables refuses chain names longer than this (XT_EXTENSION_MAXNAMELEN - 1). */
export const MAX_CHAIN_NAME = 28;

/** Per service port: load balancing over its endpoints. */
export function serviceChain(servicePortName: string, protocol: string): string {
  return 'SKIFF-SVC-' + hash16(servicePortName + protocol.toLowerCase());
}

/** Per service port with a NodePort: marks external traffic, then the service chain. */
export function externalChain(servicePortName: string, protocol: string): string {
  return 'SKIFF-EXT-' + hash16(servicePortName + protocol.toLowerCase());
}

/** Per endpoint ("ip:port") of a service port: the DNAT. */
export function endpointChain(servicePortName: string, protocol: string, endpoint: string): string {
  return 'SKIFF-SEP-' + hash16(servicePortName + protocol.toLowerCase() + endpoint);
}

/** The first 16 characters of base32(sha256(s)) (RFC 4648 alphabet, as Go's StdEncoding). */
export function hash16(s: string): string {
  let h = HASHES.get(s);
  if (h === undefined) {
    // Every sync renders every chain name: remember them (a bounded cache, emptied when full).
    if (HASHES.size >= MAX_HASHES) HASHES.clear();
    h = base32(createHash('sha256').update(s).digest()).slice(0, 16);
    HASHES.set(s, h);
  }
  return h;
}

const MAX_HASHES = 200_000;
const HASHES = new Map<string, string>();

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of `bytes`, without padding (callers only take a prefix). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
