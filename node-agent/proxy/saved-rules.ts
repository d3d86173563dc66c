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
  return parseSaveTables(saveText).get(table) ?? new Map();
}

/** Table name → its chains, as parseSaveTables() returns them. */
export type SavedTables = Map<string, SavedChains>;

/**
 * Every table in `saveText` (iptables-save output), in one pass: table
 * name → its chains. At 10,000 services the nat table is ~16 MB of text.
 */
export function parseSaveTables(saveText: string): SavedTables {
  const tables: SavedTables = new Map();
  let chains: SavedChains | undefined;
  // The current chain's rules: consecutive "-A" lines of one chain skip the map lookup.
  let lastChain = '';
  let lastRules: string[] = [];
  for (const line of saveText.split('\n')) {
    if (line.startsWith('-A ')) {
      if (!chains) continue;
      const end = line.indexOf(' ', 3);
      const chain = end < 0 ? line.slice(3) : line.slice(3, end);
      if (chain !== lastChain) {
        lastChain = chain;
        lastRules = chains.get(chain) ?? [];
        chains.set(chain, lastRules);
      }
      lastRules.push(line);
    } else if (line.startsWith(':')) {
      if (!chains) continue;
      const end = line.indexOf(' ');
      const chain = end < 0 ? line.slice(1) : line.slice(1, end);
      if (!chains.has(chain)) chains.set(chain, []);
      if (chain === lastChain) lastRules = chains.get(chain) ?? [];
    } else if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      chains = tables.get(name) ?? new Map();
      tables.set(name, chains);
      lastChain = '';
    } else if (line === 'COMMIT') {
      chains = undefined;
      lastChain = '';
    }
  }
  return tables;
}
