/**
 * The JSON of stored objects, encoded once: UTF-8 bytes of each object
 * with its resourceVersion stamped, kept by (key, modRevision), so a list
 * that sends an unchanged object again copies bytes instead of building
 * and encoding its text again. A stored revision of a key never changes,
 * so an entry is valid as long as the key's modRevision matches; newer
 * revisions replace it. Bounded by total bytes: the oldest entries go
 * first (kube-apiserver's watch cache likewise holds every object).
 */
import type { KeyValue } from '../../store/store.ts';
import { jsonWithRevision } from './codec.ts';

/** The default budget: room for about 20,000 pods of 3 KB. */
export const DEFAULT_ENCODED_CACHE_BYTES = 64 * 1024 * 1024;

interface Entry {
  revision: number;
  bytes: Buffer;
}

/** JSON bytes of stored objects by (key, modRevision), within a byte budget. */
export class EncodedCache {
  private readonly budget: number;
  // Insertion order is age: the first entries are evicted first.
  private readonly entries = new Map<string, Entry>();
  private size = 0;

  constructor(budgetBytes = DEFAULT_ENCODED_CACHE_BYTES) {
    this.budget = budgetBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.size;
  }

  /** The object at `kv` as JSON bytes, resourceVersion = its modRevision. */
  bytesOf(kv: KeyValue): Buffer {
    const hit = this.entries.get(kv.key);
    if (hit?.revision === kv.modRevision) return hit.bytes;
    const bytes = Buffer.from(jsonWithRevision(kv.key, kv.value, kv.modRevision));
    // A read of the past (an exact resourceVersion) does not displace the newer entry.
    if (hit && hit.revision > kv.modRevision) return bytes;
    if (hit) {
      this.entries.delete(kv.key);
      this.size -= hit.bytes.length;
    }
    if (bytes.length <= this.budget) {
      this.entries.set(kv.key, { revision: kv.modRevision, bytes });
      this.size += bytes.length;
      this.evict();
    }
    return bytes;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.size <= this.budget) return;
      this.entries.delete(key);
      this.size -= e.bytes.length;
    }
  }
}
