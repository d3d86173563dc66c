/**
 * Reading skiff's chains back from the kernel in the form the renderer
 * writes them, so a restarted proxy (or a periodic check) can tell which
 * chains are already right and rewrite only the others. Pure.
 *
 * iptables-save prints rules in its own canonical form, not as written:
 * options reordered ("-d 10.96.0.11/32 -p tcp ... -m tcp --dport 80"),
 * bare addresses with "/32", every comment quoted, probabilities as the
 * kernel stores them (0.33333333349), defaults spelled out ("--mask
 * 255.255.255.255 --rsource" of xt_recent) and MARK's --or-mark/--xor-mark
 * as --set-xmark. canonicalRule() maps both forms to one key.
 */
import { isProxyChain } from './chain-names.ts';
import { ruleKey } from './rule-key.ts';
import type { PresentChains } from './plan-sync.ts';
import { TABLES, type Ruleset, type TableName } from './ruleset.ts';
import { parseSave, parseSaveTables, type SavedChains, type SavedTables } from './saved-rules.ts';

/** What the kernel holds of skiff's chains, relative to a desired ruleset. */
export interface KernelView {
  /**
   * The kernel's skiff chains as a "last applied" ruleset for planSync:
   * a chain whose rules match the desired one carries the desired lines
   * (so it is not rewritten), any other its lines as saved.
   */
  base: Ruleset;
  /** Every skiff chain present, per table (stale ones are deleted by the plan). */
  present: PresentChains;
  /** "table/CHAIN" of desired chains that are missing or differ. */
  differing: string[];
}

/** iptables-save output: of all tables at once, per table (-t), or already parsed. */
export type SavedText = string | Readonly<Record<TableName, string>> | SavedTables;

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * A key equal for a rule as rendered and the same rule as iptables-save
 * prints it (nft and legacy backends of iptables 1.8): its tokens,
 * normalised and sorted. Rules that differ in any value (address, port,
 * target, comment, timeout) get different keys.
 */
export function canonicalRule(line: string): string {
  const raw = (line.includes('"') ? line.replaceAll('"', '') : line).split(' ');
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i] ?? '';
    if (t === '' || t === '--rsource') continue;
    const c = t.charCodeAt(0);
    if (c === 45 /* "-": an option, maybe with a value to normalise */) {
      const next = raw[i + 1] ?? '';
      if (t === '--mask' && next === '255.255.255.255') {
        i++;
      } else if (t === '--probability') {
        out.push(t, Number(next).toFixed(6));
        i++;
      } else if (t === '--or-mark') {
        out.push('--set-xmark', `${next}/${next}`);
        i++;
      } else if (t === '--xor-mark') {
        out.push('--set-xmark', `${next}/0x0`);
        i++;
      } else out.push(t);
    } else out.push(c >= 48 && c <= 57 && IPV4.test(t) ? `${t}/32` : t);
  }
  return out.sort().join(' ');
}

/** True when two chains hold the same rules in the same order, up to canonical form. */
export function sameChain(rendered: readonly string[], saved: readonly string[]): boolean {
  if (rendered.length !== saved.length) return false;
  for (let i = 0; i < rendered.length; i++) {
    const line = rendered[i] ?? '';
    const have = saved[i] ?? '';
    if (line !== have && ruleKey(line) !== ruleKey(have)) return false;
  }
  return true;
}

/**
 * The kernel's skiff chains (from `saved`: iptables-save output)
 * compared with `desired`.
 */
export function kernelView(desired: Ruleset, saved: SavedText): KernelView {
  const base: Record<TableName, Map<string, readonly string[]>> = {
    filter: new Map(),
    nat: new Map(),
  };
  const present: Record<TableName, string[]> = { filter: [], nat: [] };
  const differing: string[] = [];
  const parsed = parseSaved(saved);
  for (const table of TABLES) {
    for (const [chain, rules] of parsed[table]) {
      if (!isProxyChain(chain)) continue;
      present[table].push(chain);
      const want = desired[table].get(chain);
      base[table].set(chain, want && sameChain(want, rules) ? want : rules);
    }
    for (const [chain, lines] of desired[table]) {
      if (base[table].get(chain) !== lines) differing.push(`${table}/${chain}`);
    }
  }
  return { base, present, differing };
}

/** Rule count per skiff chain ("table/CHAIN") in iptables-save output: a cheap check. */
export function savedCounts(saved: SavedText): Map<string, number> {
  const out = new Map<string, number>();
  const parsed = parseSaved(saved);
  for (const table of TABLES) {
    for (const [chain, rules] of parsed[table]) {
      if (isProxyChain(chain)) out.set(`${table}/${chain}`, rules.length);
    }
  }
  return out;
}

/** Rule count per chain ("table/CHAIN") of a ruleset, to compare with savedCounts(). */
export function rulesetCounts(rules: Ruleset): Map<string, number> {
  const out = new Map<string, number>();
  for (const table of TABLES) {
    for (const [chain, lines] of rules[table]) out.set(`${table}/${chain}`, lines.length);
  }
  return out;
}

function parseSaved(saved: SavedText): Record<TableName, SavedChains> {
  if (saved instanceof Map) {
    return { filter: saved.get('filter') ?? new Map(), nat: saved.get('nat') ?? new Map() };
  }
  if (typeof saved !== 'string') {
    return { filter: parseSave(saved.filter, 'filter'), nat: parseSave(saved.nat, 'nat') };
  }
  const tables = parseSaveTables(saved);
  return { filter: tables.get('filter') ?? new Map(), nat: tables.get('nat') ?? new Map() };
}
