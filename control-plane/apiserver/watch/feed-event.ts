/**
 * One store event as watchers see it, decoded and serialized at most once
 * however many watchers receive it (the heart of the watch fan-out: 1,000
 * watchers cost 1,000 writes of one shared string, not 1,000 encodings).
 */
import type { KubeObject } from '../../api/types.ts';
import type { WatchEvent } from '../../store/store.ts';
import { decodeKv, decodeValue, jsonWithRevision } from '../registry/codec.ts';

export class FeedEvent {
  readonly revision: number;
  readonly key: string;
  /** ADDED for a create, MODIFIED for an update, DELETED for a delete. */
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  private readonly raw: WatchEvent;
  private obj: KubeObject | undefined;
  private prevObj: KubeObject | null | undefined;
  private json: string | undefined;
  private prevJson: string | undefined;

  constructor(raw: WatchEvent) {
    this.raw = raw;
    if (raw.type === 'delete') {
      this.revision = raw.revision;
      this.key = raw.key;
      this.type = 'DELETED';
    } else {
      this.revision = raw.kv.modRevision;
      this.key = raw.kv.key;
      this.type = raw.kv.createRevision === raw.kv.modRevision ? 'ADDED' : 'MODIFIED';
    }
  }

  /** The object after the event; for a delete, the last state with resourceVersion = the delete's revision. */
  get object(): KubeObject {
    if (!this.obj) {
      const r = this.raw;
      this.obj =
        r.type === 'delete' ? decodeValue(r.key, r.prev.value, r.revision) : decodeKv(r.kv);
    }
    return this.obj;
  }

  /** The object before the event, or undefined when unknown (a create). */
  get prev(): KubeObject | undefined {
    if (this.prevObj === undefined) {
      const p = this.raw.prev;
      this.prevObj = p ? decodeKv(p) : null;
    }
    return this.prevObj ?? undefined;
  }

  /** JSON of `object`, stamped from the stored text without a parse. */
  objectJson(): string {
    if (this.json === undefined) {
      const r = this.raw;
      this.json =
        r.type === 'delete'
          ? jsonWithRevision(r.key, r.prev.value, r.revision)
          : jsonWithRevision(r.kv.key, r.kv.value, r.kv.modRevision);
    }
    return this.json;
  }

  /**
   * JSON of the previous state stamped with this event's revision: what a
   * watcher gets as DELETED when the object stops matching its selector.
   */
  prevAsOfJson(): string {
    if (this.prevJson === undefined) {
      const p = this.raw.prev;
      this.prevJson = p ? jsonWithRevision(p.key, p.value, this.revision) : this.objectJson();
    }
    return this.prevJson;
  }

  /** The previous state stamped with this event's revision. */
  prevAsOf(): KubeObject {
    const p = this.prev ?? this.object;
    return { ...p, metadata: { ...p.metadata, resourceVersion: String(this.revision) } };
  }
}
