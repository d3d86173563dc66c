/**
 * Reading iptables-save output back: the chains of one table and their
 * rule lines, as the kernel holds them (iptables-save prints rules in its
 * own canonical form, e.g. "-d 10.96.0.1/32 -p tcp", not as they were
 * written). Pure.
 */

/** Chain name → rule lines ("-A CHAIN ..."), builtin chains included, in save order. */
export type SavedChains = Map<string, string[]>;

/**
 * The chains of `table` in `saveText` (the output of iptables-save, whole
 * or -t table). Empty when the table is absent.
 */
export function parseSave(saveText: string, table: string): SavedChains {
  const chains: SavedChains = new Map();
  let inTable = false;
  for (const line of saveText.split('\n')) {
    if (line.startsWith('*')) inTable = line.slice(1).trim() === table;
    else if (!inTable) continue;
    else if (line.startsWith(':')) chains.set(line.slice(1).split(' ')[0] ?? '', []);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1] ?? '';
      const rules = chains.get(chain) ?? [];
      rules.push(line);
      chains.set(chain, rules);
    } else if (line === 'COMMIT') inTable = false;
  }
  return chains;
}
