/**
 * `skiff down`: removes the local cluster `skiff up` made (see
 * deploy/local-cluster/down.ts). Exit 0 when nothing of it is left (also
 * when there was nothing), 1 listing what is left otherwise.
 */
import { resolve } from 'node:path';
import type { Command } from '../api/command.ts';
import { downLocalCluster, summarizeParts } from '../../deploy/local-cluster/down.ts';
import { DEFAULT_PREFIX } from '../../deploy/local-cluster/names.ts';
import { DEFAULT_DATA_DIR } from '../../deploy/local-cluster/next-steps.ts';

export const command: Command = {
  name: 'down',
  summary: "Remove the local cluster 'skiff up' created, and nothing else",
  description: `
Stops the agents, the control plane, the registry and every node's dockerd
with its containers, then removes the node namespaces, the bridge, the
FORWARD fence chain, the cgroups and the data dir. Everything is found by
the prefix and by pidfiles in the data dir, so a half-made cluster (an
interrupted 'skiff up') is removed too. Checks afterwards that nothing is
left; running it again finds nothing to remove.`,
  options: {
    'data-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'The data dir given to skiff up',
      default: DEFAULT_DATA_DIR,
    },
    prefix: {
      type: 'string',
      placeholder: 'P',
      description: 'The prefix given to skiff up',
      default: DEFAULT_PREFIX,
    },
  },
  examples: ['sudo npx skiff down', 'skiff down --prefix demo --data-dir /tmp/demo'],
  async run(values) {
    const prefix = String(values.prefix ?? DEFAULT_PREFIX);
    const dataDir = resolve(String(values['data-dir'] ?? DEFAULT_DATA_DIR));
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const res = await downLocalCluster({ prefix, dataDir });
    if (res.removed.length === 0 && res.leftovers.length === 0) {
      out(`Nothing to remove: no local cluster "${prefix}" (data dir ${dataDir}).`);
      return 0;
    }
    if (res.removed.length > 0) out(`Removed local cluster "${prefix}":`);
    for (const r of summarizeParts(res.removed, dataDir, 100)) out(`  ${r}`);
    if (res.leftovers.length === 0) return 0;
    process.stderr.write(
      `skiff down: these are still there:\n${summarizeParts(res.leftovers, dataDir, 100)
        .map((l) => `  ${l}`)
        .join(
          '\n',
        )}\n${res.problem ? `because: ${res.problem}\n` : ''}Run skiff down again; if they stay, remove them by hand.\n`,
    );
    return 1;
  },
};
