/**
 * `skiff store-info`: opens the cluster store exactly as the server does and
 * prints its backend, revisions and key count. A corrupt database file, or
 * one a running server owns, ends with a clear message and exit code 1,
 * never with a new empty store.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError, type Command } from '../api/command.ts';
import { openStore, type StoreConfig } from '../store/index.ts';

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
    store: {
      type: 'string',
      placeholder: 'sqlite|etcd',
      description: 'Store backend',
      default: 'sqlite',
    },
    'etcd-endpoints': {
      type: 'string',
      placeholder: 'URLS',
      description: 'Comma-separated etcd client URLs (etcd backend)',
    },
    'etcd-prefix': {
      type: 'string',
      placeholder: 'PREFIX',
      description: 'Key prefix inside etcd',
      default: '/skiff',
    },
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

/** Builds a StoreConfig from the flags shared by `server` and `store-info`. */
export function storeConfigFromFlags(values: Record<string, unknown>): StoreConfig {
  const backend = values.store ?? 'sqlite';
  if (backend === 'etcd') {
    const endpoints = String(values['etcd-endpoints'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (endpoints.length === 0) {
      throw new UsageError('--store etcd needs --etcd-endpoints, e.g. http://127.0.0.1:2379');
    }
    return { backend: 'etcd', endpoints, prefix: String(values['etcd-prefix'] ?? '/skiff') };
  }
  if (backend !== 'sqlite') {
    throw new UsageError(`--store must be sqlite or etcd, got "${String(backend)}"`);
  }
  const dir = values['data-dir'];
  if (typeof dir !== 'string' || dir === '') {
    throw new UsageError('--data-dir is required with the sqlite store');
  }
  return { backend: 'sqlite', path: join(dir, 'state.db') };
}

function assertStoreFileExists(path: string): void {
  if (existsSync(path)) return;
  const dir = dirname(path);
  throw new Error(
    existsSync(dir)
      ? `no store at ${path} (the file does not exist); check --data-dir, or start 'skiff server' there to create one`
      : `the data directory ${dir} does not exist; check --data-dir`,
  );
}
