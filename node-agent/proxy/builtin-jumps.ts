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

/**
 * `jumps` added to an iptables-restore --noflush payload: per table, one
 * "-I CHAIN 1 ..." line each (the same order and result as ensureJump()
 * one by one), before the COMMIT of that table's first block, or in a new
 * block. The builtin chain is not declared, so nothing in it is flushed;
 * the target chains must exist by then (declared earlier in the payload or
 * already in the kernel). One restore instead of a command per jump: on
 * legacy every command rewrites the whole table, on nft each costs a read
 * of the table's chains.
 */
export function withJumps(payload: string, jumps: readonly JumpRule[]): string {
  let out = payload;
  for (const table of ['filter', 'nat'] as const) {
    const lines = jumps.filter((j) => j.table === table).map(jumpLine);
    if (lines.length === 0) continue;
    const block = out.startsWith(`*${table}\n`) ? 0 : out.indexOf(`\n*${table}\n`);
    const commit = block < 0 ? -1 : out.indexOf('\nCOMMIT\n', block);
    if (commit < 0) out += [`*${table}`, ...lines, 'COMMIT', ''].join('\n');
    else out = out.slice(0, commit + 1) + lines.join('\n') + out.slice(commit);
  }
  return out;
}

/** The restore line inserting `jump` first in its chain (comments quoted as iptables-save does). */
export function jumpLine(jump: JumpRule): string {
  const spec = jump.spec.map((t) => (/\s/.test(t) ? `"${t}"` : t));
  return ['-I', jump.chain, '1', ...spec].join(' ');
}
