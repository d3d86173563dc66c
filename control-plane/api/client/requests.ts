/**
 * Pure builders of query strings and request bodies: list, watch and write
 * options as query parameters, DeleteOptions, and the Binding and
 * Eviction objects of the pod subresources.
 */
import type { ResourceInfo } from '../resources.ts';
import type { DeleteOptionsBody, ListOptions, WatchOptions, WriteOptions } from './options.ts';
import { queryString, selectorText, type SelectorInput } from './paths.ts';

/** "?labelSelector=...&fieldSelector=..." (either may be absent). */
export function selectionQuery(o: {
  labelSelector?: SelectorInput;
  fieldSelector?: SelectorInput;
}): string {
  return queryString(selection(o));
}

/** The query of a list call. */
export function listQuery(o: ListOptions): string {
  return queryString({
    ...selection(o),
    limit: o.limit || undefined,
    continue: o.continue,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
  });
}

/** The query of a watch call. */
export function watchQuery(o: WatchOptions): string {
  return queryString({
    watch: true,
    resourceVersion: o.resourceVersion,
    ...selection(o),
    allowWatchBookmarks: o.allowWatchBookmarks,
    timeoutSeconds: o.timeoutSeconds,
  });
}

/** "?dryRun=All&fieldManager=...&fieldValidation=..." from write options (plus `extra`). */
export function writeQuery(opts: WriteOptions, extra: Record<string, boolean> = {}): string {
  return queryString({
    dryRun: opts.dryRun ? 'All' : undefined,
    fieldManager: opts.fieldManager,
    fieldValidation: opts.fieldValidation,
    ...extra,
  });
}

/** The object's metadata.name; throws naming the resource when it has none. */
export function requireName(r: ResourceInfo, obj: { metadata?: { name?: string } }): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${r.plural}: the object has no metadata.name`);
  return name;
}

/** A meta/v1 DeleteOptions body, or undefined when no field is set (no body is sent). */
export function deleteBody(o: DeleteOptionsBody): Record<string, unknown> | undefined {
  const fields = {
    ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
    ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
    ...(o.preconditions ? { preconditions: o.preconditions } : {}),
    ...(o.dryRun ? { dryRun: o.dryRun } : {}),
  };
  if (Object.keys(fields).length === 0) return undefined;
  return { apiVersion: 'v1', kind: 'DeleteOptions', ...fields };
}

/** The v1 Binding that assigns a pod to a node. */
export function bindingBody(
  pod: { name: string; uid?: string },
  namespace: string,
  nodeName: string,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: pod.name, namespace, ...(pod.uid ? { uid: pod.uid } : {}) },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
}

/** The policy/v1 Eviction of a pod, with DeleteOptions when any are given. */
export function evictionBody(
  name: string,
  namespace: string,
  opts: DeleteOptionsBody,
): Record<string, unknown> {
  const deleteOptions = deleteBody(opts);
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace },
    ...(deleteOptions ? { deleteOptions } : {}),
  };
}

function selection(o: { labelSelector?: SelectorInput; fieldSelector?: SelectorInput }) {
  return {
    labelSelector: o.labelSelector && selectorText(o.labelSelector),
    fieldSelector: o.fieldSelector && selectorText(o.fieldSelector),
  };
}
