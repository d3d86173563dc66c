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
 * chains; then it ensures the jumps from the builtin chains. A restart
 * with nothing changed therefore writes nothing.
 */
import { BUILTIN_JUMPS, type JumpRule } from './builtin-jumps.ts';
import type { IptablesRunner } from './iptables.ts';
import { canonicalRule, kernelView, rulesetCounts, savedCounts } from './kernel-view.ts';
import type { PresentChains } from './plan-sync.ts';
import { DEFAULT_STEP_RULES, planSteps } from './plan-steps.ts';
import { TABLES, type Ruleset, type TableName } from './ruleset.ts';
import { parseSave } from './saved-rules.ts';

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
    const verified = base === undefined;
    this.#applied = undefined;
    const result: SyncResult = {
      rules: 0,
      written: [],
      deleted: [],
      restores: 0,
      verified,
      jumpsInserted: 0,
    };
    if (!base) {
      const saved = await this.#saveAll();
      const view = kernelView(next, saved);
      base = view.base;
      present = view.present;
      // Jumps first, while their (possibly new, empty) target chains cost nothing to create:
      // on legacy every iptables command rewrites the whole table, so never after a big restore.
      const missing = missingJumps(saved);
      const create = missingTargets(missing, view.present);
      if (create) {
        this.restores++;
        result.restores++;
        await this.#ipt.restore(create, { noflush: true });
      }
      for (const jump of missing) if (await this.#ipt.ensureJump(jump)) result.jumpsInserted++;
    }
    const steps = planSteps(next, base, present, this.#stepRules);
    for (const step of steps) {
      this.restores++;
      result.restores++;
      await this.#ipt.restore(step.payload, { noflush: true });
      result.rules += step.rules;
      result.written.push(...step.written);
      result.deleted.push(...step.deleted);
    }
    if (verified) {
      for (const jump of BUILTIN_JUMPS)
        if (await this.#ipt.ensureJump(jump)) result.jumpsInserted++;
    }
    this.#applied = next;
    return result;
  }

  /**
   * A cheap check that the kernel still holds what was applied: the same
   * skiff chains with the same number of rules each (catches a flushed or
   * deleted chain, not an edited rule; the periodic full check catches
   * those). True when nothing was applied yet. Throws IptablesError.
   */
  async countsMatch(): Promise<boolean> {
    const applied = this.#applied;
    if (!applied) return true;
    const have = savedCounts(await this.#saveAll());
    if (this.#applied !== applied) return true; // a sync ran meanwhile: nothing to conclude
    const want = rulesetCounts(applied);
    if (have.size !== want.size) return false;
    for (const [chain, n] of want) if (have.get(chain) !== n) return false;
    return true;
  }

  async #saveAll(): Promise<Record<TableName, string>> {
    return { filter: await this.#ipt.save('filter'), nat: await this.#ipt.save('nat') };
  }
}

/** The builtin jumps absent from `saved` (iptables-save output per table). */
function missingJumps(saved: Readonly<Record<TableName, string>>): JumpRule[] {
  return BUILTIN_JUMPS.filter((j) => {
    const rules = parseSave(saved[j.table], j.table).get(j.chain) ?? [];
    const want = canonicalRule(['-A', j.chain, ...j.spec].join(' '));
    return !rules.some((r) => canonicalRule(r) === want);
  });
}

/** A payload creating (empty) the target chains of `jumps` that do not exist yet, or ''. */
function missingTargets(jumps: JumpRule[], present: PresentChains): string {
  const out: string[] = [];
  for (const table of TABLES) {
    const have = new Set(present[table] ?? []);
    const targets = new Set(
      jumps.filter((j) => j.table === table).map((j) => j.spec[j.spec.length - 1] ?? ''),
    );
    const create = [...targets].filter((c) => c !== '' && !have.has(c));
    if (create.length > 0) out.push(`*${table}`, ...create.map((c) => `:${c} - [0:0]`), 'COMMIT');
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}
