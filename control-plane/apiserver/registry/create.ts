/**
 * create (POST to a collection): namespace checks, generateName with retry
 * on collision, validation and defaults, the server-owned metadata, the
 * kind's hooks (allocations), dry run, then one store create.
 */
import { ApiError } from '../../api/errors.ts';
import { storageKey, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStoreError } from '../../store/errors.ts';
import type { ApiContext } from '../context.ts';
import { rethrowFor, targetOf } from '../error-mapping.ts';
import { hooksFor } from '../kinds/index.ts';
import type { WriteQuery } from '../query.ts';
import { admit, asRecord, rawMeta } from './admit.ts';
import { clone, encodeForStore, jsonWithRevision, withRevision } from './codec.ts';
import { checkNamespaceAcceptsCreate } from './namespace-lifecycle.ts';
import { fillCreateMeta, generateName } from './object-meta.ts';

/** Kubernetes' maxNameGenerationCreateAttempts. */
const NAME_ATTEMPTS = 8;

export interface CreateRequest {
  r: ResourceInfo;
  namespace: string | undefined;
  body: unknown;
  write: WriteQuery;
  warnings: string[];
}

/** A created object, and its JSON as a GET returns it (undefined on a dry run). */
export interface Created {
  object: KubeObject;
  json: string | undefined;
}

/** Creates the object; returns it as stored (without a resourceVersion on a dry run). */
export async function createObject(ctx: ApiContext, req: CreateRequest): Promise<KubeObject> {
  return (await createStored(ctx, req)).object;
}

/**
 * createObject, also returning the object's JSON made from the stored text
 * (the same content; a response need not stringify the object again).
 */
export async function createStored(ctx: ApiContext, req: CreateRequest): Promise<Created> {
  const body = asRecord(req.body);
  const meta = rawMeta(body);
  placeNamespace(req.r, meta, req.namespace);
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') {
    throw ApiError.badRequest('resourceVersion should not be set on objects to be created');
  }
  const generated =
    (meta.name === undefined || meta.name === '') &&
    typeof meta.generateName === 'string' &&
    meta.generateName !== '';
  for (let attempt = 1; ; attempt++) {
    // Each attempt with a generated name starts from the untouched body.
    const attemptBody = generated ? clone(body) : body;
    if (generated) rawMeta(attemptBody).name = generateName(meta.generateName as string);
    try {
      return await createOnce(ctx, req, attemptBody);
    } catch (err) {
      if (
        !generated ||
        attempt >= NAME_ATTEMPTS ||
        !(err instanceof ApiError) ||
        err.reason !== 'AlreadyExists'
      ) {
        throw err;
      }
    }
  }
}

async function createOnce(
  ctx: ApiContext,
  req: CreateRequest,
  body: Record<string, unknown>,
): Promise<Created> {
  const { r } = req;
  const hooks = hooksFor(r);
  if (r.subresources.includes('status') && !hooks.createKeepsStatus) {
    const status = hooks.initialStatus?.(body);
    if (status === undefined) delete body.status;
    else body.status = status;
  }
  hooks.prepareCreate?.(body);
  fillCreateMeta(rawMeta(body), ctx.now());
  const obj = admit(r, body, {
    operation: 'create',
    fieldValidation: req.write.fieldValidation,
    warnings: req.warnings,
  });
  const name = obj.metadata.name ?? '';
  // The namespace view answers almost every check from memory: no await for those.
  if (r.namespaced && !ctx.namespaces.acceptsContent(req.namespace as string))
    await checkNamespaceAcceptsCreate(ctx, r, req.namespace as string, name);
  const claim = hooks.beforeWrite ? await hooks.beforeWrite(ctx, obj, undefined) : undefined;
  if (req.write.dryRun) {
    await claim?.rollback();
    return { object: obj, json: undefined };
  }
  const key = storageKey(r, req.namespace, name);
  const value = encodeForStore(obj);
  let rev: number;
  try {
    rev = await ctx.store.create(key, value);
  } catch (err) {
    await claim?.rollback();
    if (isStoreError(err, 'AlreadyExists')) throw ApiError.alreadyExists(targetOf(r, name));
    return rethrowFor(err, targetOf(r, name));
  }
  if (claim) await claim.commit();
  const stored = withRevision(obj, rev);
  if (hooks.afterCreate) await hooks.afterCreate(ctx, stored);
  return { object: stored, json: jsonWithRevision(key, value, rev) };
}

/** Puts the URL's namespace into metadata (400 when the body names another). */
export function placeNamespace(
  r: ResourceInfo,
  meta: Record<string, unknown>,
  namespace: string | undefined,
): void {
  if (!r.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw ApiError.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  meta.namespace = namespace;
}
