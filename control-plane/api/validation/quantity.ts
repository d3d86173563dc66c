/**
 * Kubernetes resource quantities ("100m", "1.5Gi", "2e3", 4): the grammar
 * of k8s.io/apimachinery/pkg/api/resource and a numeric value for
 * comparisons (requests ≤ limits, scheduling sums).
 */

// <sign><number><suffix>; suffix is binary SI, decimal SI or a decimal exponent.
const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+|)$/;

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The message Kubernetes' decoder gives for a malformed quantity. */
export const QUANTITY_ERR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/**
 * The value of a quantity as a number (cores for cpu, bytes for memory),
 * or undefined when `q` does not follow the quantity grammar.
 */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY_RE.exec(q);
  if (!m) return undefined;
  const [, sign, digits, suffix] = m;
  const base = Number(digits);
  const s = suffix ?? '';
  const mult =
    s.length > 1 && (s[0] === 'e' || s[0] === 'E') ? 10 ** Number(s.slice(1)) : SUFFIX[s];
  if (mult === undefined || !Number.isFinite(base)) return undefined;
  return (sign === '-' ? -1 : 1) * base * mult;
}

/** True if `q` follows the quantity grammar. */
export function isQuantity(q: string | number): boolean {
  return parseQuantity(q) !== undefined;
}
