/** The query and path parameters of Kubernetes operations, inline as the API server writes them. */

/** One OpenAPI parameter. */
export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer' | 'boolean'; uniqueItems: true };
}

function q(name: string, type: Parameter['schema']['type'], description: string): Parameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

/** A path parameter ({name}, {namespace}). */
export function pathParam(name: string, description: string): Parameter {
  return {
    name,
    in: 'path',
    description,
    required: true,
    schema: { type: 'string', uniqueItems: true },
  };
}

export const PRETTY = q('pretty', 'string', "If 'true', then the output is pretty printed.");
const DRY_RUN = q(
  'dryRun',
  'string',
  'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
);
const FIELD_MANAGER = q(
  'fieldManager',
  'string',
  'fieldManager is a name associated with the actor or entity that is making these changes.',
);
const FIELD_VALIDATION = q(
  'fieldValidation',
  'string',
  'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
);
const FORCE = q('force', 'boolean', 'Force is going to "force" Apply requests.');

const LIST = [
  q(
    'allowWatchBookmarks',
    'boolean',
    'allowWatchBookmarks requests watch events with type "BOOKMARK".',
  ),
  q(
    'continue',
    'string',
    'The continue option should be set when retrieving more results from the server.',
  ),
  q(
    'fieldSelector',
    'string',
    'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
  ),
  q(
    'labelSelector',
    'string',
    'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  ),
  q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  q(
    'resourceVersion',
    'string',
    'resourceVersion sets a constraint on what resource versions a request may be served from.',
  ),
  q(
    'resourceVersionMatch',
    'string',
    'resourceVersionMatch determines how resourceVersion is applied to list calls.',
  ),
  q('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true.'),
  q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  q(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  ),
];

const DELETE = [
  DRY_RUN,
  q(
    'gracePeriodSeconds',
    'integer',
    'The duration in seconds before the object should be deleted.',
  ),
  q(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.',
  ),
  q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  q(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'.",
  ),
];

const LOG = [
  q(
    'container',
    'string',
    'The container for which to stream logs. Defaults to only container if there is one container in the pod.',
  ),
  q('follow', 'boolean', 'Follow the log stream of the pod. Defaults to false.'),
  q(
    'insecureSkipTLSVerifyBackend',
    'boolean',
    'insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.',
  ),
  q(
    'limitBytes',
    'integer',
    'If set, the number of bytes to read from the server before terminating the log output.',
  ),
  q('previous', 'boolean', 'Return previous terminated container logs. Defaults to false.'),
  q(
    'sinceSeconds',
    'integer',
    'A relative time in seconds before the current time from which to show logs.',
  ),
  q('stream', 'string', 'Specify which container log stream to return to the client.'),
  q('tailLines', 'integer', 'If set, the number of lines from the end of the logs to show.'),
  q(
    'timestamps',
    'boolean',
    'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output.',
  ),
];

/** Query parameters per Kubernetes action. */
export const ACTION_PARAMS: Record<string, Parameter[]> = {
  get: [],
  list: LIST,
  watch: LIST,
  watchlist: LIST,
  post: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
  put: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
  patch: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
  delete: DELETE,
  deletecollection: [
    ...DELETE,
    ...LIST.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'),
  ],
  log: LOG,
};
