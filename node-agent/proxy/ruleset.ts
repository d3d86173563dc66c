/**
 * A rendered ruleset: for each table skiff uses, its own chains in order,
 * each with its complete rule lines ("-A CHAIN ..."). The renderer builds
 * it, the sync planner diffs two of them, and toRestorePayload() writes
 * one as a whole iptables-restore --noflush payload.
 */

/** The tables skiff's proxy writes. */
export type TableName = 'filter' | 'nat';

/** The tables in the order they appear in a payload (as iptables-save prints them). */
export const TABLES: readonly TableName[] = ['filter', 'nat'];

/** Chain name → its rule lines, in declaration order. */
export type Chains = ReadonlyMap<string, readonly string[]>;

/** The complete desired state of skiff's chains. */
export type Ruleset = Readonly<Record<TableName, Chains>>;

/**
 * The whole ruleset as one iptables-restore --noflush payload: per table,
 * "*table", every chain declared (":CHAIN - [0:0]", which creates it or
 * flushes it), every rule, "COMMIT". Chains not named are left untouched.
 */
export function toRestorePayload(rules: Ruleset): string {
  const out: string[] = [];
  for (const table of TABLES) {
    out.push(`*${table}`);
    for (const chain of rules[table].keys()) out.push(`:${chain} - [0:0]`);
    for (const lines of rules[table].values()) out.push(...lines);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** The number of rule lines in the ruleset (for logs and metrics). */
export function countRules(rules: Ruleset): number {
  let n = 0;
  for (const table of TABLES) for (const lines of rules[table].values()) n += lines.length;
  return n;
}
