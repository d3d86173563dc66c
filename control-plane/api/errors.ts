/**
 * The one error type of the API. Every failure a client can see is an
 * ApiError; the API server turns it into a metav1.Status body with the
 * matching HTTP code in one place, and the API client turns a Status body
 * back into an ApiError, so both sides speak the same reasons.
 */

/** The metav1.StatusReason values skiff uses, with their HTTP codes. */
export const REASON_CODES = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

export type StatusReason = keyof typeof REASON_CODES;

/** One offending field, as in metav1.StatusCause. */
export interface StatusCause {
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueTooLong, FieldValueForbidden, ... */
  reason: string;
  message: string;
  /** The field path, e.g. "metadata.name" or "spec.containers[0].image". */
  field: string;
}

/** The metav1.Status wire shape of an error. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason | '';
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** What an error is about: the object's kind (resource plural) and name. */
export interface ErrorTarget {
  group?: string;
  /** Resource plural as Kubernetes puts it in details.kind ("pods", "deployments"). */
  kind?: string;
  name?: string;
}

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details: Status['details'];

  constructor(
    reason: StatusReason,
    message: string,
    details?: Status['details'],
    opts?: { cause?: unknown; code?: number },
  ) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiError';
    this.reason = reason;
    this.code = opts?.code ?? REASON_CODES[reason];
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  /** Rebuilds an ApiError from a Status body received over the wire. */
  static fromStatus(status: unknown, httpCode: number): ApiError {
    const s = (status ?? {}) as Partial<Status>;
    const reason = (
      typeof s.reason === 'string' && s.reason in REASON_CODES ? s.reason : reasonForCode(httpCode)
    ) as StatusReason;
    return new ApiError(reason, s.message ?? `HTTP ${httpCode}`, s.details, { code: httpCode });
  }

  static notFound(t: ErrorTarget): ApiError {
    return new ApiError('NotFound', `${qualified(t)} "${t.name ?? ''}" not found`, details(t));
  }

  static alreadyExists(t: ErrorTarget): ApiError {
    return new ApiError(
      'AlreadyExists',
      `${qualified(t)} "${t.name ?? ''}" already exists`,
      details(t),
    );
  }

  /** 409 for a stale resourceVersion, worded as the Kubernetes API server does. */
  static conflict(t: ErrorTarget, why: string): ApiError {
    return new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(t)} "${t.name ?? ''}": ${why}`,
      details(t),
    );
  }

  /** 422 naming each offending field. `kindName` is the object kind, e.g. "Pod". */
  static invalid(kindName: string, name: string, causes: StatusCause[]): ApiError {
    const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return new ApiError('Invalid', `${kindName} "${name}" is invalid: ${list}`, {
      name,
      kind: kindName,
      causes,
    });
  }

  static badRequest(message: string): ApiError {
    return new ApiError('BadRequest', message);
  }

  static gone(message: string): ApiError {
    return new ApiError('Expired', message);
  }

  static internal(message: string, cause?: unknown): ApiError {
    return new ApiError(
      'InternalError',
      message,
      { causes: [{ reason: 'UnexpectedServerResponse', message, field: '' }] },
      { cause },
    );
  }
}

export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.reason === reason);
}

function qualified(t: ErrorTarget): string {
  return t.group ? `${t.kind ?? ''}.${t.group}` : (t.kind ?? '');
}

function details(t: ErrorTarget): Status['details'] {
  return {
    ...(t.name !== undefined ? { name: t.name } : {}),
    ...(t.group ? { group: t.group } : {}),
    ...(t.kind !== undefined ? { kind: t.kind } : {}),
  };
}

function reasonForCode(code: number): StatusReason {
  const hit = (Object.entries(REASON_CODES) as [StatusReason, number][]).find(
    ([, c]) => c === code,
  );
  return hit ? hit[0] : 'InternalError';
}
