/**
 * Request bodies: read with the 3 MiB limit of Kubernetes'
 * MaxRequestBodyBytes (413 beyond it), then decoded by Content-Type:
 * JSON or YAML objects for create/update, the four patch types for PATCH.
 * Anything else is a 415 listing what is accepted; malformed text is a 400.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.ts';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './protobuf/decode.ts';

/** Kubernetes' limit on request bodies (k8s.io/apiserver config.go). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/json-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

const PATCH_TYPES: readonly PatchType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];

/**
 * Reads the whole body; 413 past `limit` (checked on Content-Length first,
 * then while reading). Rejects when the stream fails or closes before its
 * end (the client went away).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // Plain listeners, not `for await`: the async iterator costs more than the read itself.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: Error | undefined): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', done);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onData = (buf: Buffer): void => {
      size += buf.length;
      if (size > limit) {
        done(tooLarge(limit));
        req.resume(); // drain the rest so the connection can answer
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => done(undefined);
    const onClose = (): void => {
      if (!req.readableEnded)
        done(new Error('the request body ended early: the client closed the connection'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', done);
    req.on('close', onClose);
  });
}

/** The media type of a Content-Type header, lower-cased without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decodes a create/update body: JSON (the default), YAML, or the Kubernetes protobuf envelope. */
export function decodeObjectBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (buf.length === 0)
    throw ApiError.badRequest('the request body is empty; send the object as JSON or YAML');
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(buf);
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') {
    return parseYamlDoc(buf);
  }
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(buf);
  throw new ApiError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF_MEDIA_TYPE}`,
  );
}

/** Decodes a PATCH body and names its patch type. */
export function decodePatchBody(
  buf: Buffer,
  contentType: string | undefined,
): { type: PatchType; patch: unknown } {
  const type = mediaType(contentType) as PatchType;
  if (!PATCH_TYPES.includes(type)) {
    throw new ApiError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
    );
  }
  if (buf.length === 0) throw ApiError.badRequest('the patch body is empty');
  return {
    type,
    patch: type === 'application/apply-patch+yaml' ? parseYamlDoc(buf) : parseJson(buf),
  };
}

/** Decodes an optional body (DeleteOptions); undefined when empty. */
export function decodeOptionalJson(buf: Buffer, contentType: string | undefined): unknown {
  if (buf.length === 0) return undefined;
  if (mediaType(contentType) !== PROTOBUF_MEDIA_TYPE && buf.toString('utf8').trim() === '')
    return undefined;
  return decodeObjectBody(buf, contentType);
}

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw ApiError.badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseYamlDoc(buf: Buffer): unknown {
  try {
    return parseYaml(buf.toString('utf8'), { maxAliasCount: 100 });
  } catch (err) {
    throw ApiError.badRequest(`the request body is not valid YAML: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}
