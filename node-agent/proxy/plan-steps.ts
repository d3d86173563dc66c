/**
 * A sync in bounded transactions. On the nf_tables backend the cost of one
 * iptables-restore grows much faster than its size (10,000 services in one
 * restore: ~160 s; the same as ten restores of 1,000: ~6.5 s; smaller
 * steps are cheaper still, see DEFAULT_STEP_RULES), so a large plan (a
 * first sync, a full resync) is cut into steps. Pure.
 *
 * Steps per table, each committed state consistent (no rule jumps to a
 * chain that does not exist, no rule to a chain still to be rewritten):
 *   1..k. one per batch of whole services, at most `maxRules` per-service
 *      rule lines each (or one service if larger):
 *      - in the first: the top-level chains the per-service chains jump to
 *        (SKIFF-MARK-MASQ) when they need writing, and, created empty, the
 *        top-level chains to write that the kernel lacks or holds empty
 *        ("growing" chains: on a first sync, all of them);
 *      - the batch's per-service chains (SVC, EXT, SEP);
 *      - appended to each growing chain: its next rules in order, as far as
 *        their jump targets are final. So the dispatch rules of a batch come
 *        with it, and SKIFF-SERVICES (10,000 rules at 10,000 services, ~2 s
 *        as one nft transaction) is never written whole on a first sync.
 *   last. planSync(next, state so far, present): the top-level chains that
 *      held other rules (rewritten whole, atomically) and the deletion of
 *      stale chains.
 * The final state is the one a single planSync(next, prev, present) gives.
 */
import { planSync, type PresentChains, type SyncPlan } from './plan-sync.ts';
import { TABLES, type Chains, type Ruleset, type TableName } from './ruleset.ts';

/**
 * Per-service rule lines per step by default: about 250 services with 3
 * endpoints. Measured for a first sync of 10,000 services on nft (iptables
 * 1.8.9, CPU of all restores): steps of 1,000 services ~1.6x the CPU of
 * steps of 250 (iptables-nft-restore's work per rule grows with the chains
 * declared in the same transaction), 500 ~1.15x; steps of 125 pay more
 * fixed cost per restore than they save.
 */
export const DEFAULT_STEP_RULES = 2_500;

const PER_SERVICE = /^SKIFF-(SVC|EXT|SEP)-/;
const JUMP = / -j (SKIFF-\S+)/;

type State = Record<TableName, Map<string, readonly string[]>>;

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
  const mid: State = { filter: new Map(prev?.filter), nat: new Map(prev?.nat) };
  const steps: SyncPlan[] = [];
  for (const table of TABLES) steps.push(...tableSteps(table, next[table], mid[table], maxRules));
  const last = planSync(next, { filter: mid.filter, nat: mid.nat }, present);
  if (last.payload !== '') steps.push(last);
  return steps;
}

// The steps of one table; updates `mid` (the table as the kernel holds it after them).
function tableSteps(
  table: TableName,
  want: Chains,
  mid: Map<string, readonly string[]>,
  maxRules: number,
): SyncPlan[] {
  const write = [...want.keys()].filter((c) => !same(mid.get(c), want.get(c)));
  const perService = write.filter((c) => PER_SERVICE.test(c));
  const leaves = leafTargets(want, perService, write);
  const growing = write.filter(
    (c) => !PER_SERVICE.test(c) && !leaves.includes(c) && (mid.get(c)?.length ?? 0) === 0,
  );
  if (perService.length === 0 && leaves.length === 0 && growing.length === 0) return [];
  const pending = new Set([...perService, ...leaves]);
  const done = new Map<string, number>(growing.map((c) => [c, 0]));
  const groups = batches(want, perService, maxRules);
  return (groups.length > 0 ? groups : [[]]).map((batch, i) => {
    const declare = i === 0 ? [...leaves, ...growing, ...batch] : batch;
    const rewrite = i === 0 ? [...leaves, ...batch] : batch;
    const out = [`*${table}`, ...declare.map((c) => `:${c} - [0:0]`)];
    const step: SyncPlan = { payload: '', written: [], deleted: [], rules: 0 };
    for (const c of declare) mid.set(c, []);
    for (const c of rewrite) {
      const lines = want.get(c) ?? [];
      out.push(...lines);
      step.rules += lines.length;
      mid.set(c, lines);
      pending.delete(c);
    }
    const written = new Set(declare);
    for (const c of growing) {
      const lines = want.get(c) ?? [];
      const from = done.get(c) ?? 0;
      let to = from;
      while (to < lines.length && ready(lines[to] ?? '', mid, pending)) to++;
      if (to === from) continue;
      out.push(...lines.slice(from, to));
      step.rules += to - from;
      done.set(c, to);
      mid.set(c, to === lines.length ? lines : lines.slice(0, to));
      written.add(c);
    }
    out.push('COMMIT');
    step.payload = out.join('\n') + '\n';
    step.written = [...written].map((c) => `${table}/${c}`);
    return step;
  });
}

// A rule can be committed once its jump target (if a skiff chain) exists and is final.
function ready(line: string, mid: Map<string, readonly string[]>, pending: Set<string>): boolean {
  const target = JUMP.exec(line)?.[1];
  return target === undefined || (mid.has(target) && !pending.has(target));
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

function same(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return a !== undefined;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
