/**
 * Turns what the etcd3 client throws into StoreErrors, so callers only ever
 * see the store's error codes. Connection trouble becomes 'Unavailable' with
 * a message naming the endpoints and what to check; etcd's "revision has
 * been compacted" becomes 'Compacted'.
 */
import { StoreError } from '../errors.ts';

/** etcd's ErrCompacted text (mvcc.ErrCompacted), as range and compact report it. */
export const COMPACTED_TEXT = 'required revision has been compacted';
/** etcd's ErrFutureRev text, for a read at a revision it has not reached yet. */
export const FUTURE_TEXT = 'required revision is a future revision';

// Error class names of etcd3 (and of cockatiel, which it uses for retries
// and circuit breakers) that mean "could not get an answer from etcd".
const UNREACHABLE = new Set([
  'GRPCUnavailableError',
  'GRPCDeadlineExceededError',
  'GRPCCancelledError',
  'GRPCInternalError',
  'GRPCUnknownError',
  'GRPCResourceExhastedError',
  'GRPCAbortedError',
  'GRPCProtocolError',
  'BrokenCircuitError',
  'TaskCancelledError',
  'EtcdWatchStreamEnded',
]);

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isCompactedError(err: unknown): boolean {
  return messageOf(err).includes(COMPACTED_TEXT);
}

export function isFutureRevisionError(err: unknown): boolean {
  return messageOf(err).includes(FUTURE_TEXT);
}

/** True when `err` means etcd could not be reached or did not answer in time. */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return UNREACHABLE.has(err.name) || UNREACHABLE.has(err.constructor.name);
}

/**
 * Maps an etcd3 error from `what` (e.g. "create /registry/pods/a/b") to a
 * StoreError. StoreErrors pass through; errors with no store meaning (a
 * permission error, a bug) are wrapped in a plain Error naming the operation.
 */
export function mapEtcdError(err: unknown, what: string, endpoints: readonly string[]): Error {
  if (err instanceof StoreError) return err;
  const msg = messageOf(err);
  if (msg.includes('database space exceeded')) {
    return new StoreError(
      'Unavailable',
      `etcd refused ${what}: its database is full (NOSPACE alarm); compact and defragment etcd, then disarm the alarm (etcdctl alarm disarm)`,
      { cause: err },
    );
  }
  if (isUnreachable(err) || msg.includes('etcdserver: request timed out')) {
    return unavailable(what, endpoints, err);
  }
  if (err instanceof Error && err.name === 'ClientClosedError') {
    return new StoreError('Closed', `${what}: the etcd client is closed`, { cause: err });
  }
  return new Error(`etcd ${what} failed: ${msg}`, { cause: err });
}

/** The 'Unavailable' error for an operation (`what`, e.g. "create /a") that could not reach etcd. */
export function unavailable(
  what: string,
  endpoints: readonly string[],
  cause: unknown,
): StoreError {
  return new StoreError(
    'Unavailable',
    `cannot reach etcd at ${endpoints.join(', ')} (${shortReason(cause)}) to ${what}; check that etcd is running and healthy (etcdctl endpoint health) and that the endpoints and TLS settings are right`,
    { cause },
  );
}

// gRPC's text is long ("14 UNAVAILABLE: No connection established. Last
// error: Error: connect ECONNREFUSED ... Resolution note: "): keep the cause.
function shortReason(err: unknown): string {
  const msg = messageOf(err);
  const last = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(msg);
  return (last?.[1] ?? msg).trim();
}
