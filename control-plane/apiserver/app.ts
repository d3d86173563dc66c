/**
 * The express application: access log first, then the resource handler
 * (everything below /api/{version}/ and /apis/{group}/{version}/; it
 * passes other paths on at once, so the hot paths skip the route table),
 * then health, metrics, version, discovery and OpenAPI, a 404 Status for
 * the rest, and the one error handler last.
 */
import express, { type Express } from 'express';
import { PROMETHEUS_CONTENT_TYPE } from '../api/metrics.ts';
import type { ApiContext } from './context.ts';
import { registerDiscovery } from './discovery/routes.ts';
import { resourceHandler } from './handlers/resource-handler.ts';
import { registerHealth, type HealthState } from './health.ts';
import { accessLog, errorHandler, notFound } from './middleware.ts';
import { registerOpenApi } from './openapi/routes.ts';
import { sendRaw } from './render.ts';

export interface AppOptions {
  health: HealthState;
  /** host:port clients use, for /api's serverAddressByClientCIDRs. */
  serverAddress(): string;
}

export function buildApp(ctx: ApiContext, o: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(accessLog(ctx.log, ctx.metrics));
  // request-info.ts decides which paths are resources; discovery paths are not.
  app.use(resourceHandler(ctx));
  registerHealth(app, o.health);
  app.get('/metrics', (_req, res) =>
    sendRaw(res, 200, PROMETHEUS_CONTENT_TYPE, ctx.metrics.registry.render()),
  );
  registerDiscovery(app, o.serverAddress);
  registerOpenApi(app);
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}
