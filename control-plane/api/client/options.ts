/**
 * The option shapes of ApiClient calls, named after the Kubernetes query
 * parameters and DeleteOptions fields they become.
 */
import type { Logger } from '../log.ts';
import type { SelectorInput } from './paths.ts';
import type { ConnectionSettings } from './transport.ts';

export interface ClientOptions extends ConnectionSettings {
  /** Namespace for calls that name none and objects without one. Default "default". */
  namespace?: string;
  /** Deadline of every non-watch request. Default 30 s. */
  timeoutMs?: number;
  /** Sent as User-Agent. Default "skiff-client". */
  userAgent?: string;
  /** Receives each `Warning` header the server returns (e.g. unknown fields with fieldValidation=Warn). */
  onWarning?: (warning: string) => void;
  logger?: Logger;
}

/** Per-call controls every request accepts. */
export interface CallOptions {
  /** Overrides the client's deadline for this call. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ObjectOptions extends CallOptions {
  namespace?: string;
}

export interface ListOptions extends ObjectOptions {
  labelSelector?: SelectorInput;
  fieldSelector?: SelectorInput;
  /** Page size; 0 or absent lists everything at once. */
  limit?: number;
  continue?: string;
  /** "" or absent: the newest state; "0": any state the server holds; else that version. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: SelectorInput;
  fieldSelector?: SelectorInput;
  /** Events after this version; absent means "start at the newest state" (with synthetic ADDED events). */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number;
  /** End the watch with a TransportError when the stream has been silent this long. */
  idleTimeoutMs?: number;
  /** Aborting ends the iteration normally. */
  signal?: AbortSignal;
}

export interface WriteOptions extends ObjectOptions {
  /** Ask the server to check and default but not persist (dryRun=All). */
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** merge: RFC 7386; json: RFC 6902; strategic: Kubernetes strategic merge; apply: server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Patch a subresource ("status", "scale") instead of the object. */
  subresource?: string;
  /** Server-side apply: take fields other managers own. */
  force?: boolean;
}

/** The fields of meta/v1 DeleteOptions. */
export interface DeleteOptionsBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface DeleteOptions extends ObjectOptions, DeleteOptionsBody {}

export interface DeleteCollectionOptions extends DeleteOptions {
  labelSelector?: SelectorInput;
  fieldSelector?: SelectorInput;
}

/** A raw request: path (without query), query parameters, body and its content type. */
export interface RawRequest extends CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  /** Default application/json. */
  contentType?: string;
}
