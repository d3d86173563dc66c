/** Small shared checks: numeric ranges, enums, ports, IPs, the label-selector rules. */
import { isIP } from 'node:net';
import type { StatusCause } from '../errors.ts';
import type { LabelSelector } from '../types.ts';
import { child, index, invalid, notSupported, required } from './field-errors.ts';
import { qualifiedNameErrors, validateLabelValue } from './labels.ts';
import { ianaSvcNameErrors } from './names.ts';

/** Causes accumulate in an array passed down the walk. */
export type Causes = StatusCause[];

/** "must be greater than or equal to 0" for a negative number. */
export function nonNegative(out: Causes, path: string, v: number | undefined): void {
  if (v !== undefined && v < 0) out.push(invalid(path, v, 'must be greater than or equal to 0'));
}

/** "must be greater than 0" for a number ≤ 0. */
export function positive(out: Causes, path: string, v: number | undefined): void {
  if (v !== undefined && v <= 0) out.push(invalid(path, v, 'must be greater than 0'));
}

/** Unsupported value unless `v` is one of `allowed`; `requiredIfEmpty` makes "" a Required error. */
export function oneOf(
  out: Causes,
  path: string,
  v: string | undefined,
  allowed: readonly string[],
  requiredIfEmpty = false,
): void {
  if (v === undefined || v === '') {
    if (requiredIfEmpty) out.push(required(path, ''));
    return;
  }
  if (!allowed.includes(v)) out.push(notSupported(path, v, allowed));
}

/** A port number: 1–65535. */
export function portNumber(out: Causes, path: string, v: number | undefined): void {
  if (v !== undefined && (v < 1 || v > 65535))
    out.push(invalid(path, v, 'must be between 1 and 65535, inclusive'));
}

/** A port given by number (1–65535) or by IANA_SVC_NAME (probes, targetPort). */
export function portNumOrName(out: Causes, path: string, v: number | string | undefined): void {
  if (v === undefined) return;
  if (typeof v === 'number') return portNumber(out, path, v);
  // A string is a port name even when it looks like a number, as for Kubernetes' IntOrString.
  for (const m of ianaSvcNameErrors(v)) out.push(invalid(path, v, m));
}

/** An IP address literal (v4 or v6). */
export function ipAddress(out: Causes, path: string, v: string | undefined): void {
  if (v !== undefined && v !== '' && isIP(v) === 0)
    out.push(invalid(path, v, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
}

/** A CIDR such as 10.244.1.0/24. */
export function cidr(out: Causes, path: string, v: string): void {
  const [ip, bits, extra] = v.split('/');
  const max = isIP(ip ?? '') === 6 ? 128 : 32;
  const ok =
    extra === undefined &&
    isIP(ip ?? '') !== 0 &&
    bits !== undefined &&
    /^\d+$/.test(bits) &&
    Number(bits) <= max;
  if (!ok)
    out.push(invalid(path, v, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
}

/** Label maps (labels, nodeSelector, selector.matchLabels): keys qualified names, values label values. */
export function labelMap(
  out: Causes,
  path: string,
  labels: Record<string, string> | undefined,
): void {
  if (!labels) return;
  for (const k of Object.keys(labels)) {
    const v = labels[k] as string;
    for (const m of qualifiedNameErrors(k)) out.push(invalid(path, k, m));
    for (const m of validateLabelValue(v)) out.push(invalid(path, v, m));
  }
}

const SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A metav1.LabelSelector: matchLabels as labels, matchExpressions with known operators and values. */
export function labelSelector(out: Causes, path: string, sel: LabelSelector | undefined): void {
  if (!sel) return;
  labelMap(out, child(path, 'matchLabels'), sel.matchLabels);
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = req.values ?? [];
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (values.length === 0)
        out.push(
          required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"),
        );
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length > 0)
        out.push(
          invalid(
            child(p, 'values'),
            values,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
    } else {
      out.push(notSupported(child(p, 'operator'), req.operator, SELECTOR_OPS));
    }
    for (const m of qualifiedNameErrors(req.key)) out.push(invalid(child(p, 'key'), req.key, m));
    values.forEach((v, j) => {
      for (const m of validateLabelValue(v)) out.push(invalid(index(child(p, 'values'), j), v, m));
    });
  });
}

/** True if the selector selects `labels` (matchLabels and matchExpressions ANDed). */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const val = labels[req.key];
    const inValues = val !== undefined && (req.values ?? []).includes(val);
    if (req.operator === 'In' && !inValues) return false;
    if (req.operator === 'NotIn' && inValues) return false;
    if (req.operator === 'Exists' && !has) return false;
    if (req.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** True if the selector has neither matchLabels nor matchExpressions. */
export function selectorEmpty(sel: LabelSelector): boolean {
  return (
    Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0
  );
}
