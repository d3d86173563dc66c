/**
 * Partial sync planning (kube-proxy ≥ 1.28): from the ruleset last applied
 * and the one wanted now, the smallest iptables-restore --noflush payload
 * that turns one into the other. Pure.
 *
 * Per table the payload is: declarations (":CHAIN - [0:0]" creates a new
 * chain, or flushes one to rewrite or to delete it), then the rules of the
 * rewritten chains, then "-X" of the stale chains, then COMMIT. A table's
 * payload commits atomically, and inside it every chain exists before a
 * rule jumps to it, and a chain is deleted only once it is empty and no
 * rewritten chain jumps to it any more, so each committed state is
 * consistent. filter and nat never jump into each other.
 */
import { isProxyChain } from './chain-names.ts';
import { TABLES, type Ruleset, type TableName } from './ruleset.ts';

/** What one sync writes. */
export interface SyncPlan {
  /** The iptables-restore --noflush payload; '' when nothing needs writing. */
  payload: string;
  /** "table/CHAIN" of every chain declared and (re)written. */
  written: string[];
  /** "table/CHAIN" of every chain deleted. */
  deleted: string[];
  /** Rule lines written (the payload minus declarations and deletions). */
  rules: number;
}

/** skiff chains seen in the kernel (from iptables-save), per table. */
export type PresentChains = Partial<Record<TableName, Iterable<string>>>;

/**
 * The plan from `prev` (the ruleset applied by the last successful sync,
 * or undefined for a full sync: at start, after a failed restore, or when
 * a canary chain is gone) to `next`. A full sync writes every chain. Chains
 * to delete: those of `prev` that `next` lacks, plus those of `present`
 * with skiff's prefix that `next` lacks (left by an earlier run).
 */
export function planSync(next: Ruleset, prev?: Ruleset, present?: PresentChains): SyncPlan {
  const plan: SyncPlan = { payload: '', written: [], deleted: [], rules: 0 };
  const out: string[] = [];
  for (const table of TABLES) {
    const want = next[table];
    const had = prev?.[table];
    const write: string[] = [];
    for (const [c, lines] of want) if (!had || !sameRules(had.get(c), lines)) write.push(c);
    const stale = new Set<string>();
    if (had && had.size + write.length !== want.size) {
      for (const c of had.keys()) if (!want.has(c)) stale.add(c);
    }
    for (const c of present?.[table] ?? []) {
      if (isProxyChain(c) && !want.has(c)) stale.add(c);
    }
    const remove = [...stale].sort();
    if (write.length === 0 && remove.length === 0) continue;
    out.push(`*${table}`);
    for (const c of [...write, ...remove]) out.push(`:${c} - [0:0]`);
    for (const c of write) {
      const lines = want.get(c) ?? [];
      out.push(...lines);
      plan.rules += lines.length;
    }
    for (const c of remove) out.push(`-X ${c}`);
    out.push('COMMIT');
    plan.written.push(...write.map((c) => `${table}/${c}`));
    plan.deleted.push(...remove.map((c) => `${table}/${c}`));
  }
  plan.payload = out.length > 0 ? out.join('\n') + '\n' : '';
  return plan;
}

function sameRules(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return a !== undefined;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
