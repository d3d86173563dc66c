/**
 * The flags that choose a cluster store, shared by every command that opens
 * one (`server`, `store-info`), and their translation into a StoreConfig.
 */
import { join } from 'node:path';
import { UsageError, type CommandOption } from '../api/command.ts';
import type { StoreConfig } from '../store/index.ts';

export const STORE_FLAGS: Record<string, CommandOption> = {
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
