/**
 * The route for everything below /api/{version}/ and /apis/{group}/{version}/:
 * reads what the request asks for (request-info.ts), then runs the verb
 * through the generic registry. Subresources are dispatched in
 * subresource-handler.ts. It runs before express (app.ts), so the hot
 * paths pay for no router, and it owns their access log, metrics and
 * error answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.ts';
import { decodeObjectBody, decodeOptionalJson, decodePatchBody, readBody } from '../body.ts';
import type { ApiContext } from '../context.ts';
import { sendError, trackRequest } from '../middleware.ts';
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
import { parseRequestUrl, type RequestUrl } from '../request-url.ts';
import { serveWatch } from '../watch/serve-watch.ts';
import { handleSubresource } from './subresource-handler.ts';

/**
 * Returns a function that answers a resource request and returns true, or
 * returns false having done nothing for any other request (a path outside
 * /api/ and /apis/, a discovery document), which the caller passes on.
 * A malformed resource path or a method it does not take is answered
 * here (404, 405), as every failure of the handlers is: with a Status.
 */
export function resourceRoute(
  ctx: ApiContext,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = req.url ?? '';
    if (!path.startsWith('/api/') && !path.startsWith('/apis/')) return false;
    let url: RequestUrl;
    let info: RequestInfo | undefined;
    try {
      url = parseRequestUrl(path);
      info = parseRequestInfo(req.method ?? '', url.pathname, boolParam(url.query, 'watch'));
    } catch (err) {
      trackRequest(ctx.log, ctx.metrics, req, res, () => undefined);
      sendError(ctx.log, req, res, err);
      return true;
    }
    if (!info) return false;
    const known = info;
    trackRequest(ctx.log, ctx.metrics, req, res, () => known);
    const handled =
      info.subresource !== undefined
        ? handleSubresource(ctx, req, res, info, url.query)
        : handleVerb(ctx, req, res, info, url.query);
    handled.catch((err: unknown) => sendError(ctx.log, req, res, err));
    return true;
  };
}

async function handleVerb(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  q: URLSearchParams,
): Promise<void> {
  const { resource: r, namespace, name } = info;
  const accept = req.headers.accept;
  // Checked for every verb (a bad value is a 400 whatever the verb); the clock only for reads.
  const includeObject = parseIncludeObject(q);
  const collectionOnly = () => {
    if (r.namespaced && namespace === undefined) throw methodNotAllowed();
  };
  switch (info.verb) {
    case 'get': {
      const fmt = negotiateOutput(accept, true);
      const render = { includeObject, now: ctx.now() };
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
      const render = { includeObject, now: ctx.now() };
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
