/**
 * A sync in bounded transactions. On the nf_tables backend the cost of one
 * iptables-restore grows much faster than its size (10,000 services in one
 * restore: ~160 s; the same as ten restores of 1,000: ~6.5 s), so a large
 * plan (a first sync, a full resync) is cut into steps. Pure.
 *
 * Steps, each one committed state consistent (no rule jumps to a chain
 * that does not exist):
 *   1. the top-level chains the per-service chains jump to (SKIFF-MARK-MASQ),
 *      when they need writing;
 *   2. the per-service chains (SVC, EXT, SEP) in batches of whole services,
 *      each at most `maxRules` rule lines (or one service if larger): nothing jumps to a new chain yet,
 *      and a rewritten one only jumps to chains of its own service;
 *   3. one last planSync: the top-level dispatch chains, which now find
 *      every target, and the deletion of stale chains.
 * The final state is the one a single planSync(next, prev, present) gives.
 */
import { planSync, type PresentChains, type SyncPlan } from './plan-sync.ts';
import { TABLES, type Chains, type Ruleset, type TableName } from './ruleset.ts';

/** Rule lines per step by default: about 1,000 services with 3 endpoints. */
export const DEFAULT_STEP_RULES = 10_000;

const PER_SERVICE = /^SKIFF-(SVC|EXT|SEP)-/;
const JUMP = / -j (SKIFF-\S+)/;

/**
 * The plans that, applied in order, take the kernel from `prev` (undefined:
 * unknown, write everything) to `next`; [] when nothing needs writing.
 * One plan when the whole sync writes at most `maxRules` rule lines.
 */
export function planSteps(
  next: Ruleset,
  prev?: Ruleset,
  present?: PresentChains,
  maxRules = DEFAULT_STEP_RULES,
): SyncPlan[] {
  const whole = planSync(next, prev, present);
  if (whole.payload === '') return [];
  if (whole.rules <= maxRules) return [whole];
  const mid = copy(prev);
  const steps: SyncPlan[] = [];
  const apply = (table: TableName, chains: readonly string[]): void => {
    if (chains.length === 0) return;
    const before = freeze(mid);
    for (const c of chains) mid[table].set(c, next[table].get(c) ?? []);
    steps.push(planSync(freeze(mid), before));
  };
  for (const table of TABLES) {
    const want = next[table];
    const write = [...want.keys()].filter((c) => !same(mid[table].get(c), want.get(c)));
    const perService = write.filter((c) => PER_SERVICE.test(c));
    apply(table, leafTargets(want, perService, write));
    for (const batch of batches(want, perService, maxRules)) apply(table, batch);
  }
  const last = planSync(next, freeze(mid), present);
  if (last.payload !== '') steps.push(last);
  return steps;
}

// Top-level chains to write that per-service chains jump to, and that jump to none of those.
function leafTargets(want: Chains, perService: string[], write: string[]): string[] {
  const targets = new Set<string>();
  for (const c of perService) {
    for (const line of want.get(c) ?? []) {
      const t = JUMP.exec(line)?.[1];
      if (t && !PER_SERVICE.test(t)) targets.add(t);
    }
  }
  return write.filter(
    (c) =>
      targets.has(c) && !(want.get(c) ?? []).some((l) => PER_SERVICE.test(JUMP.exec(l)?.[1] ?? '')),
  );
}

// Per-service chains cut into batches of whole services (a service's chains start at its SVC chain).
function batches(want: Chains, chains: string[], maxRules: number): string[][] {
  const out: string[][] = [];
  let batch: string[] = [];
  let rules = 0;
  let group = -1;
  const groupOf = new Map<string, number>();
  for (const c of want.keys()) {
    if (c.startsWith('SKIFF-SVC-')) group++;
    groupOf.set(c, group);
  }
  const groupRules = new Map<number, number>();
  for (const c of chains) {
    const g = groupOf.get(c) ?? -1;
    groupRules.set(g, (groupRules.get(g) ?? 0) + (want.get(c)?.length ?? 0));
  }
  let last = -2;
  for (const c of chains) {
    const g = groupOf.get(c) ?? -1;
    if (g !== last && batch.length > 0 && rules + (groupRules.get(g) ?? 0) > maxRules) {
      out.push(batch);
      batch = [];
      rules = 0;
    }
    batch.push(c);
    rules += want.get(c)?.length ?? 0;
    last = g;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

function copy(r: Ruleset | undefined): Record<TableName, Map<string, readonly string[]>> {
  return { filter: new Map(r?.filter), nat: new Map(r?.nat) };
}

function freeze(m: Record<TableName, Map<string, readonly string[]>>): Ruleset {
  return { filter: new Map(m.filter), nat: new Map(m.nat) };
}

function same(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((line, i) => line === b[i]);
}
