/**
 * The jumps from the builtin chains into skiff's (kube-proxy's
 * iptablesJumpChains). They are ensured one by one (`iptables -C`, then
 * `-I ... 1` if missing), never by a restore of a builtin chain, so rules
 * that others (Docker, the host firewall) keep there are never flushed.
 */
import {
  EXTERNAL_SERVICES_CHAIN,
  FORWARD_CHAIN,
  POSTROUTING_CHAIN,
  SERVICES_CHAIN,
} from './chain-names.ts';
import type { TableName } from './ruleset.ts';

/** One rule in a builtin chain that jumps to a skiff chain. */
export interface JumpRule {
  table: TableName;
  /** The builtin chain holding the jump (PREROUTING, OUTPUT, ...). */
  chain: string;
  /** The rule specification after the chain name, ending in "-j SKIFF-...". */
  spec: readonly string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];
const note = (text: string): string[] => ['-m', 'comment', '--comment', text];

/**
 * Every jump skiff needs, in the order to ensure them. The skiff chains
 * must exist first (apply a full payload before ensuring these).
 */
export const BUILTIN_JUMPS: readonly JumpRule[] = [
  {
    table: 'nat',
    chain: 'PREROUTING',
    spec: [...note('skiff service portals'), '-j', SERVICES_CHAIN],
  },
  { table: 'nat', chain: 'OUTPUT', spec: [...note('skiff service portals'), '-j', SERVICES_CHAIN] },
  {
    table: 'nat',
    chain: 'POSTROUTING',
    spec: [...note('skiff postrouting rules'), '-j', POSTROUTING_CHAIN],
  },
  ...['INPUT', 'FORWARD'].map((chain) => ({
    table: 'filter' as const,
    chain,
    spec: [
      ...NEW,
      ...note('skiff externally-visible service portals'),
      '-j',
      EXTERNAL_SERVICES_CHAIN,
    ],
  })),
  ...['FORWARD', 'OUTPUT'].map((chain) => ({
    table: 'filter' as const,
    chain,
    spec: [...NEW, ...note('skiff service portals'), '-j', SERVICES_CHAIN],
  })),
  {
    table: 'filter',
    chain: 'FORWARD',
    spec: [...note('skiff forwarding rules'), '-j', FORWARD_CHAIN],
  },
];
