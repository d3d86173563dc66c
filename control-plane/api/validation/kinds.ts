/** Validation of Node, Namespace, ConfigMap, Secret, Lease and Event. */
import type { ConfigMap, Event, Lease, Namespace, Node, Secret } from '../types.ts';
import type { Causes } from './common.ts';
import { cidr, ipAddress, nonNegative, oneOf, positive } from './common.ts';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  key,
  required,
  tooLong,
} from './field-errors.ts';
import { qualifiedNameErrors, validateLabelValue } from './labels.ts';
import { maxLenError, regexError } from './names.ts';
import { parseQuantity } from './quantity.ts';
import { TAINT_EFFECTS } from './scheduling.ts';

/** ConfigMaps and Secrets hold at most 1 MiB of data. */
export const MAX_DATA_SIZE = 1024 * 1024;
const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_ERR = regexError(
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
  '[-._a-zA-Z0-9]+',
  'key.name',
  'KEY_NAME',
  'key-name',
);
const NODE_ADDRESS_TYPES = [
  'ExternalDNS',
  'ExternalIP',
  'Hostname',
  'InternalDNS',
  'InternalIP',
] as const;

/** Messages for a ConfigMap/Secret key (empty = valid). */
export function configKeyErrors(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push(maxLenError(253));
  if (!CONFIG_KEY_RE.test(k)) errs.push(CONFIG_KEY_ERR);
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function dataKeys(out: Causes, field: string, data: Record<string, string> | undefined): number {
  let size = 0;
  for (const [k, v] of Object.entries(data ?? {})) {
    for (const m of configKeyErrors(k)) out.push(invalid(key(field, k), k, m));
    size += v.length;
  }
  return size;
}

export function validateConfigMap(out: Causes, cm: ConfigMap): void {
  let size = dataKeys(out, 'data', cm.data);
  size += dataKeys(out, 'binaryData', cm.binaryData);
  for (const k of Object.keys(cm.binaryData ?? {}))
    if (cm.data && Object.hasOwn(cm.data, k))
      out.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  if (size > MAX_DATA_SIZE) out.push(tooLong('', MAX_DATA_SIZE));
}

/** Keys a Secret of a well-known type must carry in data. */
const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(out: Causes, s: Secret): void {
  let size = 0;
  for (const [k, v] of Object.entries(s.data ?? {})) {
    for (const m of configKeyErrors(k)) out.push(invalid(key('data', k), k, m));
    size += Math.floor((v.length * 3) / 4);
  }
  if (size > MAX_DATA_SIZE) out.push(tooLong('data', MAX_DATA_SIZE));
  const type = s.type ?? 'Opaque';
  for (const k of SECRET_REQUIRED_KEYS[type] ?? [])
    if (!s.data || !Object.hasOwn(s.data, k)) out.push(required(key('data', k), ''));
  if (
    type === 'kubernetes.io/service-account-token' &&
    !s.metadata.annotations?.['kubernetes.io/service-account.name']
  )
    out.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
}

/** On update of an immutable ConfigMap or Secret: data and the flag stay as they were. */
export function validateImmutableData(
  out: Causes,
  obj: Record<string, unknown>,
  old: Record<string, unknown>,
  fields: string[],
): void {
  if (old['immutable'] !== true) return;
  if (obj['immutable'] !== true)
    out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields)
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {}))
      out.push(forbidden(f, 'field is immutable when `immutable` is set'));
}

export function validateNamespace(out: Causes, ns: Namespace): void {
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    for (const m of qualifiedNameErrors(f)) out.push(invalid(index('spec.finalizers', i), f, m));
  });
  oneOf(out, 'status.phase', ns.status?.phase, ['Active', 'Terminating']);
}

export function validateNode(out: Causes, node: Node): void {
  const spec = node.spec ?? {};
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const p = index('spec.taints', i);
    if (!t.key) out.push(required(child(p, 'key'), ''));
    else for (const m of qualifiedNameErrors(t.key)) out.push(invalid(child(p, 'key'), t.key, m));
    if (t.value)
      for (const m of validateLabelValue(t.value)) out.push(invalid(child(p, 'value'), t.value, m));
    oneOf(out, child(p, 'effect'), t.effect, TAINT_EFFECTS, true);
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) out.push(duplicate(p, `${t.key}:${t.effect}`));
    seen.add(k);
  });
  if (spec.podCIDR) cidr(out, 'spec.podCIDR', spec.podCIDR);
  (spec.podCIDRs ?? []).forEach((c, i) => cidr(out, index('spec.podCIDRs', i), c));
  if (spec.podCIDR && spec.podCIDRs?.length && spec.podCIDRs[0] !== spec.podCIDR)
    out.push(invalid('spec.podCIDRs', spec.podCIDRs, 'first entry must match `podCIDR`'));
  validateNodeStatus(out, node);
}

export function validateNodeStatus(out: Causes, node: Node): void {
  const st = node.status;
  if (!st) return;
  for (const f of ['capacity', 'allocatable'] as const) {
    for (const [name, q] of Object.entries(st[f] ?? {})) {
      const v = parseQuantity(q);
      if (v !== undefined && v < 0)
        out.push(
          invalid(key(`status.${f}`, name), String(q), 'must be greater than or equal to 0'),
        );
    }
  }
  (st.addresses ?? []).forEach((a, i) => {
    const p = index('status.addresses', i);
    oneOf(out, child(p, 'type'), a.type, NODE_ADDRESS_TYPES, true);
    if (a.type === 'InternalIP' || a.type === 'ExternalIP')
      ipAddress(out, child(p, 'address'), a.address);
  });
}

export function validateLease(out: Causes, l: Lease): void {
  const s = l.spec;
  if (!s) return;
  positive(out, 'spec.leaseDurationSeconds', s.leaseDurationSeconds);
  nonNegative(out, 'spec.leaseTransitions', s.leaseTransitions);
  if (s.strategy !== undefined) oneOf(out, 'spec.strategy', s.strategy, ['OldestEmulationVersion']);
}

export function validateEvent(out: Causes, e: Event): void {
  const involved = e.involvedObject;
  const ns = e.metadata.namespace;
  if (involved.namespace && ns && involved.namespace !== ns)
    out.push(
      invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'),
    );
  nonNegative(out, 'count', e.count);
  if (e.type !== undefined && e.type !== '') oneOf(out, 'type', e.type, ['Normal', 'Warning']);
}
