/**
 * The etcd v3 backend of the cluster store, for more than one control-plane
 * replica. Keys live under the configured prefix (etcd-keys.ts); revisions
 * are etcd's own, so they may skip numbers used by other keys in etcd.
 *
 * Writes are single etcd transactions, as in the Kubernetes API server
 * (etcd-txn.ts): create is If(createRevision == 0) Then(put) Else(get) →
 * AlreadyExists; update and delete compare modRevision → Conflict (with the
 * key's modRevision) or NotFound. Watches share one etcd watch per prefix
 * (watch-feed.ts). Compaction and the compacted revision: compaction.ts.
 *
 * A write whose answer is lost (the member died after committing it) may be
 * retried by the client and then report AlreadyExists or Conflict although
 * it was stored: the same ambiguity every etcd client has. A write that
 * reports success is always stored.
 *
 * @example
 *   const store = await openEtcdStore({ backend: 'etcd', endpoints: ['http://127.0.0.1:2379'] });
 *   const rev = await store.create('/registry/pods/default/web', '{"kind":"Pod"}');
 */
import type { Etcd3 } from 'etcd3';
import { rootLogger, type Logger } from '../../api/log.ts';
import { StoreError } from '../errors.ts';
import type { EtcdStoreConfig } from '../index.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch } from '../store.ts';
import {
  decodeContinue,
  encodeContinue,
  validateKey,
  validatePrefix,
  validateRevision,
  validateValue,
} from '../validate.ts';
import { DEFAULT_MAX_LAG } from '../watch-hub.ts';
import { Compaction } from './compaction.ts';
import { createEtcdClient, validateEndpoints } from './etcd-client.ts';
import { isCompactedError, isFutureRevisionError, mapEtcdError } from './etcd-errors.ts';
import { KeySpace, normalizeRoot } from './etcd-keys.ts';
import { casFailure, createTxn, deleteTxn, updateTxn } from './etcd-txn.ts';
import { WatchFeed } from './watch-feed.ts';

/**
 * Connects to etcd and returns the store. Fails 'Invalid' on a bad
 * configuration and 'Unavailable' (naming the endpoints) when no endpoint
 * answers, so a server with a wrong --etcd-endpoints stops at start.
 */
export async function openEtcdStore(cfg: EtcdStoreConfig): Promise<Store> {
  const endpoints = validateEndpoints(cfg.endpoints);
  const keys = new KeySpace(normalizeRoot(cfg.prefix));
  const client = createEtcdClient(cfg, endpoints);
  const log = (cfg.logger ?? rootLogger).child({ component: 'etcd-store' });
  const store = new EtcdStore(client, keys, endpoints, cfg.maxWatchLag ?? DEFAULT_MAX_LAG, log);
  try {
    const revision = await store.currentRevision();
    log.info('Opened etcd store', { endpoints, prefix: keys.root, revision });
  } catch (err) {
    client.close();
    throw err;
  }
  return store;
}

export class EtcdStore implements Store {
  readonly backend = 'etcd';
  private readonly client: Etcd3;
  private readonly keys: KeySpace;
  private readonly endpoints: readonly string[];
  private readonly maxLag: number;
  private readonly log: Logger;
  private readonly compaction: Compaction;
  private readonly feeds = new Map<string, WatchFeed>();
  private closed = false;

