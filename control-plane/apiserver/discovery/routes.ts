/**
 * The discovery endpoints. /api and /apis answer the aggregated form
 * (apidiscovery.k8s.io v2, or v2beta1) when the Accept header asks for it,
 * as kubectl >= 1.26 does, else the legacy documents; client-go tells them
 * apart by the response Content-Type.
 */
import type { Express, Request, Response } from 'express';
import { parseAccept } from '../negotiate.ts';
import { notFoundPath } from '../request-info.ts';
import { sendRaw } from '../render.ts';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './documents.ts';
import { versionInfo } from './version.ts';

/** The aggregated version the client accepts first, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const r of parseAccept(accept)) {
    if (r.type !== 'application/json' || r.params.as !== 'APIGroupDiscoveryList') continue;
    if (r.params.g !== 'apidiscovery.k8s.io') continue;
    if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
  }
  return undefined;
}

/** Registers /version and the discovery paths; `serverAddress` is host:port. */
export function registerDiscovery(app: Express, serverAddress: () => string): void {
  app.get('/version', (_req, res) => json(res, versionInfo()));
  app.get('/api', (req, res) => root(req, res, 'api', () => apiVersions(serverAddress())));
  app.get('/apis', (req, res) => root(req, res, 'apis', apiGroupList));
  app.get('/api/:version', (req, res) => {
    const doc = apiResourceList('', req.params.version as string);
    if (!doc) throw notFoundPath();
    json(res, doc);
  });
  app.get('/apis/:group', (req, res) => {
    const doc = apiGroup(req.params.group as string);
    if (!doc) throw notFoundPath();
    json(res, doc);
  });
  app.get('/apis/:group/:version', (req, res) => {
    const doc = apiResourceList(req.params.group as string, req.params.version as string);
    if (!doc) throw notFoundPath();
    json(res, doc);
  });
}

function root(
  req: Request,
  res: Response,
  scope: 'api' | 'apis',
  legacy: () => Record<string, unknown>,
): void {
  res.setHeader('Vary', 'Accept');
  const version = wantsAggregated(req.headers.accept);
  if (!version) return json(res, legacy());
  const type = `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
  sendRaw(res, 200, type, JSON.stringify(aggregatedDiscovery(scope, version)));
}

function json(res: Response, body: unknown): void {
  sendRaw(res, 200, 'application/json', JSON.stringify(body));
}
