/**
 * The request listener: resource requests (everything below
 * /api/{version}/ and /apis/{group}/{version}/) go straight to the
 * resource route, the hot path, without express; the rest goes to the
 * express application: access log first, then health, metrics, version,
 * discovery and OpenAPI, a 404 Status for the rest, and the one error
 * handler last.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { PROMETHEUS_CONTENT_TYPE } from '../api/metrics.ts';
import type { ApiContext } from './context.ts';
import { registerDiscovery } from './discovery/routes.ts';
import { resourceRoute } from './handlers/resource-handler.ts';
import { registerHealth, type HealthState } from './health.ts';
import { accessLog, errorHandler, notFound } from './middleware.ts';
import { registerOpenApi } from './openapi/routes.ts';
import { sendRaw } from './render.ts';

export interface AppOptions {
  health: HealthState;
  /** host:port clients use, for /api's serverAddressByClientCIDRs. */
  serverAddress(): string;
}

/** The server's `request` listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function buildApp(ctx: ApiContext, o: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(accessLog(ctx.log, ctx.metrics));
  registerHealth(app, o.health);
  app.get('/metrics', (_req, res) =>
    sendRaw(res, 200, PROMETHEUS_CONTENT_TYPE, ctx.metrics.registry.render()),
  );
  // request-info.ts decides which paths are resources; discovery paths are not, and come here.
  registerDiscovery(app, o.serverAddress);
  registerOpenApi(app);
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  const resources = resourceRoute(ctx);
  return (req, res) => {
    if (!resources(req, res)) app(req, res);
  };
}
