/**
 * What leader election needs of the API: read, create and replace one
 * Lease. apiLeaseClient adapts the API client; tests of the pure decision
 * need no client at all.
 */
import type { ApiClient } from '../../api/client/client.ts';
import type { CallOptions } from '../../api/client/options.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import type { Lease } from '../../api/types.ts';
import { getIfExists } from './api-answers.ts';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

export interface LeaseClient {
  /** The Lease, or undefined when it does not exist; other failures throw. */
  get(namespace: string, name: string, opts?: CallOptions): Promise<Lease | undefined>;
  /** Creates the Lease; ApiError 409 AlreadyExists when another candidate was first. */
  create(namespace: string, lease: Lease, opts?: CallOptions): Promise<Lease>;
  /** Replaces the Lease; ApiError 409 Conflict when its resourceVersion is stale. */
  update(namespace: string, lease: Lease, opts?: CallOptions): Promise<Lease>;
}

/** A LeaseClient over the API server's /apis/coordination.k8s.io/v1 leases. */
export function apiLeaseClient(client: ApiClient): LeaseClient {
  return {
    get: (namespace, name, opts = {}) =>
      getIfExists<Lease>(client, LEASES, name, { ...opts, namespace }),
    create: (namespace, lease, opts = {}) => client.create(LEASES, lease, { ...opts, namespace }),
    update: (namespace, lease, opts = {}) => client.update(LEASES, lease, { ...opts, namespace }),
  };
}
