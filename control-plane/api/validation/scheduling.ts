/** Validation of the scheduling constraints of a pod spec: tolerations, affinity, topology spread. */
import type {
  Affinity,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinityTerm,
  Toleration,
  TopologySpreadConstraint,
} from '../types.ts';
import type { Causes } from './common.ts';
import { labelSelector, oneOf } from './common.ts';
import { child, duplicate, index, invalid, notSupported, required } from './field-errors.ts';
import { qualifiedNameErrors, validateLabelValue } from './labels.ts';

export const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;
const NODE_SELECTOR_OPS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] as const;

/** Tolerations: operator Exists/Equal, key rules, effect enum, tolerationSeconds only with NoExecute. */
export function validateTolerations(out: Causes, path: string, tolerations: Toleration[]): void {
  tolerations.forEach((t, i) => {
    const p = index(path, i);
    const op = t.operator ?? 'Equal';
    if (t.key)
      for (const m of qualifiedNameErrors(t.key)) out.push(invalid(child(p, 'key'), t.key, m));
    if (!t.key && op !== 'Exists')
      out.push(
        invalid(
          child(p, 'operator'),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (op === 'Exists' && t.value)
      out.push(
        invalid(child(p, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"),
      );
    else if (op === 'Equal' && t.value)
      for (const m of validateLabelValue(t.value)) out.push(invalid(child(p, 'value'), t.value, m));
    if (op !== 'Exists' && op !== 'Equal')
      out.push(notSupported(child(p, 'operator'), op, ['Equal', 'Exists']));
    if (t.effect) oneOf(out, child(p, 'effect'), t.effect, TAINT_EFFECTS);
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      out.push(
        invalid(
          child(p, 'effect'),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
  });
}

function nodeSelectorRequirement(
  out: Causes,
  p: string,
  r: NodeSelectorRequirement,
  field: boolean,
): void {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        out.push(
          required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        out.push(
          invalid(
            child(p, 'values'),
            values,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !/^-?\d+$/.test(values[0] ?? ''))
        out.push(
          required(
            child(p, 'values'),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      break;
    default:
      out.push(notSupported(child(p, 'operator'), r.operator, NODE_SELECTOR_OPS));
  }
  if (!field)
    for (const m of qualifiedNameErrors(r.key)) out.push(invalid(child(p, 'key'), r.key, m));
}

function nodeSelectorTerm(out: Causes, p: string, term: NodeSelectorTerm): void {
  (term.matchExpressions ?? []).forEach((r, i) =>
    nodeSelectorRequirement(out, index(child(p, 'matchExpressions'), i), r, false),
  );
  (term.matchFields ?? []).forEach((r, i) => {
    const rp = index(child(p, 'matchFields'), i);
    nodeSelectorRequirement(out, rp, r, true);
    if (r.key !== 'metadata.name')
      out.push(notSupported(child(rp, 'key'), r.key, ['metadata.name']));
  });
}

function weight(out: Causes, p: string, w: number): void {
  if (w < 1 || w > 100) out.push(invalid(p, w, 'must be in the range 1-100'));
}

function podAffinityTerm(out: Causes, p: string, t: PodAffinityTerm): void {
  if (!t.topologyKey) out.push(required(child(p, 'topologyKey'), 'can not be empty'));
  else
    for (const m of qualifiedNameErrors(t.topologyKey))
      out.push(invalid(child(p, 'topologyKey'), t.topologyKey, m));
  labelSelector(out, child(p, 'labelSelector'), t.labelSelector);
  labelSelector(out, child(p, 'namespaceSelector'), t.namespaceSelector);
}

/** Node, pod and anti-affinity terms: operators, values, weights 1–100, topology keys. */
export function validateAffinity(out: Causes, path: string, a: Affinity): void {
  const na = a.nodeAffinity;
  if (na) {
    const np = child(path, 'nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const rp = child(np, 'requiredDuringSchedulingIgnoredDuringExecution');
      if (req.nodeSelectorTerms.length === 0)
        out.push(
          required(child(rp, 'nodeSelectorTerms'), 'must have at least one node selector term'),
        );
      req.nodeSelectorTerms.forEach((t, i) =>
        nodeSelectorTerm(out, index(child(rp, 'nodeSelectorTerms'), i), t),
      );
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      weight(out, child(tp, 'weight'), t.weight);
      nodeSelectorTerm(out, child(tp, 'preference'), t.preference);
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!pa) continue;
    const pp = child(path, kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      podAffinityTerm(
        out,
        index(child(pp, 'requiredDuringSchedulingIgnoredDuringExecution'), i),
        t,
      ),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = index(child(pp, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      weight(out, child(tp, 'weight'), t.weight);
      podAffinityTerm(out, child(tp, 'podAffinityTerm'), t.podAffinityTerm);
    });
  }
}

/** Topology spread: maxSkew > 0, topologyKey set, whenUnsatisfiable enum, unique (key, action) pairs. */
export function validateTopologySpread(
  out: Causes,
  path: string,
  cs: TopologySpreadConstraint[],
): void {
  const seen = new Set<string>();
  cs.forEach((c, i) => {
    const p = index(path, i);
    if (c.maxSkew <= 0)
      out.push(invalid(child(p, 'maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) out.push(required(child(p, 'topologyKey'), 'can not be empty'));
    oneOf(
      out,
      child(p, 'whenUnsatisfiable'),
      c.whenUnsatisfiable,
      ['DoNotSchedule', 'ScheduleAnyway'],
      true,
    );
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0)
        out.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than 0'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule')
        out.push(
          invalid(
            child(p, 'minDomains'),
            c.minDomains,
            'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway',
          ),
        );
    }
    for (const pol of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const)
      if (c[pol] !== undefined) oneOf(out, child(p, pol), c[pol], ['Honor', 'Ignore']);
    labelSelector(out, child(p, 'labelSelector'), c.labelSelector);
    const k = `${c.topologyKey}\u0000${c.whenUnsatisfiable}`;
    if (seen.has(k)) out.push(duplicate(p, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(k);
  });
}
