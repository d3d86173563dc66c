/**
 * What a resource request asks for, read from its method and path the way
 * Kubernetes' RequestInfoFactory reads it:
 *
 *   /api/v1/pods                                   list/watch across namespaces
 *   /api/v1/namespaces/{ns}/pods[/{name}[/{sub}]]  namespaced
 *   /api/v1/nodes[/{name}[/{sub}]]                 cluster-scoped
 *   /api/v1/namespaces/{name}[/status|/finalize]   a namespace itself
 *   /api/v1/watch/namespaces/{ns}/pods[/{name}]    the legacy watch paths
 *   /apis/{group}/{version}/...                    the same under a group
 */
import { ApiError } from '../api/errors.ts';
import { findResource, type ResourceInfo, type Verb } from '../api/resources.ts';

export interface RequestInfo {
  resource: ResourceInfo;
  verb: Verb;
  /** The namespace in the path; undefined for cluster-scoped resources and cross-namespace lists. */
  namespace: string | undefined;
  name: string | undefined;
  /** "status", "scale", "binding", "log", "eviction", "finalize". */
  subresource: string | undefined;
}

// A namespace's own subresources; anything else after /namespaces/{ns}/ is a resource.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** The 404 kubectl shows as "the server could not find the requested resource". */
export function notFoundPath(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found', field: '' }],
  });
}

/**
 * Parses a resource path below /api or /apis. Returns undefined for
 * discovery paths (/api, /api/v1, /apis/apps/v1), which other routes serve.
 * Throws ApiError 404 for an unknown resource or a malformed path and 405
 * for a method the path does not take.
 */
export function parseRequestInfo(
  method: string,
  path: string,
  watchParam: boolean,
): RequestInfo | undefined {
  const parts = splitPath(path);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1] as string;
    rest = parts.slice(2);
  } else {
    return undefined;
  }
  const version = rest[0] as string;
  rest = rest.slice(1);
  if (rest.length === 0) return undefined;

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) throw notFoundPath();
  const [plural, name, subresource] = rest as [string, string | undefined, string | undefined];
  const resource = findResource(group, version, plural);
  if (!resource) throw notFoundPath();
  if (!resource.namespaced) namespace = undefined;
  if (resource.namespaced && namespace === undefined && name !== undefined) throw notFoundPath();
  if (subresource !== undefined && !hasSubresource(resource, subresource)) throw notFoundPath();

  const verb = verbFor(method, name !== undefined, watchParam || legacyWatch);
  if (legacyWatch && verb !== 'watch') throw methodNotAllowed();
  if (subresource === undefined && !resource.verbs.includes(verb)) throw methodNotAllowed();
  return { resource, verb, namespace, name, subresource };
}

function verbFor(method: string, named: boolean, watch: boolean): Verb {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      if (!named) throw methodNotAllowed();
      return 'update';
    case 'PATCH':
      if (!named) throw methodNotAllowed();
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      throw methodNotAllowed();
  }
}

// Routed so that they answer a clear Status (kinds/pod-log.ts), not a 404.
const POD_STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

function hasSubresource(r: ResourceInfo, sub: string): boolean {
  if (r.plural === 'namespaces' && sub === 'finalize') return true;
  if (r.group === '' && r.plural === 'pods' && POD_STREAM_SUBRESOURCES.has(sub)) return true;
  return (r.subresources as string[]).includes(sub);
}

/** 405 as Kubernetes words it. */
export function methodNotAllowed(): ApiError {
  return new ApiError(
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '') continue;
    // Most segments hold no escape: nothing to decode.
    if (!seg.includes('%')) {
      out.push(seg);
      continue;
    }
    try {
      out.push(decodeURIComponent(seg));
    } catch {
      throw notFoundPath();
    }
  }
  return out;
}
