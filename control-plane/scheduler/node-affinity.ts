/**
 * Node selection by labels: spec.nodeSelector, required and preferred node
 * affinity (component-helpers' nodeaffinity). Terms are ORed, the
 * requirements inside a term ANDed; an empty term matches nothing. Operators
 * In, NotIn, Exists, DoesNotExist, Gt and Lt on labels; In and NotIn on the
 * field metadata.name. A malformed requirement fails its term.
 */
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../api/types.ts';

/** What a node must satisfy: every nodeSelector label and (if any) one required term. */
export interface RequiredNodeAffinity {
  nodeSelector: readonly [string, string][];
  /** undefined: no required node affinity. */
  terms: readonly NodeSelectorTerm[] | undefined;
}

/** Required node affinity of a pod (GetRequiredNodeAffinity). */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    nodeSelector: Object.entries(pod.spec?.nodeSelector ?? {}),
    terms: required ? required.nodeSelectorTerms : undefined,
  };
}

/** True when nothing restricts the pod's nodes. */
export function isUnrestricted(r: RequiredNodeAffinity): boolean {
  return r.nodeSelector.length === 0 && r.terms === undefined;
}

/** True when the node (its labels and name) satisfies the pod's required node affinity. */
export function matchesRequired(
  r: RequiredNodeAffinity,
  labels: Readonly<Record<string, string>>,
  name: string,
): boolean {
  for (const [k, v] of r.nodeSelector) if (labels[k] !== v) return false;
  if (r.terms === undefined) return true;
  return r.terms.some((t) => matchesTerm(t, labels, name));
}

/** True when every requirement of a non-empty term holds for the node. */
export function matchesTerm(
  term: NodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  name: string,
): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!matchesLabel(r, labels)) return false;
  for (const r of fields) if (!matchesField(r, name)) return false;
  return true;
}

function matchesLabel(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>) {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value as string);
    case 'NotIn':
      return !has || !values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const [lv, rv] = [toInt(value as string), toInt(values[0] as string)];
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'Gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

// Only metadata.name is a supported field.
function matchesField(r: NodeSelectorRequirement, name: string): boolean {
  if (r.key !== 'metadata.name') return false;
  const values = r.values ?? [];
  if (r.operator === 'In') return values.length === 1 && values[0] === name;
  if (r.operator === 'NotIn') return values.length === 1 && values[0] !== name;
  return false;
}

// strconv.ParseInt(s, 10, 64).
function toInt(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < -(2n ** 63n) || v >= 2n ** 63n ? undefined : v;
}

/**
 * The node names a pod is confined to by required terms that all name
 * nodes with matchFields metadata.name In (NodeAffinity PreFilter):
 * undefined when any term leaves all nodes open, an empty set when the
 * terms conflict.
 */
export function requiredNodeNames(r: RequiredNodeAffinity): Set<string> | undefined {
  if (r.terms === undefined || r.terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of r.terms) {
    let termNames: Set<string> | undefined;
    for (const f of t.matchFields ?? []) {
      if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
      const s = new Set(f.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    if (termNames === undefined) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names;
}

/** A preferred term with its weight (terms of weight 0 or empty are dropped). */
export interface WeightedTerm {
  weight: number;
  term: NodeSelectorTerm;
}

/** The pod's preferred node affinity terms that can score. */
export function preferredTerms(pod: Pod): WeightedTerm[] {
  const prefs = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  const out: WeightedTerm[] = [];
  for (const p of prefs ?? []) {
    const t = p.preference;
    const empty = !(t.matchExpressions?.length || t.matchFields?.length);
    if (p.weight !== 0 && !empty) out.push({ weight: p.weight, term: t });
  }
  return out;
}

/** Sum of the weights of the preferred terms the node matches. */
export function preferredScore(
  terms: readonly WeightedTerm[],
  labels: Readonly<Record<string, string>>,
  name: string,
): number {
  let sum = 0;
  for (const w of terms) if (matchesTerm(w.term, labels, name)) sum += w.weight;
  return sum;
}
