/**
 * Discovery documents built from the RESOURCES table: /api (APIVersions),
 * /apis (APIGroupList), /apis/<group> (APIGroup), /api/v1 and
 * /apis/<group>/<version> (APIResourceList), and the aggregated form
 * (apidiscovery.k8s.io APIGroupDiscoveryList) that kubectl asks for first.
 */
import { createHash } from 'node:crypto';
import {
  groupVersion,
  RESOURCES,
  type ResourceInfo,
  type Subresource,
} from '../../api/resources.ts';

interface SubresourceInfo {
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
}

/** What each subresource is and allows, as kube-apiserver lists them. */
function subresourceInfo(r: ResourceInfo, sub: Subresource | 'finalize'): SubresourceInfo {
  switch (sub) {
    case 'status':
      return { kind: r.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return {
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      };
    case 'binding':
      return { kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'log':
      return { kind: 'Pod', verbs: ['get'] };
    case 'finalize':
      return { kind: r.kind, verbs: ['update'] };
  }
}

function subresourcesOf(r: ResourceInfo): (Subresource | 'finalize')[] {
  return r.plural === 'namespaces' ? [...r.subresources, 'finalize'] : [...r.subresources];
}

/** The groups served under /apis, in RESOURCES order. */
export function apiGroups(): string[] {
  return [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))];
}

function versionsOf(group: string): string[] {
  return [...new Set(RESOURCES.filter((r) => r.group === group).map((r) => r.version))];
}

/** Kubernetes' storageVersionHash: 8 bytes of sha256 over group/version/kind, base64. */
function storageVersionHash(r: ResourceInfo): string {
  return createHash('sha256')
    .update(`${r.group}/${r.version}/${r.kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** /api */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** /apis/<group>, or undefined for an unknown group. */
export function apiGroup(group: string): Record<string, unknown> | undefined {
  const versions = versionsOf(group);
  if (group === '' || versions.length === 0) return undefined;
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions: list,
    preferredVersion: list[0],
  };
}

/** /apis */
export function apiGroupList(): Record<string, unknown> {
  const groups = apiGroups().map((g) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g) as Record<string, unknown>;
    return rest;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** /api/v1 or /apis/<group>/<version>, or undefined when not served. */
export function apiResourceList(
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
      storageVersionHash: storageVersionHash(r),
    });
    for (const sub of subresourcesOf(r)) {
      const s = subresourceInfo(r, sub);
      resources.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources,
  };
}

/** The aggregated discovery document of /api (core) or /apis (named groups). */
export function aggregatedDiscovery(
  scope: 'api' | 'apis',
  version: 'v2' | 'v2beta1',
): Record<string, unknown> {
  const groups = scope === 'api' ? [''] : apiGroups();
  const items = groups.map((g) => ({
    metadata: { name: g },
    versions: versionsOf(g).map((v) => ({
      version: v,
      resources: RESOURCES.filter((r) => r.group === g && r.version === v).map(resourceDiscovery),
      freshness: 'Current',
    })),
  }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items,
  };
}

function resourceDiscovery(r: ResourceInfo): Record<string, unknown> {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(subresourcesOf(r).length
      ? {
          subresources: subresourcesOf(r).map((sub) => {
            const s = subresourceInfo(r, sub);
            return {
              subresource: sub,
              responseKind: {
                group: s.group ?? r.group,
                version: s.version ?? r.version,
                kind: s.kind,
              },
              verbs: s.verbs,
            };
          }),
        }
      : {}),
  };
}