  constructor(client: Etcd3, keys: KeySpace, endpoints: string[], maxLag: number, log: Logger) {
    this.client = client;
    this.keys = keys;
    this.endpoints = endpoints;
    this.maxLag = maxLag;
    this.log = log;
    // The probe key is the root itself, which is outside the data range "<root>/...".
    this.compaction = new Compaction(client.kv, Buffer.from(keys.root || '\0'), endpoints);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    validateKey(key);
    const res = await this.call(`get ${key}`, () =>
      this.client.kv.range({ key: this.keys.toEtcd(key) }),
    );
    const kv = res.kvs[0];
    return kv ? this.keys.toKeyValue(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const limit = opts.limit === undefined ? 0 : validateRevision(opts.limit, 'list limit');
    let revision = opts.revision === undefined ? 0 : validateRevision(opts.revision, 'revision');
    let start = this.keys.toEtcd(prefix);
    if (opts.continue !== undefined) {
      if (typeof opts.continue !== 'string') {
        throw new StoreError('Invalid', 'continue token must be a string');
      }
      const token = decodeContinue(opts.continue);
      revision = token.revision;
      // The next page starts right after the last key of the previous one.
      const after = Buffer.concat([this.keys.toEtcd(token.startAfter), Buffer.from([0])]);
      if (Buffer.compare(after, start) > 0) start = after;
    }
    const what = `list ${prefix}`;
    const res = await this.call(what, async () => {
      try {
        return await this.client.kv.range({
          key: start,
          range_end: this.keys.rangeEnd(prefix),
          revision,
          limit,
        });
      } catch (err) {
        throw await this.revisionError(err, what, revision);
      }
    });
    const items = res.kvs.map((kv) => this.keys.toKeyValue(kv));
    const readAt = revision > 0 ? revision : Number(res.header.revision);
    const last = items[items.length - 1];
    if (!res.more || !last) return { items, revision: readAt };
    return {
      items,
      revision: readAt,
      continue: encodeContinue({ revision: readAt, startAfter: last.key }),
    };
  }

  async create(key: string, value: string): Promise<number> {
    validateKey(key);
    validateValue(value, key);
    const res = await this.call(`create ${key}`, () =>
      this.client.kv.txn(createTxn(this.keys.toEtcd(key), value)),
    );
    if (res.succeeded) return Number(res.header.revision);
    const existing = res.responses[0]?.response_range.kvs[0];
    throw new StoreError(
      'AlreadyExists',
      `${key} already exists (created at revision ${existing?.create_revision ?? '?'})`,
    );
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<number> {
    validateKey(key);
    validateValue(value, key);
    validateRevision(expectedModRevision, 'expected modRevision');
    const res = await this.call(`update ${key}`, () =>
      this.client.kv.txn(updateTxn(this.keys.toEtcd(key), value, expectedModRevision)),
    );
    if (res.succeeded) return Number(res.header.revision);
    throw casFailure(key, expectedModRevision, res.responses[0]);
  }

  async delete(
    key: string,
    expectedModRevision?: number,
  ): Promise<{ kv: KeyValue; revision: number }> {
    validateKey(key);
    if (expectedModRevision !== undefined) {
      validateRevision(expectedModRevision, 'expected modRevision');
    }
    const res = await this.call(`delete ${key}`, () =>
      this.client.kv.txn(deleteTxn(this.keys.toEtcd(key), expectedModRevision)),
    );
    if (!res.succeeded) throw casFailure(key, expectedModRevision, res.responses[0]);
    const prev = res.responses[0]?.response_delete_range.prev_kvs[0];
    if (!prev) throw new StoreError('NotFound', `${key} does not exist`);
    return { kv: this.keys.toKeyValue(prev), revision: Number(res.header.revision) };
  }

  async watch(prefix: string, fromRevision: number): Promise<Watch> {
    validatePrefix(prefix);
    validateRevision(fromRevision, 'watch revision');
    await this.call(`watch ${prefix}`, () =>
      this.compaction.checkWatchable(fromRevision, `watch of ${prefix}`, () =>
        this.currentRevision(),
      ),
    );
    this.assertOpen(`watch ${prefix}`);
    let feed = this.feeds.get(prefix);
    if (!feed) {
      const created: WatchFeed = new WatchFeed(
        {
          prefix,
          keys: this.keys,
          watchClient: this.client.watchClient,
          maxLag: this.maxLag,
          endpoints: this.endpoints,
          log: this.log,
          compactedAbove: (rev) => this.compactedAbove(rev),
          onEnd: () => {
            if (this.feeds.get(prefix) === created) this.feeds.delete(prefix);
          },
        },
        fromRevision,
      );
      this.feeds.set(prefix, created);
      feed = created;
    }
    return feed.join(fromRevision);
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('read the current revision', () =>
      this.client.kv.range({ key: Buffer.from(this.keys.root || '\0'), count_only: true }),
    );
    return Number(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    const current = await this.currentRevision();
    return this.call('find the compacted revision', () =>
      this.compaction.compactedRevision(current),
    );
  }

  async compact(revision: number): Promise<void> {
    await this.call(`compact at ${String(revision)}`, () =>
      this.compaction.compact(revision, () => this.currentRevision()),
    );
    this.log.info('Compacted etcd', { revision });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new StoreError('Closed', 'the etcd store was closed; watch again after reopening');
    for (const feed of [...this.feeds.values()]) feed.failAll(err);
    this.feeds.clear();
    this.client.close();
  }

  /** The number of etcd watches this store runs (one per watched prefix). */
  get etcdWatches(): number {
    return this.feeds.size;
  }

  private async compactedAbove(revision: number): Promise<number | undefined> {
    if (await this.compaction.readable(Math.max(revision, 1))) return undefined;
    return this.compaction.compactedRevision(await this.currentRevision());
  }

  /** Maps a read error at `revision` (compacted, future) to a StoreError. */
  private async revisionError(err: unknown, what: string, revision: number): Promise<unknown> {
    if (isCompactedError(err)) {
      return this.compaction.errorFor(what, revision, await this.currentRevision());
    }
    if (isFutureRevisionError(err)) {
      return new StoreError(
        'Invalid',
        `${what} at revision ${revision}: the store is only at revision ${await this.currentRevision()}`,
      );
    }
    return err;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new StoreError('Closed', `${what}: the etcd store is closed`);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.assertOpen(what);
    try {
      return await fn();
    } catch (err) {
      throw mapEtcdError(err, what, this.endpoints);
    }
  }
}
