/**
 * Request validation: the one gate every API object passes before it is
 * stored. Structure first (JSON types → 400 BadRequest, unknown fields
 * reported for the fieldValidation decision), then Kubernetes' semantic
 * rules (→ 422 Invalid with one cause per offending field).
 */
import { ApiError } from '../errors.ts';
import { applyDefaults, applyUpdateDefaults } from '../defaults.ts';
import { groupVersion, type ResourceInfo } from '../resources.ts';
import { schemaFor } from '../schemas/index.ts';
import type {
  ConfigMap,
  DaemonSet,
  Deployment,
  Endpoints,
  Event,
  Job,
  KubeObject,
  Lease,
  Namespace,
  Node,
  Pod,
  ReplicaSet,
  Secret,
  Service,
} from '../types.ts';
import type { Causes } from './common.ts';
import { nonNegative } from './common.ts';
import { required } from './field-errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate, type NameRule } from './meta.ts';
import {
  validateConfigMap,
  validateEvent,
  validateLease,
  validateNamespace,
  validateNode,
  validateNodeStatus,
  validateSecret,
} from './kinds.ts';
import { dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors } from './names.ts';
import { validatePodSpec, validatePodStatus } from './pod.ts';
import { validateEndpoints, validateService } from './service.ts';
import { checkStructure, type JsonSchema } from './structure.ts';
import { validateKindUpdate } from './update.ts';
import {
  validateDaemonSet,
  validateDeployment,
  validateJob,
  validateReplicaSet,
} from './workloads.ts';

/** What kind of write is being validated; `old` is the stored object on update. */
export interface ValidationContext {
  operation: 'create' | 'update';
  old?: KubeObject;
  subresource?: 'status';
}

/** The accepted object (unknown fields removed) and the paths of the fields removed. */
export interface ValidationResult {
  object: KubeObject;
  unknownFields: string[];
}

/** Name rules per kind, as Kubernetes validates metadata.name. */
const NAME_RULES: Record<string, NameRule> = {
  Namespace: dns1123LabelErrors,
  Service: dns1035LabelErrors,
};

const SPEC_VALIDATORS: Record<string, (out: Causes, o: KubeObject) => void> = {
  Pod: (out, o) => validatePodSpec(out, 'spec', (o as Pod).spec),
  Service: (out, o) => validateService(out, o as Service),
  Endpoints: (out, o) => validateEndpoints(out, o as Endpoints),
  Node: (out, o) => validateNode(out, o as Node),
  Namespace: (out, o) => validateNamespace(out, o as Namespace),
  ConfigMap: (out, o) => validateConfigMap(out, o as ConfigMap),
  Secret: (out, o) => validateSecret(out, o as Secret),
  Event: (out, o) => validateEvent(out, o as Event),
  Lease: (out, o) => validateLease(out, o as Lease),
  Deployment: (out, o) => validateDeployment(out, o as Deployment),
  ReplicaSet: (out, o) => validateReplicaSet(out, o as ReplicaSet),
  DaemonSet: (out, o) => validateDaemonSet(out, o as DaemonSet),
  Job: (out, o) => validateJob(out, o as Job),
};

/**
 * Validates a request body for resource `r`. Fills a missing apiVersion or
 * kind from `r`; throws ApiError 400 (BadRequest) for a body that is not
 * an object, names another kind, or has JSON values of the wrong type
 * (details.causes name the fields, reason FieldValueTypeInvalid); throws
 * ApiError 422 (Invalid) listing every semantic violation. On success
 * returns the object without unknown fields plus their paths
 * ("spec.foo", "spec.containers[0].bogus") for the caller's
 * fieldValidation decision.
 *
 * @example
 * const { object, unknownFields } = validateObject(r, body, { operation: 'create' });
 */
export function validateObject(
  r: ResourceInfo,
  input: unknown,
  ctx: ValidationContext,
): ValidationResult {
  return check(r, input, ctx, false);
}

/**
 * validateObject, returning the object as it will be stored: defaulted
 * (applyDefaults; on update applyUpdateDefaults, so server allocations the
 * body left out are kept), which is the very object the semantic rules
 * checked. The object is the copy the structural walk makes (free-form
 * subtrees, which no default writes into, are shared with the input), so
 * the caller's input is left as it was; this path makes no other copy of
 * the input and defaults once.
 *
 * @example
 * const { object, unknownFields } = validateAndDefault(r, body, { operation: 'create' });
 */
