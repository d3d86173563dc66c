/**
 * Brings the kernel's skiff chains to a desired ruleset and remembers what
 * it applied: the iptables half of a proxy sync, without informers or
 * timers (the proxier drives it; the benchmark drives it directly).
 *
 * While it knows the kernel holds its last ruleset, a sync writes only the
 * chains that changed. When it does not (at start, after a failed restore,
 * after invalidate(): a canary gone, a count check failed, the periodic
 * full check), it reads the tables back (iptables-save), keeps every chain
 * that is already right and rewrites only the rest, deleting stale skiff
 * chains, and inserts the jumps from the builtin chains that are missing
 * (in the same restores). A restart with nothing changed therefore runs
 * one iptables-save and writes nothing.
 */
import { BUILTIN_JUMPS, withJumps, type JumpRule } from './builtin-jumps.ts';
import type { IptablesRunner } from './iptables.ts';
import { canonicalRule, kernelView, rulesetCounts, savedCounts } from './kernel-view.ts';
import type { PresentChains } from './plan-sync.ts';
import { DEFAULT_STEP_RULES, planSteps } from './plan-steps.ts';
import { TABLES, type Ruleset } from './ruleset.ts';
import { parseSaveTables, type SavedTables } from './saved-rules.ts';

/** What one sync did. */
export interface SyncResult {
  /** Rule lines written. */
  rules: number;
  /** "table/CHAIN" of the chains written and deleted. */
  written: string[];
  deleted: string[];
  /** iptables-restore runs. */
  restores: number;
  /** True when the kernel was read back and compared (not only the last applied ruleset). */
  verified: boolean;
  /** Builtin jumps that were missing and inserted. */
  jumpsInserted: number;
}

/** See the module comment. */
export class RuleSyncer {
  readonly #ipt: IptablesRunner;
  readonly #stepRules: number;
  #applied: Ruleset | undefined;
  /** iptables-restore runs since construction, failed ones included. */
  restores = 0;

  /**
   * `stepRules`: rule lines per iptables-restore in a large sync (see
   * plan-steps.ts). Default: DEFAULT_STEP_RULES on nft; unbounded on
   * legacy, whose every restore rewrites the whole table (steps would
   * multiply the cost there).
   */
  constructor(o: { iptables: IptablesRunner; stepRules?: number }) {
    this.#ipt = o.iptables;
    this.#stepRules =
      o.stepRules ?? (o.iptables.backend === 'legacy' ? Infinity : DEFAULT_STEP_RULES);
  }

  /** The ruleset the kernel is known to hold, or undefined when it must be read back. */
  get applied(): Ruleset | undefined {
    return this.#applied;
  }

  /** Forgets what was applied: the next sync reads the kernel back and repairs what differs. */
  invalidate(): void {
    this.#applied = undefined;
  }

  /**
   * Makes the kernel hold `next`. Throws the IptablesError of a failed
   * iptables command, after which the state is invalidated (each restore
   * commits whole tables, but earlier steps of a large sync may have).
   */
  async sync(next: Ruleset): Promise<SyncResult> {
    let base = this.#applied;
    let present: PresentChains | undefined;
    let jumps: JumpRule[] = [];
    const verified = base === undefined;
    this.#applied = undefined;
    if (!base) {
      // One read of every table: on nft, iptables-save -t TABLE reads the whole ruleset anyway.
      const saved = parseSaveTables(await this.#ipt.save());
      const view = kernelView(next, saved);
      base = view.base;
      present = view.present;
      jumps = missingJumps(saved);
    }
    const steps = planSteps(next, base, present, this.#stepRules);
    // The missing jumps go into the last restore, once every chain they lead to is complete:
    // no command per jump (each rewrites the whole table on legacy), and on nft nothing is
    // reachable from the builtin chains (so validated by the kernel at each commit) while a
    // first sync builds up.
    const payloads = steps.map((s) => s.payload);
    if (jumps.length > 0) payloads.push(withJumps(payloads.pop() ?? '', jumps));
    const result: SyncResult = {
      rules: 0,
      written: [],
      deleted: [],
      restores: 0,
      verified,
      jumpsInserted: 0,
    };
    for (const [i, payload] of payloads.entries()) {
      this.restores++;
      result.restores++;
      await this.#ipt.restore(payload, { noflush: true });
      const step = steps[i];
      if (!step) continue;
      result.rules += step.rules;
      result.written.push(...step.written);
      result.deleted.push(...step.deleted);
    }
    result.jumpsInserted = jumps.length;
    this.#applied = next;
    return result;
  }

  /**
   * A cheap check that the kernel still holds what was applied: the same
   * skiff chains with the same number of rules each, and every builtin
   * jump (catches a flushed or deleted chain or jump, not an edited rule;
   * verify() catches those). True when nothing was applied yet, or when a
   * sync ran meanwhile (nothing to conclude). Throws IptablesError.
   */
  async countsMatch(): Promise<boolean> {
    const applied = this.#applied;
    if (!applied) return true;
    const saved = parseSaveTables(await this.#ipt.save());
    if (this.#applied !== applied) return true;
    const have = savedCounts(saved);
    const want = rulesetCounts(applied);
    if (have.size !== want.size || missingJumps(saved).length > 0) return false;
    for (const [chain, n] of want) if (have.get(chain) !== n) return false;
    return true;
  }

  /**
   * The full check: reads the kernel back and compares every skiff chain,
   * rule by rule, and the builtin jumps with what was applied. True when
   * they match, nothing was applied yet, or a sync ran meanwhile. It
   * writes nothing: on false, invalidate() and sync() repair what differs.
   * Throws IptablesError.
   */
  async verify(): Promise<boolean> {
    const applied = this.#applied;
    if (!applied) return true;
    const saved = parseSaveTables(await this.#ipt.save());
    if (this.#applied !== applied) return true;
    const view = kernelView(applied, saved);
    const stale = TABLES.some((t) => [...(view.present[t] ?? [])].some((c) => !applied[t].has(c)));
    return view.differing.length === 0 && !stale && missingJumps(saved).length === 0;
  }
}

/** The builtin jumps absent from `saved` (iptables-save output of every table, parsed). */
function missingJumps(saved: SavedTables): JumpRule[] {
  return BUILTIN_JUMPS.filter((j) => {
    const rules = saved.get(j.table)?.get(j.chain) ?? [];
    const want = canonicalRule(['-A', j.chain, ...j.spec].join(' '));
    return !rules.some((r) => canonicalRule(r) === want);
  });
}
