/**
 * /openapi/v3: the root lists each group-version document at
 * `/openapi/v3/<path>?hash=<sha512>`; a request with the current hash is
 * cached for a year (immutable), a stale hash is redirected to the current
 * one, and a request without a hash gets an ETag (If-None-Match → 304), as
 * kube-apiserver serves them. Documents are built once: the schemas are
 * fixed for the life of the process. /openapi/v2 is not served (404);
 * kubectl uses v3.
 */
import { createHash } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { openApiV3Document, openApiV3Root } from '../../api/openapi/index.ts';
import { notFoundPath } from '../request-info.ts';
import { sendRaw } from '../render.ts';

interface Doc {
  body: string;
  hash: string;
}

export class OpenApiCache {
  private readonly docs = new Map<string, Doc | null>();
  private rootBody: string | undefined;

  /** The document of `path` ("api/v1", "apis/apps/v1"), or undefined. */
  doc(path: string): Doc | undefined {
    if (!this.docs.has(path)) {
      const d = openApiV3Document(path);
      const body = d === undefined ? undefined : JSON.stringify(d);
      this.docs.set(path, body === undefined ? null : { body, hash: hashOf(body) });
    }
    return this.docs.get(path) ?? undefined;
  }

  /** The root document, with serverRelativeURLs carrying the hashes of the documents served here. */
  root(): string {
    if (this.rootBody === undefined) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const path of Object.keys(openApiV3Root().paths)) {
        const d = this.doc(path);
        if (d) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${d.hash}` };
      }
      this.rootBody = JSON.stringify({ paths });
    }
    return this.rootBody;
  }
}

export function registerOpenApi(app: Express, cache = new OpenApiCache()): void {
  app.get('/openapi/v3', (req, res) => {
    const body = cache.root();
    const etag = `"${hashOf(body)}"`;
    res.setHeader('Cache-Control', 'no-cache, private');
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    sendRaw(res, 200, 'application/json', body);
  });
  app.get('/openapi/v3/*path', (req, res) => serveDoc(req, res, cache));
  app.get('/openapi/v2', () => {
    throw notFoundPath();
  });
}

function serveDoc(req: Request, res: Response, cache: OpenApiCache): void {
  const segments = (req.params as { path?: string[] }).path ?? [];
  const path = segments.join('/');
  const doc = cache.doc(path);
  if (!doc) throw notFoundPath();
  const etag = `"${doc.hash}"`;
  res.setHeader('ETag', etag);
  const asked = typeof req.query.hash === 'string' ? req.query.hash : undefined;
  if (asked !== undefined && asked !== doc.hash) {
    res.setHeader('Cache-Control', 'no-cache, private');
    res.redirect(301, `/openapi/v3/${path}?hash=${doc.hash}`);
    return;
  }
  if (asked !== undefined) {
    res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
  } else {
    res.setHeader('Cache-Control', 'no-cache, private');
  }
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  sendRaw(res, 200, 'application/json', doc.body);
}

function hashOf(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}
