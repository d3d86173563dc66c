/**
 * Subresources: status (get/update/patch of any kind with status), scale
 * (Deployments, ReplicaSets), pods/binding, pods/eviction, pods/log and
 * namespaces/finalize.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeObjectBody, decodePatchBody, readBody } from '../body.ts';
import type { ApiContext } from '../context.ts';
import { finalizeNamespace } from '../kinds/namespace-finalize.ts';
import { bindPod } from '../kinds/pod-binding.ts';
import { evictPod } from '../kinds/pod-eviction.ts';
import { podStreamUnsupported, streamPodLog } from '../kinds/pod-log.ts';
import { scaleOf, writeScale } from '../kinds/scale.ts';
import { negotiateOutput } from '../negotiate.ts';
import { parseWriteQuery } from '../query.ts';
import { patchObject } from '../registry/patch.ts';
import { getObject } from '../registry/read.ts';
import { replaceObject } from '../registry/replace.ts';
import { successStatus } from '../registry/status.ts';
import { sendBody } from '../render.ts';
import { methodNotAllowed, type RequestInfo } from '../request-info.ts';

export async function handleSubresource(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  q: URLSearchParams,
): Promise<void> {
  const { resource: r, namespace } = info;
  const name = info.name as string;
  const fmt = negotiateOutput(req.headers.accept, false);
  const readObjectBody = async () =>
    decodeObjectBody(await readBody(req), req.headers['content-type']);
  const target = () => ({ r, namespace, name, dryRun: parseWriteQuery(q).dryRun });
  const key = `${info.subresource}:${info.verb}`;
  switch (key) {
    case 'status:get':
      return sendBody(res, 200, await getObject(ctx, r, namespace, name), fmt);
    case 'status:update':
    case 'status:patch': {
      const warnings: string[] = [];
      const req2 = {
        r,
        namespace,
        name,
        subresource: 'status' as const,
        write: parseWriteQuery(q),
        warnings,
      };
      const result =
        info.verb === 'update'
          ? await replaceObject(ctx, req2, await readObjectBody())
          : await (async () => {
              const { type, patch } = decodePatchBody(
                await readBody(req),
                req.headers['content-type'],
              );
              return patchObject(ctx, req2, type, patch);
            })();
      return sendBody(res, 200, result.object, fmt, warnings);
    }
    case 'scale:get':
      return sendBody(res, 200, scaleOf(await getObject(ctx, r, namespace, name)), fmt);
    case 'scale:update':
      return sendBody(
        res,
        200,
        await writeScale(ctx, target(), { body: await readObjectBody() }),
        fmt,
      );
    case 'scale:patch': {
      const { type, patch } = decodePatchBody(await readBody(req), req.headers['content-type']);
      return sendBody(res, 200, await writeScale(ctx, target(), { patchType: type, patch }), fmt);
    }
    case 'binding:create':
      await bindPod(ctx, target(), await readObjectBody());
      return sendBody(res, 201, successStatus(undefined, 201), fmt);
    case 'eviction:create':
      await evictPod(
        ctx,
        r,
        namespace as string,
        name,
        await readObjectBody(),
        parseWriteQuery(q).dryRun,
      );
      return sendBody(res, 201, successStatus(undefined, 201), fmt);
    case 'log:get':
      return streamPodLog(ctx, await getObject(ctx, r, namespace, name), q, res);
    case 'exec:get':
    case 'exec:create':
    case 'attach:get':
    case 'attach:create':
    case 'portforward:get':
    case 'portforward:create':
      return podStreamUnsupported(await getObject(ctx, r, namespace, name), info.subresource ?? '');
    case 'finalize:update':
      return sendBody(
        res,
        200,
        await finalizeNamespace(ctx, target(), await readObjectBody()),
        fmt,
      );
    default:
      throw methodNotAllowed();
  }
}
