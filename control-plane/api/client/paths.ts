/**
 * Pure helpers that turn a resource, a namespace, a name and options into
 * the Kubernetes REST path and query string ("/apis/apps/v1/namespaces/
 * default/deployments/web/scale?dryRun=All").
 */
import type { ResourceInfo } from '../resources.ts';

/** A label selector as text ("app=web,tier!=db") or as required labels ({ app: 'web' }). */
export type SelectorInput = string | Record<string, string>;

/**
 * The path of a collection (no name) or of one object, optionally of one of
 * its subresources. A namespaced resource without a namespace gives the
 * all-namespaces collection ("/api/v1/pods"); a name needs a namespace.
 */
export function resourcePath(
  r: ResourceInfo,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced && name !== undefined && !namespace) {
    throw new Error(`${r.plural} "${name}": a namespace is required (${r.kind} is namespaced)`);
  }
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  if (name === undefined) return `${root}${ns}/${r.plural}`;
  if (name === '') throw new Error(`${r.plural}: an empty object name was given`);
  const sub = subresource ? `/${subresource}` : '';
  return `${root}${ns}/${r.plural}/${encodeURIComponent(name)}${sub}`;
}

/** "a=b,c=d" from a map; text passes through unchanged. */
export function selectorText(sel: SelectorInput): string {
  if (typeof sel === 'string') return sel;
  return Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * "?k=v&..." from the defined entries of `params` (booleans as "true"), or
 * "" when none is defined.
 */
export function queryString(
  params: Record<string, string | number | boolean | undefined | null>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
