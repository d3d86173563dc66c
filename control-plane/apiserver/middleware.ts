/**
 * The cross-cutting middleware: the access log and request metrics (one
 * structured line per request at debug, 5xx at error), the 404 for
 * unknown paths, and the single error handler that turns every failure
 * into a metav1.Status.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import type { ApiMetrics } from './api-metrics.ts';
import { toApiError } from './error-mapping.ts';
import { REQUEST_INFO } from './handlers/resource-handler.ts';
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

export function accessLog(log: Logger, metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const info = res.locals[REQUEST_INFO] as RequestInfo | undefined;
      const verb = info ? (METRIC_VERBS[info.verb] ?? info.verb.toUpperCase()) : req.method;
      const resource = info
        ? info.subresource
          ? `${info.resource.plural}/${info.subresource}`
          : info.resource.plural
        : '';
      const code = res.statusCode;
      const seconds = (performance.now() - start) / 1000;
      metrics.requests.inc({ verb, resource, code: String(code) });
      if (verb !== 'WATCH') metrics.duration.observe({ verb, resource }, seconds);
      const fields = {
        method: req.method,
        path: req.originalUrl,
        code,
        verb,
        resource,
        ms: Math.round(seconds * 1000),
        userAgent: req.headers['user-agent'],
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      };
      if (code >= 500) log.warn('Request failed', fields);
      else log.debug('Request', fields);
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
}

/** The last route: every unknown path is a 404 Status. */
export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(notFoundPath());
}

/** The one error handler: ApiError / StoreError / anything → a Status with the right code. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { error, unexpected } = toApiError(fromHttpError(err));
    if (unexpected) {
      log.error('Request handler failed', {
        method: req.method,
        path: req.originalUrl,
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
  };
}

// Errors raised by express itself (e.g. a malformed URL) carry an HTTP status.
function fromHttpError(err: unknown): unknown {
  if (err instanceof ApiError || !(err instanceof Error)) return err;
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return ApiError.badRequest(err.message);
  return err;
}
