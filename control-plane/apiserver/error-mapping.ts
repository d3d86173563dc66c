/**
 * The one mapping from failures to API errors: ApiError passes through,
 * StoreError codes become the Kubernetes Status a client expects (worded
 * as the Kubernetes API server words them), anything else is an internal
 * error whose details stay in the server log.
 */
import { ApiError, isApiError, type ErrorTarget } from '../api/errors.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { StoreError } from '../store/errors.ts';

/** The Conflict reason of a stale resourceVersion (OptimisticLockErrorMsg). */
export const OPTIMISTIC_LOCK_MSG =
  'the object has been modified; please apply your changes to the latest version and try again';

/** What an error is about, for messages like `pods "web" not found`. */
export function targetOf(r: ResourceInfo, name?: string): ErrorTarget {
  return { group: r.group, kind: r.plural, ...(name !== undefined ? { name } : {}) };
}

/**
 * The ApiError for `err`. `target` names the object for store errors; the
 * second result is true when the error was unexpected (log it as an error).
 */
export function toApiError(
  err: unknown,
  target: ErrorTarget = {},
): { error: ApiError; unexpected: boolean } {
  if (isApiError(err))
    return { error: err, unexpected: err.code >= 500 && err.reason === 'InternalError' };
  if (err instanceof StoreError) return fromStoreError(err, target);
  return {
    error: ApiError.internal('an internal error occurred; the server log has the details'),
    unexpected: true,
  };
}

function fromStoreError(err: StoreError, t: ErrorTarget): { error: ApiError; unexpected: boolean } {
  switch (err.code) {
    case 'Conflict':
      return ok(ApiError.conflict(t, OPTIMISTIC_LOCK_MSG));
    case 'AlreadyExists':
      return ok(ApiError.alreadyExists(t));
    case 'NotFound':
      return ok(ApiError.notFound(t));
    case 'Compacted':
      return ok(ApiError.gone('The resourceVersion for the provided list is too old.'));
    case 'TooSlow':
      return ok(ApiError.gone(err.message));
    case 'Invalid':
      return ok(ApiError.badRequest(err.message));
    case 'Unavailable':
    case 'Locked':
      return ok(
        new ApiError('ServiceUnavailable', `the cluster store is unavailable: ${err.message}`),
      );
    case 'Closed':
      return ok(
        new ApiError(
          'ServiceUnavailable',
          'the cluster store is closed: the server is shutting down',
        ),
      );
    case 'Corrupt':
      return {
        error: ApiError.internal(`the cluster store reported corruption: ${err.message}`, err),
        unexpected: true,
      };
  }
}

function ok(error: ApiError): { error: ApiError; unexpected: boolean } {
  return { error, unexpected: false };
}

/** Rethrows `err` as an ApiError about `target` (store errors get the object's name). */
export function rethrowFor(err: unknown, target: ErrorTarget): never {
  if (err instanceof StoreError) throw fromStoreError(err, target).error;
  throw err;
}
