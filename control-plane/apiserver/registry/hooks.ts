/**
 * Kind-specific behaviour plugged into the generic registry (the role of a
 * Kubernetes registry strategy). Every hook is optional; a kind without
 * hooks gets plain CRUD. Hooks on raw bodies (`prepare*`) run before
 * validation and must accept any shape without throwing.
 */
import type { KubeObject } from '../../api/types.ts';
import type { ApiContext } from '../context.ts';

/** Resources taken before a write: roll back if the write fails, commit after it succeeded. */
export interface Claim {
  rollback(): Promise<void>;
  commit(): Promise<void>;
}

/** The delete options the registry understands (metav1.DeleteOptions). */
export interface DeleteOpts {
  gracePeriodSeconds: number | undefined;
  propagationPolicy: 'Orphan' | 'Background' | 'Foreground' | undefined;
  preconditions: { uid?: string; resourceVersion?: string } | undefined;
  dryRun: boolean;
}

export interface KindHooks {
  /** The status a new object starts with (main-resource creates cannot set status). */
  initialStatus?(obj: Record<string, unknown>): unknown;
  /** True when a create may set status (nodes register with their status). */
  createKeepsStatus?: boolean;
  /** Before validation of a create. */
  prepareCreate?(obj: Record<string, unknown>): void;
  /** Before validation of a main-resource update, with the stored object. */
  prepareUpdate?(obj: Record<string, unknown>, old: KubeObject): void;
  /** After validation and defaulting: take resources (ClusterIPs, NodePorts). */
  beforeWrite?(
    ctx: ApiContext,
    obj: KubeObject,
    old: KubeObject | undefined,
  ): Promise<Claim | undefined>;
  /** After a create was stored (not on dry runs). */
  afterCreate?(ctx: ApiContext, obj: KubeObject): Promise<void>;
  /** After the object left the store (not on dry runs). */
  afterDelete?(ctx: ApiContext, obj: KubeObject): Promise<void>;
  /** Throws to refuse a delete (immortal namespaces). */
  checkDelete?(obj: KubeObject): void;
  /**
   * The grace period of a delete, or undefined for kinds deleted at once.
   * Only pods are graceful (CheckGracefulDelete).
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
  /** Extra condition to remove an object whose finalizers an update emptied (namespaces). */
  canFinalize?(obj: KubeObject): boolean;
  /** Delete answers with the object instead of a Status (ReturnDeletedObject). */
  returnDeletedObject?: boolean;
  /** PUT of a missing object creates it (events, endpoints, leases). */
  allowCreateOnUpdate?: boolean;
  /** Replaces the generic delete (namespaces go Terminating first). */
  delete?(ctx: ApiContext, obj: KubeObject, opts: DeleteOpts): Promise<KubeObject | 'delete-now'>;
}
