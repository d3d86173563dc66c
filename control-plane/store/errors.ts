/**
 * The one error type of the store. The API server maps each code to a
 * Kubernetes Status in one place (AlreadyExists 409, Conflict 409,
 * NotFound 404, Compacted 410 Expired, Invalid 422/400, TooSlow 410, ...).
 */
export type StoreErrorCode =
  | 'AlreadyExists'
  | 'Conflict'
  | 'NotFound'
  | 'Compacted'
  | 'Invalid'
  | 'TooSlow'
  | 'Closed'
  | 'Unavailable'
  | 'Corrupt'
  | 'Locked';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For 'Conflict': the key's current modRevision; for 'Compacted': the compacted revision. */
  readonly revision: number | undefined;

  constructor(
    code: StoreErrorCode,
    message: string,
    opts: { revision?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StoreError';
    this.code = code;
    this.revision = opts.revision;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
