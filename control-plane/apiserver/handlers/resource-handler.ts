/**
 * The one handler behind /api/... and /apis/...: reads what the request
 * asks for (request-info.ts), then runs the verb through the generic
 * registry. Subresources are dispatched in subresource-handler.ts.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../../api/errors.ts';
import { decodeObjectBody, decodeOptionalJson, decodePatchBody, readBody } from '../body.ts';
import type { ApiContext } from '../context.ts';
import { negotiateOutput } from '../negotiate.ts';
import { boolParam, parseIncludeObject, parseListQuery, parseWriteQuery } from '../query.ts';
import { createStored } from '../registry/create.ts';
import { deleteObject } from '../registry/delete.ts';
import { deleteCollection } from '../registry/delete-collection.ts';
import { parseDeleteOptions } from '../registry/delete-options.ts';
import { buildFilter } from '../registry/filters.ts';
import { patchObject } from '../registry/patch.ts';
import { getObject, listObjects, listPage } from '../registry/read.ts';
import { replaceObject } from '../registry/replace.ts';
import { streamList } from '../list-stream.ts';
import { renderList, renderObject, sendBody, sendJson } from '../render.ts';
import { methodNotAllowed, parseRequestInfo, type RequestInfo } from '../request-info.ts';
import { serveWatch } from '../watch/serve-watch.ts';
import { handleSubresource } from './subresource-handler.ts';

/** What the access log and metrics read about a resource request. */
export const REQUEST_INFO = 'requestInfo';

export function resourceHandler(ctx: ApiContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    // Mounted for every path (app.ts): only /api/... and /apis/... are resources.
    const path = req.originalUrl;
    if (!path.startsWith('/api/') && !path.startsWith('/apis/')) return next();
    const url = new URL(path, 'http://apiserver');
    const q = url.searchParams;
    const info = parseRequestInfo(req.method, url.pathname, boolParam(q, 'watch'));
    if (!info) return next();
    res.locals[REQUEST_INFO] = info;
    if (info.subresource !== undefined) return handleSubresource(ctx, req, res, info, q);
    await handleVerb(ctx, req, res, info, q);
  };
}

async function handleVerb(
  ctx: ApiContext,
  req: Request,
  res: Response,
  info: RequestInfo,
  q: URLSearchParams,
): Promise<void> {
  const { resource: r, namespace, name } = info;
  const accept = req.headers.accept;
  const render = { includeObject: parseIncludeObject(q), now: ctx.now() };
  const collectionOnly = () => {
    if (r.namespaced && namespace === undefined) throw methodNotAllowed();
  };
  switch (info.verb) {
    case 'get': {
      const fmt = negotiateOutput(accept, true);
      const obj = await getObject(
        ctx,
        r,
        namespace,
        name as string,
        q.get('resourceVersion') || undefined,
      );
      return sendBody(res, 200, renderObject(r, obj, fmt, render), fmt);
    }
    case 'list': {
      const fmt = negotiateOutput(accept, true);
      const lq = parseListQuery(q, false);
      const filter = buildFilter(r, lq.labelSelector, lq.fieldSelector);
      if (fmt.kind === 'object' && !fmt.yaml) {
        // Plain JSON: streamed from the stored text, no parse + stringify per object.
        const page = await listPage(ctx, r, namespace, lq, filter);
        return streamList(res, r, page, ctx.encoded);
      }
      const list = await listObjects(ctx, r, namespace, lq, filter);
      return sendBody(res, 200, renderList(r, list, fmt, render), fmt);
    }
    case 'watch':
      return serveWatch(
        ctx,
        req,
        res,
        info,
        parseListQuery(q, true),
        negotiateOutput(accept, true),
      );
    case 'create': {
      if (name !== undefined) throw methodNotAllowed();
      collectionOnly();
      const fmt = negotiateOutput(accept, false);
      const body = decodeObjectBody(await readBody(req), req.headers['content-type']);
      const warnings: string[] = [];
      const created = await createStored(ctx, {
        r,
        namespace,
        body,
        write: parseWriteQuery(q),
        warnings,
      });
      // Plain JSON is the stored text: no second stringify of the object.
      if (fmt.kind === 'object' && !fmt.yaml && created.json !== undefined)
        return sendJson(res, 201, created.json, warnings);
      return sendBody(res, 201, created.object, fmt, warnings);
    }
    case 'update': {
      const fmt = negotiateOutput(accept, false);
      const body = decodeObjectBody(await readBody(req), req.headers['content-type']);
      const warnings: string[] = [];
      const target = {
        r,
        namespace,
        name: name as string,
        subresource: undefined,
        write: parseWriteQuery(q),
        warnings,
      };
      const result = await replaceObject(ctx, target, body);
      return sendBody(res, result.created ? 201 : 200, result.object, fmt, warnings);
    }
    case 'patch': {
      const fmt = negotiateOutput(accept, false);
      const { type, patch } = decodePatchBody(await readBody(req), req.headers['content-type']);
      const warnings: string[] = [];
      const target = {
        r,
        namespace,
        name: name as string,
        subresource: undefined,
        write: parseWriteQuery(q),
        warnings,
      };
      const result = await patchObject(ctx, target, type, patch);
      return sendBody(res, result.created ? 201 : 200, result.object, fmt, warnings);
    }
    case 'delete': {
      const fmt = negotiateOutput(accept, false);
      const opts = parseDeleteOptions(
        decodeOptionalJson(await readBody(req), req.headers['content-type']),
        q,
      );
      const result = await deleteObject(ctx, { r, namespace, name: name as string, opts });
      return sendBody(res, 200, result.body, fmt);
    }
    case 'deletecollection': {
      collectionOnly();
      const fmt = negotiateOutput(accept, false);
      const lq = parseListQuery(q, false);
      const opts = parseDeleteOptions(
        decodeOptionalJson(await readBody(req), req.headers['content-type']),
        q,
      );
      const filter = buildFilter(r, lq.labelSelector, lq.fieldSelector);
      return sendBody(res, 200, await deleteCollection(ctx, r, namespace, lq, filter, opts), fmt);
    }
    default:
      throw new ApiError('MethodNotAllowed', `the verb ${String(info.verb)} is not supported`);
  }
}
