/**
 * The cluster store contract: a revisioned key-value store with etcd v3
 * semantics. Only the API server talks to it.
 *
 * Revisions: every successful write (create, update, delete) gets a number
 * of one store-wide counter, greater than every earlier one (SQLite counts
 * 1, 2, 3...; etcd may skip numbers used by keys outside skiff's prefix).
 * A key's `createRevision`
 * is the revision that created it, its `modRevision` the revision of its
 * last write. `currentRevision()` is the revision of the newest write (0 for
 * an empty store). The API exposes revisions as resourceVersion.
 *
 * Keys are strings that start with "/" (for example
 * "/registry/pods/default/web-1"); values are UTF-8 text (the API stores
 * JSON). Both are checked on every write; see `validateKey`/`validateValue`.
 */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface ListOptions {
  /** Maximum items in this page; 0 or absent means no limit. */
  limit?: number;
  /** Token from a previous page; the list goes on at that page's revision. */
  continue?: string;
  /** Read the state as it was at this revision; absent means the newest. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at (the same for every page). */
  revision: number;
  /** Present when more items remain; pass it back to read the next page. */
  continue?: string;
}

/** A write seen by a watcher. `prev` is the value before the write. */
export type WatchEvent =
  | { type: 'put'; kv: KeyValue; prev?: KeyValue }
  | { type: 'delete'; key: string; revision: number; prev: KeyValue };

/**
 * A live stream of events, in revision order, with no gap and no duplicate.
 * Iteration ends normally after `close()`; it throws a StoreError when the
 * watcher fell too far behind ('TooSlow') or the store closed ('Closed').
 */
export interface Watch extends AsyncIterable<WatchEvent> {
  close(): void;
}

export interface Store {
  /** The backend's name, for logs and metrics ("sqlite", "etcd"). */
  readonly backend: string;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in key order, all pages read at one revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails 'AlreadyExists' when the key exists. Returns the new revision. */
  create(key: string, value: string): Promise<number>;
  /**
   * Replaces the value if the key's modRevision is still `expectedModRevision`.
   * Fails 'Conflict' when it changed since, 'NotFound' when the key is gone.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<number>;
  /**
   * Deletes the key (only if its modRevision matches, when given).
   * Returns the deleted value and the revision of the delete.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }>;
  /**
   * Events for keys under `prefix` with revision > `fromRevision`. Rejects
   * with 'Compacted' when `fromRevision` is below the compacted revision,
   * so the caller relists. Many watchers on one prefix share one feed.
   */
  watch(prefix: string, fromRevision: number): Promise<Watch>;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (0 when nothing was compacted). */
  compactedRevision(): Promise<number>;
  /** Drops history at and below `revision`, keeping each key's newest value. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
