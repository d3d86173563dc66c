/**
 * `skiff store-info`: opens the cluster store exactly as the server does and
 * prints its backend, revisions and key count. A corrupt database file, or
 * one a running server owns, ends with a clear message and exit code 1,
 * never with a new empty store.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from '../api/command.ts';
import { openStore } from '../store/index.ts';
import { STORE_FLAGS, storeConfigFromFlags } from './store-flags.ts';

export const command: Command = {
  name: 'store-info',
  summary: 'Open a cluster store and print its revision and size (checks it is healthy)',
  description: `
Opens the cluster store the way 'skiff server' does and prints its backend,
current and compacted revision and the number of keys. Use it to check a data
directory before starting a server on it, or to inspect an etcd cluster.`,
  options: {
    'data-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'Server data directory holding state.db (sqlite backend)',
    },
    ...STORE_FLAGS,
  },
  examples: [
    'skiff store-info --data-dir /var/lib/skiff/server',
    'skiff store-info --store etcd --etcd-endpoints http://127.0.0.1:2379',
  ],
  async run(values) {
    const cfg = storeConfigFromFlags(values);
    // Inspecting must never create a store: opening a missing file would.
    if (cfg.backend === 'sqlite') assertStoreFileExists(cfg.path);
    const store = await openStore(cfg);
    try {
      const revision = await store.currentRevision();
      const compacted = await store.compactedRevision();
      let keys = 0;
      let page: string | undefined;
      do {
        const res = await store.list('/', {
          limit: 1000,
          revision,
          ...(page ? { continue: page } : {}),
        });
        keys += res.items.length;
        page = res.continue;
      } while (page);
      process.stdout.write(
        `backend:            ${store.backend}\nrevision:           ${revision}\ncompacted revision: ${compacted}\nkeys:               ${keys}\n`,
      );
    } finally {
      await store.close();
    }
  },
};

function assertStoreFileExists(path: string): void {
  if (existsSync(path)) return;
  const dir = dirname(path);
  throw new Error(
    existsSync(dir)
      ? `no store at ${path} (the file does not exist); check --data-dir, or start 'skiff server' there to create one`
      : `the data directory ${dir} does not exist; check --data-dir`,
  );
}
