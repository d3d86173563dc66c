/**
 * The schema of every kind skiff serves, looked up by resource. These
 * schemas are the single source of the TypeScript types (types.ts), the
 * request validation (validation/) and the OpenAPI documents (openapi/).
 */
import type { TObject, TSchema } from 'typebox';
import type { ResourceInfo } from '../resources.ts';
import { Pod } from './pod.ts';
import { Endpoints, Service } from './service.ts';
import { Node } from './node.ts';
import { DaemonSet, Deployment, ReplicaSet } from './workloads.ts';
import { Job } from './job.ts';
import {
  Binding,
  ConfigMap,
  Event,
  Eviction,
  Lease,
  Namespace,
  Scale,
  Secret,
  ServiceAccount,
} from './misc.ts';

/** Top-level schema per "group/version/Kind" ("" group for core). */
const KINDS: Record<string, TObject> = {
  '/v1/Namespace': Namespace,
  '/v1/Pod': Pod,
  '/v1/Service': Service,
  '/v1/Endpoints': Endpoints,
  '/v1/Node': Node,
  '/v1/Event': Event,
  '/v1/ConfigMap': ConfigMap,
  '/v1/Secret': Secret,
  '/v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/ReplicaSet': ReplicaSet,
  'apps/v1/DaemonSet': DaemonSet,
  'batch/v1/Job': Job,
  'coordination.k8s.io/v1/Lease': Lease,
};

const SUBRESOURCES = { scale: Scale, binding: Binding, eviction: Eviction } as const;

/**
 * The schema of a resource's kind. Throws for a resource the table does
 * not know (a programming error: every row of RESOURCES has a schema).
 */
export function schemaFor(r: ResourceInfo): TSchema {
  const s = KINDS[`${r.group}/${r.version}/${r.kind}`];
  if (!s)
    throw new Error(
      `no schema for ${r.group || 'core'}/${r.version} ${r.kind}: add it to schemas/index.ts`,
    );
  return s;
}

/** The body schema of a subresource that has its own kind (autoscaling/v1 Scale, Binding, policy/v1 Eviction). */
export function schemaForSubresource(name: 'scale' | 'binding' | 'eviction'): TSchema {
  return SUBRESOURCES[name];
}

/** Every top-level kind schema, for generators and tests. */
export function allKindSchemas(): TObject[] {
  return Object.values(KINDS);
}
