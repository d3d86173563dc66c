/**
 * Opening a cluster store from configuration. The API server calls
 * `openStore` once at start; every backend passes the same contract suite
 * (test/control-plane/store/contract.ts).
 */
import type { Logger } from '../api/log.ts';
import type { Store } from './store.ts';

export type { Store, KeyValue, ListOptions, ListResult, Watch, WatchEvent } from './store.ts';
export { StoreError, isStoreError } from './errors.ts';

/** The embedded default: one SQLite file in the server's data directory. */
export interface SqliteStoreConfig {
  backend: 'sqlite';
  /** The database file; its directory must exist. */
  path: string;
  /**
   * SQLite's `synchronous` setting. FULL (the default) fsyncs the WAL on
   * every commit, so an acknowledged write survives power loss; NORMAL may
   * lose the last commits on power loss (never on a process crash).
   */
  synchronous?: 'FULL' | 'NORMAL';
  compaction?: {
    /** How often the compactor runs; 0 turns it off. Default 60 s. */
    intervalMs?: number;
    /** Revisions always kept behind the newest. Default 1,000. */
    retainRevisions?: number;
    /** History younger than this is kept. Default 5 minutes. */
    retainMs?: number;
  };
  /** Events a watcher may fall behind before it is ended. Default 10,000. */
  maxWatchLag?: number;
  logger?: Logger;
}

/** A real etcd v3 cluster, for more than one control-plane replica. */
export interface EtcdStoreConfig {
  backend: 'etcd';
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
  /** Every key is stored under this prefix (default "/skiff"). */
  prefix?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  maxWatchLag?: number;
  logger?: Logger;
}

export type StoreConfig = SqliteStoreConfig | EtcdStoreConfig;

export async function openStore(cfg: StoreConfig): Promise<Store> {
  switch (cfg.backend) {
    case 'sqlite':
      return (await import('./sqlite/sqlite-store.ts')).openSqliteStore(cfg);
    case 'etcd':
      return (await import('./etcd/etcd-store.ts')).openEtcdStore(cfg);
  }
}
