/**
 * The watch verb (`?watch=true` and /watch/ paths). resourceVersion as in
 * Kubernetes: unset or "0" sends the current state as synthetic ADDED
 * events, then changes; an exact value sends the changes after it; one
 * below the compacted history answers 200 with an ERROR event carrying
 * 410 Expired. sendInitialEvents=true (watch-list) ends the initial state
 * with a BOOKMARK annotated k8s.io/initial-events-end. The stream ends
 * after timeoutSeconds (default: a random 30-60 minutes, as Kubernetes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.ts';
import { storageKey } from '../../api/resources.ts';
import type { KubeObject, WatchEventType } from '../../api/types.ts';
import { isStoreError } from '../../store/errors.ts';
import type { ApiContext } from '../context.ts';
import { contentTypeOf, type OutputFormat } from '../negotiate.ts';
import { parseResourceVersion, type ListQuery } from '../query.ts';
import { renderTable } from '../render.ts';
import { decodeKv } from '../registry/codec.ts';
import { checkNotTooLarge } from '../registry/read.ts';
import { buildFilter, matchesFilter, type ObjectFilter } from '../registry/filters.ts';
import type { RequestInfo } from '../request-info.ts';
import { FeedEvent } from './feed-event.ts';
import { Watcher } from './watcher.ts';

/** A client may leave this much unread before it is cut off. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const MIN_TIMEOUT_S = 1800;

export async function serveWatch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  q: ListQuery,
  format: OutputFormat,
): Promise<void> {
  const r = info.resource;
  const filter = buildFilter(r, q.labelSelector, q.fieldSelector, info.name);
  const namespace = info.namespace ?? filter.namespace;
  const keyPrefix = storageKey(r, namespace);
  const rv = q.resourceVersion;
  const exact = rv !== undefined && rv !== '0';
  // sendInitialEvents overrides the resourceVersion's own meaning (watch-list).
  const initial = q.sendInitialEvents ?? !exact;
  let fromRev = 0;
  if (!initial) {
    fromRev = exact ? parseResourceVersion(rv) : await ctx.store.currentRevision();
    if (exact) await checkNotTooLarge(ctx, fromRev);
  }
  const feed = ctx.feeds.feed(r);
  await feed.ready;

  const resourceLabel = r.plural;
  ctx.metrics.openWatches.inc({ resource: resourceLabel });
  let untrack = (): void => undefined;
  let closeStoreWatch = (): void => undefined;
  const timers: { timeout?: NodeJS.Timeout } = {};
  const watcher: Watcher = new Watcher(
    {
      res,
      r,
      keyPrefix,
      filter,
      format: format.kind === 'object' ? { kind: 'object', yaml: false } : format,
      renderTable: (obj) =>
        renderTable(r, [obj], format.kind === 'table' ? format.version : 'v1', {
          includeObject: q.includeObject,
          now: ctx.now(),
        }),
      bookmarks: q.allowWatchBookmarks,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      onSent: (type: WatchEventType) => ctx.metrics.watchEventSeries(resourceLabel, type).inc(),
      onEnd: () => {
        clearTimeout(timers.timeout);
        feed.unsubscribe(watcher);
        closeStoreWatch();
        untrack();
        ctx.metrics.openWatches.dec({ resource: resourceLabel });
      },
    },
    fromRev,
  );
  const timeoutS = q.timeoutSeconds ?? MIN_TIMEOUT_S * (1 + Math.random());
  timers.timeout = setTimeout(() => watcher.end(), Math.max(0, timeoutS) * 1000);
  res.on('close', () => watcher.end());

  res.statusCode = 200;
  res.setHeader(
    'Content-Type',
    format.kind === 'object' ? 'application/json' : contentTypeOf(format),
  );
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();
  let onFeed = true;
  untrack = ctx.feeds.track(watcher, () => (onFeed ? feed.progress() : 0));
  if (ctx.feeds.isClosed) return watcher.end();

  if (initial) {
    watcher.pause();
    feed.subscribe(feed.progress(), watcher);
    try {
      const { objects, revision } = await readInitial(ctx, keyPrefix, filter);
      watcher.sendInitial(objects, revision);
      if (q.sendInitialEvents) watcher.bookmark(revision, true);
    } catch (err) {
      watcher.fail(
        isStoreError(err)
          ? new ApiError('ServiceUnavailable', err.message)
          : ApiError.internal('reading the initial state failed', err),
      );
    }
    return;
  }
  if (feed.subscribe(fromRev, watcher)) return;
  // Older than the feed's buffer: read the history from the store itself.
  onFeed = false;
  closeStoreWatch = await watchStore(ctx, keyPrefix, fromRev, watcher);
}

async function readInitial(
  ctx: ApiContext,
  prefix: string,
  filter: ObjectFilter,
): Promise<{ objects: KubeObject[]; revision: number }> {
  const res = await ctx.store.list(prefix);
  const objects: KubeObject[] = [];
  for (const kv of res.items) {
    const obj = decodeKv(kv);
    if (matchesFilter(filter, obj)) objects.push(obj);
  }
  return { objects, revision: res.revision };
}

/** Streams store events after `fromRev` into `watcher`; returns the function that stops it. */
async function watchStore(
  ctx: ApiContext,
  prefix: string,
  fromRev: number,
  watcher: Watcher,
): Promise<() => void> {
  let watch;
  try {
    watch = await ctx.store.watch(prefix, fromRev);
  } catch (err) {
    if (isStoreError(err, 'Compacted')) {
      watcher.fail(ApiError.gone(`too old resource version: ${fromRev} (${err.revision ?? 0})`));
    } else {
      watcher.fail(
        new ApiError('ServiceUnavailable', `the store watch failed: ${(err as Error).message}`),
      );
    }
    return () => undefined;
  }
  const w = watch;
  void (async () => {
    try {
      for await (const raw of w) watcher.onEvent(new FeedEvent(raw));
      watcher.end();
    } catch (err) {
      const e = isStoreError(err, 'TooSlow')
        ? ApiError.gone((err as Error).message)
        : new ApiError('ServiceUnavailable', (err as Error).message);
      watcher.fail(e);
    }
  })();
  if (watcher.isEnded) w.close();
  return () => w.close();
}
