/**
 * The API server: the Kubernetes REST API over a Store, good enough for the
 * real kubectl and @kubernetes/client-node. `startApiServer` listens, then
 * writes the bootstrap objects in the background (`ready` resolves when
 * they exist); `close` ends every watch, stops the listener and leaves the
 * store to its owner.
 *
 * @example
 *   const store = await openStore({ backend: 'sqlite', path: 'state.db' });
 *   const api = await startApiServer({ store, listen: '127.0.0.1:0' });
 *   await api.ready;
 *   // ... kubectl --server api.url ...
 *   await api.close();
 *   await store.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { rootLogger, type Logger } from '../api/log.ts';
import type { MetricsRegistry } from '../api/metrics.ts';
import { RESOURCES } from '../api/resources.ts';
import type { Store } from '../store/store.ts';
import { ServiceAllocator } from './alloc/service-allocator.ts';
import { createApiMetrics } from './api-metrics.ts';
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import type { ApiContext } from './context.ts';
import { instrumentStore } from './instrumented-store.ts';
import { clientHost, DEFAULT_LISTEN, hostPort, parseListen } from './listen-address.ts';
import { EncodedCache } from './registry/encoded-cache.ts';
import { NamespaceCache } from './registry/namespace-cache.ts';
import { FeedRegistry } from './watch/feed-registry.ts';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export interface ApiServerOptions {
  store: Store;
  /** host:port; default 127.0.0.1:6443; port 0 picks a free port. */
  listen?: string;
  serviceCIDR?: string;
  nodePortRange?: string;
  logger?: Logger;
  kubeletPort?: number;
  /** How often watch BOOKMARKs go out (default one minute). */
  bookmarkIntervalMs?: number;
  /** Recent events each resource's watch feed keeps for watches that start in the past (default 1,000). */
  watchCacheSize?: number;
  /** Bytes of encoded objects kept for lists (default 64 MiB). */
  encodedCacheBytes?: number;
  /** The clock (tests). */
  now?: () => Date;
}

export interface ApiServer {
  /** http://host:port clients use. */
  url: string;
  /** Resolves once the bootstrap objects exist; rejects if writing them failed. */
  ready: Promise<void>;
  /** The metrics registry, for embedding more metrics. */
  metrics: MetricsRegistry;
  /** Ends watches, stops listening and closes connections. Does not close the store. */
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.logger ?? rootLogger.child({ component: 'apiserver' });
  const listen = parseListen(opts.listen ?? DEFAULT_LISTEN);
  const metrics = createApiMetrics();
  // The namespace view learns of this server's own namespace writes from the store wrapper.
  const namespaces = new NamespaceCache(log);
  const store = instrumentStore(opts.store, metrics.storeLatency, (key, rev) =>
    namespaces.noteWrite(key, rev),
  );
  const ctx: ApiContext = {
    store,
    log,
    metrics,
    allocator: new ServiceAllocator(
      store,
      opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR,
      opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE,
    ),
    feeds: new FeedRegistry(store, log, {
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
      bufferSize: opts.watchCacheSize ?? 1000,
    }),
    namespaces,
    encoded: new EncodedCache(opts.encodedCacheBytes),
    kubeletPort: opts.kubeletPort,
    now: opts.now ?? (() => new Date()),
  };
  let bootstrapped = false;
  let shuttingDown = false;
  let port = listen.port;
  const host = clientHost(listen);
  const app = buildApp(ctx, {
    health: { store, bootstrapped: () => bootstrapped, shuttingDown: () => shuttingDown },
    serverAddress: () => hostPort(host, port),
  });
  const server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    port = await listenOn(server, listen.host, listen.port);
  } catch (err) {
    ctx.feeds.close();
    throw new Error(
      `cannot listen on ${hostPort(listen.host, listen.port)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const url = `http://${hostPort(host, port)}`;
  log.info('API server listening', { url, store: opts.store.backend });
  // Start every resource's watch feed now (the watch cache of kube-apiserver), so watches
  // from a recent resourceVersion are served from memory instead of a store watch each.
  for (const r of RESOURCES) ctx.feeds.feed(r);
  ctx.namespaces.start(store, ctx.feeds);
  const ready = bootstrap(ctx, { ip: host, port }).then(() => {
    bootstrapped = true;
    log.info('API server ready', { url });
  });
  ready.catch((err: unknown) => log.error('Bootstrap failed', { err: err as Error }));

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      shuttingDown = true;
      log.info('API server stopping', { openWatches: ctx.feeds.openWatches });
      ctx.namespaces.close();
      ctx.feeds.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests still running get a moment to finish, then their connections go.
      const grace = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2_000);
      await closed;
      clearTimeout(grace);
      await ready.catch(() => undefined);
      log.info('API server stopped');
    })());
  return { url, ready, metrics: metrics.registry, close };
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
