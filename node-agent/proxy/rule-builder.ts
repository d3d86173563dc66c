/**
 * Accumulates a Ruleset chain by chain: chains keep the order in which they
 * were first named, rules the order in which they were added.
 */
import type { Chains, Ruleset, TableName } from './ruleset.ts';

/** Builds one Ruleset; see render-rules.ts for the order it is fed in. */
export class RuleBuilder {
  readonly #tables: Record<TableName, Map<string, string[]>> = {
    filter: new Map(),
    nat: new Map(),
  };

  /** Declares `chain` in `table` (no-op if already declared). */
  chain(table: TableName, chain: string): void {
    if (!this.#tables[table].has(chain)) this.#tables[table].set(chain, []);
  }

  /** Appends "-A chain <parts...>" to `table`, declaring the chain if needed. */
  add(table: TableName, chain: string, ...parts: (string | readonly string[])[]): void {
    let rules = this.#tables[table].get(chain);
    if (!rules) this.#tables[table].set(chain, (rules = []));
    // The same as ['-A', chain, ...parts.flat()].join(' '), without the intermediate arrays.
    const words: string[] = ['-A', chain];
    for (const p of parts) {
      if (typeof p === 'string') words.push(p);
      else for (const w of p) words.push(w);
    }
    rules.push(words.join(' '));
  }

  /** The rules built so far. */
  build(): Ruleset {
    const freeze = (m: Map<string, string[]>): Chains => new Map(m);
    return { filter: freeze(this.#tables.filter), nat: freeze(this.#tables.nat) };
  }
}

/**
 * An xt_comment match. Quoted only when it holds spaces, as kube-proxy and
 * iptables-save write it; callers pass only API names (no quotes, no newlines).
 */
export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', /\s/.test(text) ? `"${text}"` : text];
}
