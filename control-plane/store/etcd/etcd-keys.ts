/**
 * Where skiff's keys live inside etcd, and conversion of etcd's key-values
 * to the store's. Every key is stored as `<root><key>`, where the root is
 * the configured prefix ("/skiff" by default) and every key starts with "/",
 * so the whole store is the etcd range ["<root>/", "<root>0"). Keys handed
 * back to callers never show the root.
 */
import type { IKeyValue } from 'etcd3';
import { StoreError } from '../errors.ts';
import type { KeyValue } from '../store.ts';
import { validateKey } from '../validate.ts';

/** The configured root with any trailing "/" removed ("" means the whole etcd keyspace). */
export function normalizeRoot(prefix: string | undefined): string {
  const root = (prefix ?? '/skiff').replace(/\/+$/, '');
  if (root !== '') validateKey(root, 'etcd key prefix');
  return root;
}

/** Maps between store keys and etcd keys under one root. */
export class KeySpace {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The etcd key for a store key. */
  toEtcd(key: string): Buffer {
    return Buffer.from(this.root + key);
  }

  /** The store key for an etcd key read from this root. */
  fromEtcd(key: Buffer): string {
    const full = key.toString('utf8');
    if (!full.startsWith(this.root)) {
      // etcd only returns keys inside the ranges we ask for; anything else is a bug.
      throw new StoreError('Corrupt', `etcd returned key ${full} outside prefix ${this.root}`);
    }
    return full.slice(this.root.length);
  }

  /** The end (exclusive) of the etcd range holding every key that starts with `prefix`. */
  rangeEnd(prefix: string): Buffer {
    return prefixEnd(this.toEtcd(prefix));
  }

  /** Converts an etcd key-value (revisions arrive as decimal strings) to the store's form. */
  toKeyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.fromEtcd(kv.key),
      value: kv.value.toString('utf8'),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }
}

/**
 * etcd's prefix range end: the key with its last byte incremented, dropping
 * trailing 0xff bytes (clientv3.GetPrefixRangeEnd). A prefix of all 0xff
 * bytes gives "\0", which etcd reads as "to the end of the keyspace".
 */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
