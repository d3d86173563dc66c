/** ObjectMeta validation (ValidateObjectMeta / ValidateObjectMetaUpdate in Kubernetes). */
import type { ObjectMeta } from '../types.ts';
import type { Causes } from './common.ts';
import { labelMap } from './common.ts';
import { IMMUTABLE, child, forbidden, index, invalid, required, tooLong } from './field-errors.ts';
import { qualifiedNameErrors } from './labels.ts';
import { dns1123LabelErrors } from './names.ts';

/** Annotations may hold at most 256 KiB of keys and values together. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** A name rule: the messages for a name (empty = valid). */
export type NameRule = (name: string) => string[];

/** Kubernetes' generateName check: a trailing '-' is allowed, as the suffix follows it. */
function prefixErrors(rule: NameRule, prefix: string): string[] {
  const masked = prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -1)}a` : prefix;
  return rule(masked);
}

/** Checks names, namespace, labels, annotations, ownerReferences and finalizers. */
export function validateObjectMeta(
  out: Causes,
  meta: ObjectMeta,
  opts: { namespaced: boolean; nameRule: NameRule },
): void {
  const p = 'metadata';
  const name = meta.name ?? '';
  const generateName = meta.generateName ?? '';
  if (generateName !== '') {
    for (const m of prefixErrors(opts.nameRule, generateName))
      out.push(invalid(child(p, 'generateName'), generateName, m));
  }
  if (name === '' && generateName === '') {
    out.push(required(child(p, 'name'), 'name or generateName is required'));
  } else if (name !== '') {
    for (const m of opts.nameRule(name)) out.push(invalid(child(p, 'name'), name, m));
  }
  const ns = meta.namespace ?? '';
  if (opts.namespaced) {
    // The API server fills the namespace from the URL; only its form is checked here.
    if (ns !== '')
      for (const m of dns1123LabelErrors(ns)) out.push(invalid(child(p, 'namespace'), ns, m));
  } else if (ns !== '') {
    out.push(forbidden(child(p, 'namespace'), 'not allowed on this type'));
  }
  labelMap(out, child(p, 'labels'), meta.labels);
  validateAnnotations(out, child(p, 'annotations'), meta.annotations);
  validateOwnerReferences(out, meta);
  (meta.finalizers ?? []).forEach((f, i) => {
    for (const m of qualifiedNameErrors(f))
      out.push(invalid(index(child(p, 'finalizers'), i), f, m));
  });
}

/** Annotation keys are qualified names (checked lower-cased); the total size is bounded. */
export function validateAnnotations(
  out: Causes,
  path: string,
  annotations: Record<string, string> | undefined,
): void {
  if (!annotations) return;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: bytes are counted only when that bound is over.
  let bound = 0;
  for (const k of Object.keys(annotations)) {
    for (const m of qualifiedNameErrors(k.toLowerCase())) out.push(invalid(path, k, m));
    bound += 3 * (k.length + (annotations[k] as string).length);
  }
  if (bound <= TOTAL_ANNOTATION_SIZE_LIMIT) return;
  let size = 0;
  for (const k of Object.keys(annotations)) {
    size += Buffer.byteLength(k) + Buffer.byteLength(annotations[k] as string);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
}

function validateOwnerReferences(out: Causes, meta: ObjectMeta): void {
  const p = 'metadata.ownerReferences';
  const controllers: string[] = [];
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const rp = index(p, i);
    if (!ref.apiVersion)
      out.push(invalid(child(rp, 'apiVersion'), ref.apiVersion, 'version must not be empty'));
    if (!ref.kind) out.push(invalid(child(rp, 'kind'), ref.kind, 'kind must not be empty'));
    if (!ref.name) out.push(invalid(child(rp, 'name'), ref.name, 'name must not be empty'));
    if (!ref.uid) out.push(invalid(child(rp, 'uid'), ref.uid, 'uid must not be empty'));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    out.push(
      invalid(
        p,
        controllers,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
      ),
    );
  }
}

/** On update: name, namespace, uid and creationTimestamp may not change (when the request carries them). */
export function validateObjectMetaUpdate(out: Causes, meta: ObjectMeta, old: ObjectMeta): void {
  const fields = ['name', 'namespace', 'uid', 'creationTimestamp'] as const;
  for (const f of fields) {
    const now = meta[f];
    const before = old[f];
    if (now !== undefined && now !== '' && before !== undefined && now !== before) {
      out.push(invalid(child('metadata', f), now, IMMUTABLE));
    }
  }
}
