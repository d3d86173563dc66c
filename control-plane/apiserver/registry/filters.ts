/**
 * The selection of a list or watch: label and field selectors parsed once
 * (with the field labels each kind supports, as Kubernetes checks them),
 * plus the namespace and name they pin, which narrow the store prefix.
 */
import type { ResourceInfo } from '../../api/resources.ts';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type LabelSelectorRequirement,
} from '../../api/selectors.ts';
import type { KubeObject } from '../../api/types.ts';

export interface ObjectFilter {
  labels: LabelSelectorRequirement[];
  fields: FieldRequirement[];
  /** A namespace the field selector pins (metadata.namespace=x). */
  namespace: string | undefined;
  /** A name the field selector or path pins (metadata.name=x). */
  name: string | undefined;
  /** True when selectors may reject objects (lists then read bigger store pages). */
  selective: boolean;
}

/** Parses the selectors of a request; throws ApiError 400 for malformed ones. */
export function buildFilter(
  r: ResourceInfo,
  labelSelector: string,
  fieldSelector: string,
  pathName?: string,
): ObjectFilter {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, r);
  if (pathName !== undefined)
    fields.push({ field: 'metadata.name', operator: '=', value: pathName });
  const pinned = (field: string) =>
    fields.find((f) => f.field === field && f.operator === '=')?.value;
  return {
    labels,
    fields,
    namespace: r.namespaced ? pinned('metadata.namespace') : undefined,
    name: pinned('metadata.name'),
    selective: labels.length > 0 || fields.length > 0,
  };
}

/** A filter that selects everything. */
export const EVERYTHING: ObjectFilter = {
  labels: [],
  fields: [],
  namespace: undefined,
  name: undefined,
  selective: false,
};

/** True when `obj` is selected. */
export function matchesFilter(f: ObjectFilter, obj: KubeObject): boolean {
  if (!f.selective) return true;
  return matchesLabels(f.labels, obj.metadata.labels) && matchesFields(f.fields, obj);
}
