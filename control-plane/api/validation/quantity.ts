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
  // The same few quantities come again and again ("100m", "128Mi"), each checked twice a request.
  if (PARSED.has(q)) return PARSED.get(q);
  const v = parse(q);
  if (q.length <= PARSED_KEY_MAX) {
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(q, v);
  }
  return v;
}

// Values of short quantity strings (undefined: not a quantity); cleared when full.
const PARSED = new Map<string, number | undefined>();
const PARSED_MAX = 1024;
const PARSED_KEY_MAX = 64;

function parse(q: string): number | undefined {
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
