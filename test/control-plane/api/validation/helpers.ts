/** Builders of small valid objects for the validation tables, and a cause extractor. */
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import { isApiError } from '../../../../control-plane/api/errors.ts';
import {
  validateObject,
  type ValidationContext,
} from '../../../../control-plane/api/validation/index.ts';

/** The resource of a plural in a group ('' = core). */
export function res(group: string, plural: string): ResourceInfo {
  const r = findResource(group, 'v1', plural);
  assert.ok(r, `unknown resource ${plural}`);
  return r;
}

export const PODS = res('', 'pods');
export const SERVICES = res('', 'services');
export const DEPLOYMENTS = res('apps', 'deployments');

type Obj = Record<string, unknown>;

export function pod(spec: Obj = {}, meta: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', ...meta },
    spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], ...spec },
  };
}

export function container(extra: Obj = {}): Obj {
  return { name: 'web', image: 'nginx:1.25', ...extra };
}

export function deployment(spec: Obj = {}, template: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [container()], ...template },
      },
      ...spec,
    },
  };
}

export function service(spec: Obj = {}, meta: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', ...meta },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

/** One expected cause: its field and reason, and optionally its exact message. */
export interface Expected {
  field: string;
  reason: string;
  message?: string;
}

/**
 * Validates and returns the causes of the 422 (or [] when accepted); any
 * other outcome fails the test.
 */
export function causesOf(
  r: ResourceInfo,
  body: unknown,
  ctx: ValidationContext = { operation: 'create' },
): Expected[] {
  try {
    validateObject(r, body, ctx);
    return [];
  } catch (err) {
    if (!isApiError(err, 'Invalid')) throw err;
    assert.equal(err.code, 422);
    return (err.details?.causes ?? []).map((c) => ({
      field: c.field,
      reason: c.reason,
      message: c.message,
    }));
  }
}

/** Asserts the causes match `expected` (fields and reasons always, messages where given). */
export function assertCauses(actual: Expected[], expected: Expected[]): void {
  assert.deepEqual(
    actual.map((c) => ({ field: c.field, reason: c.reason })),
    expected.map((c) => ({ field: c.field, reason: c.reason })),
  );
  expected.forEach((e, i) => {
    if (e.message !== undefined) assert.equal(actual[i]?.message, e.message);
  });
}
