/**
 * The cross-cutting parts of every request: the access log and request
 * metrics (one structured line per request at debug, 5xx at warn), the
 * 404 for unknown paths, and the single error handler that turns every
 * failure into a metav1.Status. Resource requests use `trackRequest` and
 * `sendError` directly (handlers/resource-route.ts); the express routes
 * get them as middleware.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../api/errors.ts';
import { isEnabled, type Logger } from '../api/log.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { toApiError } from './error-mapping.ts';
import { sendRaw } from './render.ts';
import { notFoundPath, type RequestInfo } from './request-info.ts';

const METRIC_VERBS: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
};

/**
 * Records `req` once its response is done (finished, or cut off when its
 * connection closed): the request counter and latency histogram
 * (watches excluded) by verb, resource and code, and the access-log line.
 * `info()` is read then: undefined for a request that is no resource
 * request (verb = the HTTP method, resource = "").
 */
export function trackRequest(
  log: Logger,
  metrics: ApiMetrics,
  req: IncomingMessage,
  res: ServerResponse,
  info: () => RequestInfo | undefined,
): void {
  const start = performance.now();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const i = info();
    const verb = i ? (METRIC_VERBS[i.verb] ?? i.verb.toUpperCase()) : (req.method ?? '');
    const resource = i
      ? i.subresource
        ? `${i.resource.plural}/${i.subresource}`
        : i.resource.plural
      : '';
    const code = res.statusCode;
    const seconds = (performance.now() - start) / 1000;
    const series = metrics.requestSeries(verb, resource, code);
    series.count.inc();
    if (verb !== 'WATCH') series.duration.observe(seconds);
    // The access line is at debug, usually off: its fields are built only when it is written.
    if (code >= 500) log.warn('Request failed', accessFields(req, verb, resource, code, seconds));
    else if (isEnabled(log, 'debug'))
      log.debug('Request', accessFields(req, verb, resource, code, seconds));
  };
  // 'close' follows 'finish' on every response and also ends one cut off early: one listener.
  res.on('close', finish);
}

function accessFields(
  req: IncomingMessage,
  verb: string,
  resource: string,
  code: number,
  seconds: number,
): Record<string, unknown> {
  return {
    method: req.method,
    path: originalUrl(req),
    code,
    verb,
    resource,
    ms: Math.round(seconds * 1000),
    userAgent: req.headers['user-agent'],
    ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
  };
}

/** The access log as express middleware (for the routes that are not resources). */
export function accessLog(log: Logger, metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    trackRequest(log, metrics, req, res, () => undefined);
    next();
  };
}

/** The last route: every unknown path is a 404 Status. */
export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(notFoundPath());
}

/**
 * Answers `err` as a Status with the right code (ApiError / StoreError /
 * anything else → 500, logged); a response already under way is cut off.
 */
export function sendError(
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
): void {
  const { error, unexpected } = toApiError(fromHttpError(err));
  if (unexpected) {
    log.error('Request handler failed', {
      method: req.method,
      path: originalUrl(req),
      err: err as Error,
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const retry = error.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) res.setHeader('Retry-After', String(retry));
  sendRaw(res, error.code, 'application/json', JSON.stringify(error.toStatus()));
}

/** The one error handler as express middleware. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void =>
    sendError(log, req, res, err);
}

// The path as the client sent it (express may rewrite req.url while routing).
function originalUrl(req: IncomingMessage): string | undefined {
  return (req as { originalUrl?: string }).originalUrl ?? req.url;
}

// Errors raised by express itself (e.g. a malformed URL) carry an HTTP status.
function fromHttpError(err: unknown): unknown {
  if (err instanceof ApiError || !(err instanceof Error)) return err;
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return ApiError.badRequest(err.message);
  return err;
}
