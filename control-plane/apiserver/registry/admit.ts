/**
 * Admission of a request body: fills a missing apiVersion/kind from the
 * endpoint (as Kubernetes' decoder does), validates through
 * validateAndDefault, honours fieldValidation for unknown fields (Strict →
 * 400, Warn → a Warning header, Ignore → dropped); the object comes back
 * with the defaults applied (on update also keeping what the server
 * allocated), the same object the rules checked.
 */
import { ApiError } from '../../api/errors.ts';
import { groupVersion, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { validateAndDefault } from '../../api/validation/index.ts';
import type { FieldValidation } from '../query.ts';

/** A plain JSON object, or a 400 naming what came instead. */
export function asRecord(input: unknown, what = 'the request body'): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : `a ${typeof input}`;
    throw ApiError.badRequest(`${what} must be a JSON or YAML object, got ${got}`);
  }
  return input as Record<string, unknown>;
}

/** The body's metadata as a record (created when absent). */
export function rawMeta(body: Record<string, unknown>): Record<string, unknown> {
  const m = body.metadata;
  if (m === undefined || m === null) {
    const created: Record<string, unknown> = {};
    body.metadata = created;
    return created;
  }
  return asRecord(m, 'metadata');
}

/** Sets apiVersion and kind from the endpoint when the body leaves them out. */
export function fillTypeMeta(r: ResourceInfo, body: Record<string, unknown>): void {
  if (body.apiVersion === undefined || body.apiVersion === '') body.apiVersion = groupVersion(r);
  if (body.kind === undefined || body.kind === '') body.kind = r.kind;
}

export interface AdmitOptions {
  operation: 'create' | 'update';
  old?: KubeObject;
  subresource?: 'status';
  fieldValidation: FieldValidation;
  /** Collects Warning header texts. */
  warnings: string[];
}

/** Validates and defaults `body`; returns the object to store. */
export function admit(r: ResourceInfo, body: Record<string, unknown>, o: AdmitOptions): KubeObject {
  fillTypeMeta(r, body);
  const { object, unknownFields } = validateAndDefault(r, body, {
    operation: o.operation,
    ...(o.old ? { old: o.old } : {}),
    ...(o.subresource ? { subresource: o.subresource } : {}),
  });
  if (unknownFields.length > 0) {
    if (o.fieldValidation === 'Strict') {
      throw ApiError.badRequest(
        `strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`,
      );
    }
    if (o.fieldValidation === 'Warn') {
      for (const f of unknownFields) o.warnings.push(`unknown field "${f}"`);
    }
  }
  return object;
}
