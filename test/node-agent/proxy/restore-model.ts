/**
 * A model of iptables-restore --noflush for the planner's tests: applies a
 * payload to an in-memory table state with the checks the kernel makes
 * (a rule's chain and jump target exist; -X only of an existing, empty,
 * unreferenced chain), committing each table only if all its lines pass.
 */
import type { TableName } from '../../../node-agent/proxy/ruleset.ts';

export type ModelState = Record<TableName, Map<string, string[]>>;

const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'MARK', 'MASQUERADE']);

export function emptyState(): ModelState {
  return { filter: new Map(), nat: new Map() };
}

/** Applies `payload` to `state` in place; throws on the first invalid line (its table unchanged). */
export function applyPayload(state: ModelState, payload: string): void {
  let table: TableName | undefined;
  let work: Map<string, string[]> | undefined;
  for (const line of payload.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('*')) {
      table = line.slice(1) as TableName;
      work = new Map([...state[table]].map(([k, v]) => [k, [...v]]));
    } else if (!table || !work) throw new Error(`line outside a table: ${line}`);
    else if (line === 'COMMIT') {
      state[table] = work;
      table = undefined;
    } else if (line.startsWith(':')) work.set(line.slice(1).split(' ')[0] ?? '', []);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1] ?? '';
      const target = / -j (\S+)/.exec(line)?.[1] ?? '';
      if (!work.has(chain)) throw new Error(`no chain ${chain}: ${line}`);
      if (!TARGETS.has(target) && !work.has(target))
        throw new Error(`no target ${target}: ${line}`);
      work.get(chain)?.push(line);
    } else if (line.startsWith('-X ')) {
      const chain = line.slice(3);
      if (!work.has(chain)) throw new Error(`-X of missing chain ${chain}`);
      if ((work.get(chain) ?? []).length > 0) throw new Error(`-X of non-empty chain ${chain}`);
      for (const rules of work.values()) {
        if (rules.some((r) => r.endsWith(` -j ${chain}`) || r.includes(` -j ${chain} `))) {
          throw new Error(`-X of referenced chain ${chain}`);
        }
      }
      work.delete(chain);
    } else throw new Error(`unexpected line ${line}`);
  }
  if (table) throw new Error(`table ${table} without COMMIT`);
}
