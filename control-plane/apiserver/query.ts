/**
 * Query parameters of resource requests, parsed and checked once so the
 * handlers see typed options. Rules and wording follow Kubernetes'
 * ValidateListOptions / ValidateCreateOptions.
 */
import { ApiError, type StatusCause } from '../api/errors.ts';

export interface ListQuery {
  labelSelector: string;
  fieldSelector: string;
  /** 0 = no limit. */
  limit: number;
  continue: string | undefined;
  /** undefined when absent or empty. */
  resourceVersion: string | undefined;
  resourceVersionMatch: 'Exact' | 'NotOlderThan' | undefined;
  timeoutSeconds: number | undefined;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  includeObject: 'None' | 'Metadata' | 'Object' | undefined;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteQuery {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager: string | undefined;
}

/** Reads `name` once; a repeated parameter takes its first value, as Go's url.Values.Get. */
export function param(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null ? undefined : v;
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = param(q, name);
  return v === '1' || v === 'true' || v === 'True' || v === 'TRUE';
}

/** Parses list/watch options; `watch` selects the watch-only rules. */
export function parseListQuery(q: URLSearchParams, watch: boolean): ListQuery {
  const rv = param(q, 'resourceVersion') || undefined;
  const match = param(q, 'resourceVersionMatch') || undefined;
  const cont = param(q, 'continue') || undefined;
  const sie = param(q, 'sendInitialEvents');
  const out: ListQuery = {
    labelSelector: param(q, 'labelSelector') ?? '',
    fieldSelector: param(q, 'fieldSelector') ?? '',
    limit: intParam(q, 'limit') ?? 0,
    continue: cont,
    resourceVersion: rv,
    resourceVersionMatch: undefined,
    timeoutSeconds: intParam(q, 'timeoutSeconds'),
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
    sendInitialEvents:
      sie === undefined || sie === '' ? undefined : boolParam(q, 'sendInitialEvents'),
    includeObject: parseIncludeObject(q),
  };
  const causes = watch
    ? watchRules(match, cont, out.sendInitialEvents)
    : listRules(match, rv, cont, out.sendInitialEvents);
  if (match === 'Exact' || match === 'NotOlderThan') out.resourceVersionMatch = match;
  if (cont !== undefined && rv !== undefined && rv !== '0') {
    causes.push(
      forbidden(
        'resourceVersion',
        'specifying resource version is not allowed when using continue',
      ),
    );
  }
  if (out.limit < 0)
    causes.push(cause('FieldValueInvalid', 'limit', 'must be greater than or equal to 0'));
  if (causes.length) throw ApiError.invalid('ListOptions', '', causes);
  if (out.resourceVersion !== undefined) parseResourceVersion(out.resourceVersion);
  return out;
}

/** The includeObject parameter of Table requests (400 for an unknown value). */
export function parseIncludeObject(q: URLSearchParams): ListQuery['includeObject'] {
  const include = param(q, 'includeObject') || undefined;
  if (
    include === undefined ||
    include === 'None' ||
    include === 'Metadata' ||
    include === 'Object'
  ) {
    return include;
  }
  throw ApiError.badRequest(
    `includeObject: Unsupported value: "${include}": supported values: "None", "Metadata", "Object"`,
  );
}

// ValidateListOptions of Kubernetes, for a list.
function listRules(
  match: string | undefined,
  rv: string | undefined,
  cont: string | undefined,
  sendInitialEvents: boolean | undefined,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (match !== undefined) {
    if (rv === undefined) {
      causes.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden unless resourceVersion is provided',
        ),
      );
    }
    if (cont !== undefined) {
      causes.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden when continue is provided',
        ),
      );
    }
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      causes.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    }
    if (match === 'Exact' && rv === '0') {
      causes.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        ),
      );
    }
  }
  if (sendInitialEvents !== undefined) {
    causes.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  return causes;
}

// validateWatchOptions of Kubernetes (the watch-list feature is on).
function watchRules(
  match: string | undefined,
  cont: string | undefined,
  sendInitialEvents: boolean | undefined,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    causes.push(
      forbidden(
        'resourceVersionMatch',
        'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      ),
    );
  }
  if (match !== undefined) {
    if (sendInitialEvents === undefined) {
      causes.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ),
      );
    }
    if (match !== 'NotOlderThan')
      causes.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (cont !== undefined) {
      causes.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden when continue is provided',
        ),
      );
    }
  }
  return causes;
}

function notSupported(field: string, value: string, supported: string[]): StatusCause {
  const list = supported.map((v) => JSON.stringify(v)).join(', ');
  return cause(
    'FieldValueNotSupported',
    field,
    `Unsupported value: ${JSON.stringify(value)}: supported values: ${list}`,
  );
}

/** Parses write options (create, update, patch, delete). */
export function parseWriteQuery(q: URLSearchParams): WriteQuery {
  const dry = q.getAll('dryRun').filter((v) => v !== '');
  for (const v of dry) {
    if (v !== 'All') {
      throw ApiError.invalid('CreateOptions', '', [
        cause(
          'FieldValueNotSupported',
          'dryRun',
          `Unsupported value: "${v}": supported values: "All"`,
        ),
      ]);
    }
  }
  const fv = param(q, 'fieldValidation') || 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    // 422 as ValidateFieldValidation answers it, like dryRun above.
    throw ApiError.invalid('CreateOptions', '', [
      cause(
        'FieldValueNotSupported',
        'fieldValidation',
        `Unsupported value: ${JSON.stringify(fv)}: supported values: "", "Ignore", "Strict", "Warn"`,
      ),
    ]);
  }
  return { dryRun: dry.length > 0, fieldValidation: fv, fieldManager: param(q, 'fieldManager') };
}

/**
 * A resourceVersion as a store revision. Kubernetes treats it as opaque,
 * but a value the server never produced is a 400 with its wording.
 */
export function parseResourceVersion(rv: string): number {
  if (!/^\d{1,15}$/.test(rv)) {
    throw ApiError.badRequest(`invalid resource version "${rv}"`);
  }
  return Number(rv);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = param(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) {
    throw ApiError.badRequest(
      `invalid value for query parameter ${name}: "${v}" is not an integer`,
    );
  }
  return Number(v);
}

function cause(reason: string, field: string, message: string): StatusCause {
  return { reason, field, message };
}

function forbidden(field: string, message: string): StatusCause {
  return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${message}` };
}
