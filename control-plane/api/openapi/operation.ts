/** One OpenAPI operation as the Kubernetes API server writes it (operationId, parameters, bodies, extensions). */
import type { ResourceInfo } from '../resources.ts';
import { ACTION_PARAMS } from './parameters.ts';

export type Gvk = { group: string; version: string; kind: string };
export type Action =
  | 'get'
  | 'list'
  | 'watch'
  | 'watchlist'
  | 'post'
  | 'put'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'log';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const JSON_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/** Kubernetes OpenAPI name of a kind's schema, e.g. io.k8s.api.apps.v1.Deployment. */
export function schemaName(gvk: Gvk): string {
  const group = gvk.group === '' ? 'core' : gvk.group.replace(/\.k8s\.io$/, '').replace(/\./g, '');
  return `io.k8s.api.${group}.${gvk.version}.${gvk.kind}`;
}

function content(schema: object, types = JSON_TYPES): object {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function camel(s: string): string {
  return s
    .split(/[.-]/)
    .filter((p) => p !== 'k8s' && p !== 'io')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

export interface OpSpec {
  action: Action;
  verb: string;
  description: string;
  gvk: Gvk;
  request?: object;
  response: object;
  codes: string[];
  suffix: string;
  r: ResourceInfo;
  allNamespaces?: boolean;
  collection?: boolean;
}

export function operation(o: OpSpec): object {
  const r = o.r;
  const scope = r.namespaced && !o.allNamespaces ? 'Namespaced' : '';
  const group = r.group === '' ? 'Core' : camel(r.group);
  const ver = r.version.charAt(0).toUpperCase() + r.version.slice(1);
  const forAll = o.allNamespaces ? 'ForAllNamespaces' : '';
  const tag = `${r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}_${r.version}`;
  const names: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  const responseTypes =
    o.action === 'log'
      ? ['text/plain']
      : o.action.startsWith('watch')
        ? [...JSON_TYPES, 'application/json;stream=watch']
        : JSON_TYPES;
  return {
    description: o.description,
    operationId: `${o.verb}${group}${ver}${o.collection ? 'Collection' : ''}${scope}${r.kind}${o.suffix}${forAll}`,
    parameters: ACTION_PARAMS[o.action] ?? [],
    ...(o.request
      ? {
          requestBody: {
            content: content(o.request, o.action === 'patch' ? PATCH_TYPES : JSON_TYPES),
            required: true,
          },
        }
      : {}),
    responses: Object.fromEntries([
      ...o.codes.map((c) => [
        c,
        { description: names[c] ?? c, content: content(o.response, responseTypes) },
      ]),
      ['401', { description: 'Unauthorized' }],
    ]),
    tags: [tag],
    'x-kubernetes-action': o.action === 'log' ? 'connect' : o.action,
    'x-kubernetes-group-version-kind': o.gvk,
  };
}
