/**
 * The `paths` of a group-version document: per resource the collection,
 * item, all-namespaces, watch and subresource paths with their operations,
 * each tagged with `x-kubernetes-action` and `x-kubernetes-group-version-kind`
 * as the Kubernetes API server publishes them.
 */
import type { ResourceInfo, Subresource } from '../resources.ts';
import { ref } from './components.ts';
import { PRETTY, pathParam, type Parameter } from './parameters.ts';
import { operation, schemaName, type Gvk, type Method, type OpSpec } from './operation.ts';

/** One path item: operations by method plus the shared path parameters. */
export type PathItem = Partial<Record<Method, object>> & { parameters: Parameter[] };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const SUB_GVK: Partial<Record<Subresource, Gvk>> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
};

/** The paths of one resource, keyed by URL path. */
export function resourcePaths(r: ResourceInfo): Record<string, PathItem> {
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind };
  const obj = ref(schemaName(gvk));
  const list = ref(`${schemaName(gvk)}List`);
  const status = ref(`${META}Status`);
  const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const nsPart = r.namespaced ? '/namespaces/{namespace}' : '';
  const nsParam = r.namespaced
    ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')]
    : [];
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const has = (v: string) => (r.verbs as string[]).includes(v);
  const op = (o: Omit<OpSpec, 'r' | 'gvk' | 'suffix'> & { gvk?: Gvk; suffix?: string }) =>
    operation({ r, gvk, suffix: '', ...o });
  const paths: Record<string, PathItem> = {};

  const collection: PathItem = { parameters: [...nsParam, PRETTY] };
  if (has('list'))
    collection.get = op({
      action: 'list',
      verb: 'list',
      description: `list or watch objects of kind ${r.kind}`,
      response: list,
      codes: ['200'],
    });
  if (has('create'))
    collection.post = op({
      action: 'post',
      verb: 'create',
      description: `create a ${r.kind}`,
      request: obj,
      response: obj,
      codes: ['200', '201', '202'],
    });
  if (has('deletecollection'))
    collection.delete = op({
      action: 'deletecollection',
      verb: 'delete',
      collection: true,
      description: `delete collection of ${r.kind}`,
      request: ref(`${META}DeleteOptions`),
      response: status,
      codes: ['200'],
    });
  paths[`${prefix}${nsPart}/${r.plural}`] = collection;

  const item: PathItem = { parameters: [nameParam, ...nsParam, PRETTY] };
  if (has('get'))
    item.get = op({
      action: 'get',
      verb: 'read',
      description: `read the specified ${r.kind}`,
      response: obj,
      codes: ['200'],
    });
  if (has('update'))
    item.put = op({
      action: 'put',
      verb: 'replace',
      description: `replace the specified ${r.kind}`,
      request: obj,
      response: obj,
      codes: ['200', '201'],
    });
  if (has('patch'))
    item.patch = op({
      action: 'patch',
      verb: 'patch',
      description: `partially update the specified ${r.kind}`,
      request: ref(`${META}Patch`),
      response: obj,
      codes: ['200', '201'],
    });
  if (has('delete'))
    item.delete = op({
      action: 'delete',
      verb: 'delete',
      description: `delete a ${r.kind}`,
      request: ref(`${META}DeleteOptions`),
      response: obj,
      codes: ['200', '202'],
    });
  paths[`${prefix}${nsPart}/${r.plural}/{name}`] = item;

  if (has('watch')) {
    const watchEvent = ref(`${META}WatchEvent`);
    paths[`${prefix}/watch${nsPart}/${r.plural}`] = {
      parameters: [...nsParam, PRETTY],
      get: op({
        action: 'watchlist',
        verb: 'watch',
        suffix: 'List',
        description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        response: watchEvent,
        codes: ['200'],
      }),
    };
    paths[`${prefix}/watch${nsPart}/${r.plural}/{name}`] = {
      parameters: [nameParam, ...nsParam, PRETTY],
      get: op({
        action: 'watch',
        verb: 'watch',
        description: `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        response: watchEvent,
        codes: ['200'],
      }),
    };
  }
  if (r.namespaced && has('list')) {
    paths[`${prefix}/${r.plural}`] = {
      parameters: [PRETTY],
      get: op({
        action: 'list',
        verb: 'list',
        allNamespaces: true,
        description: `list or watch objects of kind ${r.kind}`,
        response: list,
        codes: ['200'],
      }),
    };
    if (has('watch'))
      paths[`${prefix}/watch/${r.plural}`] = {
        parameters: [PRETTY],
        get: op({
          action: 'watchlist',
          verb: 'watch',
          allNamespaces: true,
          suffix: 'List',
          description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          response: ref(`${META}WatchEvent`),
          codes: ['200'],
        }),
      };
  }
  for (const sub of r.subresources)
    Object.assign(
      paths,
      subresourcePaths(
        r,
        sub,
        `${prefix}${nsPart}/${r.plural}/{name}/${sub}`,
        [nameParam, ...nsParam, PRETTY],
        op,
      ),
    );
  return paths;
}

function subresourcePaths(
  r: ResourceInfo,
  sub: Subresource,
  path: string,
  parameters: Parameter[],
  op: (o: Omit<OpSpec, 'r' | 'gvk' | 'suffix'> & { gvk?: Gvk; suffix?: string }) => object,
): Record<string, PathItem> {
  const suffix = sub.charAt(0).toUpperCase() + sub.slice(1);
  const item: PathItem = { parameters };
  if (sub === 'status' || sub === 'scale') {
    const gvk = SUB_GVK[sub];
    const body = ref(
      gvk ? schemaName(gvk) : schemaName({ group: r.group, version: r.version, kind: r.kind }),
    );
    const common = { suffix, ...(gvk ? { gvk } : {}) };
    item.get = op({
      ...common,
      action: 'get',
      verb: 'read',
      description: `read ${sub} of the specified ${r.kind}`,
      response: body,
      codes: ['200'],
    });
    item.put = op({
      ...common,
      action: 'put',
      verb: 'replace',
      description: `replace ${sub} of the specified ${r.kind}`,
      request: body,
      response: body,
      codes: ['200', '201'],
    });
    item.patch = op({
      ...common,
      action: 'patch',
      verb: 'patch',
      description: `partially update ${sub} of the specified ${r.kind}`,
      request: ref(`${META}Patch`),
      response: body,
      codes: ['200', '201'],
    });
  } else if (sub === 'binding' || sub === 'eviction') {
    const gvk = SUB_GVK[sub] as Gvk;
    const body = ref(schemaName(gvk));
    item.post = op({
      suffix,
      gvk,
      action: 'post',
      verb: 'create',
      description: `create ${sub} of a ${r.kind}`,
      request: body,
      response: body,
      codes: ['200', '201', '202'],
    });
  } else if (sub === 'log') {
    item.get = op({
      suffix,
      action: 'log',
      verb: 'read',
      description: `read log of the specified ${r.kind}`,
      response: { type: 'string' },
      codes: ['200'],
    });
  }
  return { [path]: item };
}
