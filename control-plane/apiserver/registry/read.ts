/**
 * get and list over the store with Kubernetes' resourceVersion semantics:
 * "" reads the newest state, "0" any state (the newest here), an exact
 * value "not older than" for get, and for list Exact (also the legacy
 * meaning of a resourceVersion with a limit) or NotOlderThan. Lists page
 * with limit/continue at one revision and filter by selectors while paging.
 */
import { ApiError } from '../../api/errors.ts';
import { groupVersion, storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject, List } from '../../api/types.ts';
import { isStoreError } from '../../store/errors.ts';
import type { KeyValue, ListResult } from '../../store/store.ts';
import type { ApiContext } from '../context.ts';
import { rethrowFor, targetOf } from '../error-mapping.ts';
import { parseResourceVersion, type ListQuery } from '../query.ts';
import { decodeKv, jsonWithRevision } from './codec.ts';
import { decodeApiContinue, encodeApiContinue, type ApiContinue } from './continue-token.ts';
import { matchesFilter, type ObjectFilter } from './filters.ts';

/** Store page size bounds when a list is filtered. */
const MIN_PAGE = 100;
const MAX_PAGE = 10_000;

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
const LIST_EXPIRED = 'The resourceVersion for the provided list is too old.';

/** The stored object, or ApiError 404 naming it. */
export async function getObject(
  ctx: ApiContext,
  r: ResourceInfo,
  namespace: string | undefined,
  name: string,
  resourceVersion?: string,
): Promise<KubeObject> {
  if (resourceVersion !== undefined && resourceVersion !== '0') {
    await checkNotTooLarge(ctx, parseResourceVersion(resourceVersion));
  }
  const kv = await ctx.store
    .get(storageKey(r, namespace, name))
    .catch((e) => rethrowFor(e, targetOf(r, name)));
  if (!kv) throw ApiError.notFound(targetOf(r, name));
  return decodeKv(kv);
}

/** One listed object: decoded only when something needs the object. */
export class ListedItem {
  readonly kv: KeyValue;
  private decoded: KubeObject | undefined;

  constructor(kv: KeyValue) {
    this.kv = kv;
  }

  get object(): KubeObject {
    return (this.decoded ??= decodeKv(this.kv));
  }

  /** The object's JSON, stamped with its resourceVersion without a parse. */
  json(): string {
    return jsonWithRevision(this.kv.key, this.kv.value, this.kv.modRevision);
  }
}

/** One page of a list (all of it without a limit) with its list metadata. */
export interface ListPage {
  metadata: List['metadata'];
  items: ListedItem[];
}

/** Reads one page of a list (all of it without a limit). */
export async function listObjects(
  ctx: ApiContext,
  r: ResourceInfo,
  namespace: string | undefined,
  q: ListQuery,
  filter: ObjectFilter,
): Promise<List> {
  const page = await listPage(ctx, r, namespace, q, filter);
  return {
    kind: r.listKind,
    apiVersion: groupVersion(r),
    metadata: page.metadata,
    items: page.items.map((i) => i.object),
  };
}

/** The JSON of a list page, built from the stored text (the fast path of plain JSON lists). */
export function listJson(r: ResourceInfo, page: ListPage): string {
  const head = `{"kind":${JSON.stringify(r.listKind)},"apiVersion":${JSON.stringify(groupVersion(r))}`;
  return `${head},"metadata":${JSON.stringify(page.metadata)},"items":[${page.items.map((i) => i.json()).join(',')}]}`;
}

/** Reads one page as lazily decoded items. */
export async function listPage(
  ctx: ApiContext,
  r: ResourceInfo,
  namespace: string | undefined,
  q: ListQuery,
  filter: ObjectFilter,
): Promise<ListPage> {
  const prefix = storageKey(r, namespace ?? filter.namespace);
  let start: ApiContinue | undefined;
  let revision: number | undefined;
  if (q.continue !== undefined) {
    start = decodeApiContinue(q.continue);
    revision = start.revision;
  } else if (q.resourceVersion !== undefined && q.resourceVersion !== '0') {
    const rv = parseResourceVersion(q.resourceVersion);
    await checkNotTooLarge(ctx, rv);
    const exact =
      q.resourceVersionMatch === 'Exact' || (q.resourceVersionMatch === undefined && q.limit > 0);
    if (exact) revision = rv;
  }
  try {
    const page = await readPage(ctx, prefix, q.limit, filter, revision, start);
    const metadata: List['metadata'] = { resourceVersion: String(page.revision) };
    if (page.next) metadata.continue = encodeApiContinue(page.next);
    return { metadata, items: page.items };
  } catch (err) {
    if (isStoreError(err, 'Compacted')) {
      throw ApiError.gone(q.continue !== undefined ? CONTINUE_EXPIRED : LIST_EXPIRED);
    }
    return rethrowFor(err, targetOf(r));
  }
}

interface Page {
  items: ListedItem[];
  revision: number;
  next: ApiContinue | undefined;
}

async function readPage(
  ctx: ApiContext,
  prefix: string,
  limit: number,
  filter: ObjectFilter,
  revision: number | undefined,
  start: ApiContinue | undefined,
): Promise<Page> {
  const items: ListedItem[] = [];
  const selected = (item: ListedItem) => !filter.selective || matchesFilter(filter, item.object);
  if (limit <= 0) {
    const res = await ctx.store.list(prefix, revision !== undefined ? { revision } : {});
    for (const kv of res.items) {
      const item = new ListedItem(kv);
      if (selected(item)) items.push(item);
    }
    return { items, revision: res.revision, next: undefined };
  }
  let token = start?.storeToken;
  let skip = start?.skip ?? 0;
  let pageSize =
    start?.pageSize ?? Math.min(Math.max(limit, filter.selective ? MIN_PAGE : 0), MAX_PAGE);
  let rev = revision;
  for (;;) {
    const res: ListResult = await ctx.store.list(prefix, {
      limit: pageSize,
      ...(token !== undefined ? { continue: token } : rev !== undefined ? { revision: rev } : {}),
    });
    rev = res.revision;
    for (let i = skip; i < res.items.length; i++) {
      const item = new ListedItem(res.items[i] as KeyValue);
      if (!selected(item)) continue;
      items.push(item);
      if (items.length < limit) continue;
      // The page is full: resume after item i of this store page, or at the next store page.
      const consumed = i + 1;
      if (consumed < res.items.length) {
        return {
          items,
          revision: rev,
          next: { revision: rev, storeToken: token, pageSize, skip: consumed },
        };
      }
      const next = res.continue
        ? { revision: rev, storeToken: res.continue, pageSize, skip: 0 }
        : undefined;
      return { items, revision: rev, next };
    }
    if (!res.continue) return { items, revision: rev, next: undefined };
    token = res.continue;
    skip = 0;
    // A selective filter returns few items per store page: read bigger pages.
    if (filter.selective) pageSize = Math.min(pageSize * 2, MAX_PAGE);
  }
}

/** 504 Timeout "Too large resource version", as Kubernetes answers a revision from the future. */
export async function checkNotTooLarge(ctx: ApiContext, rv: number): Promise<void> {
  const current = await ctx.store.currentRevision();
  if (rv <= current) return;
  throw new ApiError('Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
    causes: [
      { reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' },
    ],
    retryAfterSeconds: 1,
  });
}