export function validateAndDefault(
  r: ResourceInfo,
  input: unknown,
  ctx: ValidationContext,
): ValidationResult {
  return check(r, input, ctx, true);
}

function check(
  r: ResourceInfo,
  input: unknown,
  ctx: ValidationContext,
  keepDefaults: boolean,
): ValidationResult {
  const body = typeMeta(r, input);
  const s = checkStructure(schemaFor(r) as JsonSchema, body);
  if (s.typeErrors.length > 0) throw decodeError(r, s.typeErrors);
  const object = s.value as KubeObject;
  // A main-resource write cannot set status (the server resets it), except a Node's.
  const statusCounts = ctx.subresource === 'status' || r.kind === 'Node';
  const missing = s.missing.filter((p) => statusCounts || !p.startsWith('status.'));
  const causes: Causes = [];
  try {
    // Rules see the object as it will be stored. validateObject returns the
    // object undefaulted, so its rules run on a defaulted copy.
    semantic(r, keepDefaults ? object : structuredClone(object), ctx, causes);
  } catch (err) {
    // The rules assume required fields exist; without them a rule may trip, and "Required" says why.
    if (missing.length === 0) throw err;
  }
  for (const p of missing)
    if (!causes.some((c) => c.field === p && c.reason === 'FieldValueRequired'))
      causes.push(required(p, ''));
  if (causes.length > 0) {
    throw ApiError.invalid(
      r.kind,
      object.metadata.name ?? object.metadata.generateName ?? '',
      causes,
    );
  }
  return { object, unknownFields: s.unknownFields };
}

function typeMeta(r: ResourceInfo, input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const got = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
    throw ApiError.badRequest(
      `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: expected a JSON object, got ${got}`,
    );
  }
  const body: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  const gv = groupVersion(r);
  if (body['apiVersion'] === undefined || body['apiVersion'] === '') body['apiVersion'] = gv;
  if (body['kind'] === undefined || body['kind'] === '') body['kind'] = r.kind;
  if (body['apiVersion'] !== gv)
    throw ApiError.badRequest(
      `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${gv})`,
    );
  if (body['kind'] !== r.kind)
    throw ApiError.badRequest(
      `the kind in the data (${String(body['kind'])}) does not match the expected kind (${r.kind})`,
    );
  if (body['metadata'] === undefined || body['metadata'] === null) body['metadata'] = {};
  // Kubernetes decodes an absent spec as an empty struct: its required fields are then reported.
  const props = (schemaFor(r) as JsonSchema).required ?? [];
  if (props.includes('spec') && (body['spec'] === undefined || body['spec'] === null))
    body['spec'] = {};
  return body;
}

function decodeError(r: ResourceInfo, causes: Causes): ApiError {
  const first = causes[0];
  const why = first ? `${first.field}: ${first.message}` : 'malformed object';
  return new ApiError(
    'BadRequest',
    `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${why}`,
    {
      kind: r.kind,
      causes,
    },
  );
}

/**
 * Defaults `obj` in place (on update with server allocations kept), then
 * checks the rules on it: they see the object as it will be stored.
 */
function semantic(r: ResourceInfo, obj: KubeObject, ctx: ValidationContext, out: Causes): void {
  // The stored old object is defaulted on a copy: callers keep using their own.
  const old = ctx.old ? structuredClone(ctx.old) : undefined;
  if (old) applyDefaults(r, old);
  if (ctx.operation === 'update' && old) applyUpdateDefaults(r, obj, old);
  else applyDefaults(r, obj);
  if (ctx.operation === 'update' && old) validateObjectMetaUpdate(out, obj.metadata, old.metadata);
  if (ctx.subresource === 'status') {
    validateStatus(out, r.kind, obj);
    return;
  }
  validateObjectMeta(out, obj.metadata, {
    namespaced: r.namespaced,
    nameRule: NAME_RULES[r.kind] ?? dns1123SubdomainErrors,
  });
  SPEC_VALIDATORS[r.kind]?.(out, obj);
  if (ctx.operation === 'update' && old) validateKindUpdate(out, r.kind, obj, old);
}

/** Status subresource writes: only the status is checked. */
function validateStatus(out: Causes, kind: string, obj: KubeObject): void {
  if (kind === 'Pod') return validatePodStatus(out, (obj as Pod).status);
  if (kind === 'Node') return validateNodeStatus(out, obj as Node);
  // Workload statuses are counters: none may be negative.
  const status = (obj['status'] ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(status))
    if (typeof v === 'number') nonNegative(out, `status.${k}`, v);
}
