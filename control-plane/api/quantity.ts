/**
 * Exact values of Kubernetes resource quantities ("100m", "1.5", "128Mi",
 * "1G", "1e3", or a JSON number), as k8s.io/apimachinery/pkg/api/resource
 * computes them: Value() for bytes and counts, MilliValue() for cpu, both
 * rounded up away from zero. The arithmetic is done on integers (BigInt), so
 * "0.1" is exactly 100 milli-units and "1.5Gi" exactly 1610612736 bytes.
 * Results are JavaScript numbers: exact up to 2^53 (8 PiB, or 9e12 cores in
 * milli-units); larger values lose low digits and absurdly large ones become
 * Infinity, which no allocatable amount satisfies.
 *
 * Grammar (resource.ParseQuantity):
 *   <sign>? <digits>[.<digits>] ( Ki|Mi|Gi|Ti|Pi|Ei | m|k|M|G|T|P|E | (e|E)<sign>?<digits> )?
 */

// "1E" is exa (10^18); "1E3" is an exponent: try the exponent form first.
const QUANTITY_RE =
  /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(m|k|M|G|T|P|E)?)$/;

const BINARY_POW2: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_POW10: Record<string, number> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// Beyond these powers of ten the value is 0 < |v| < 1 or far beyond any machine.
const MAX_POW10 = 1000;

/** A parsed quantity: sign × digits × 2^pow2 × 10^pow10. */
interface Parsed {
  negative: boolean;
  digits: bigint;
  digitCount: number;
  pow2: number;
  pow10: number;
}

function parse(q: string | number): Parsed | undefined {
  const text = typeof q === 'number' ? (Number.isFinite(q) ? String(q) : '') : q;
  const m = QUANTITY_RE.exec(text);
  if (!m) return undefined;
  const [, sign, number = '', binary, exponent, decimal] = m;
  const [whole = '', fraction = ''] = number.split('.');
  const all = (whole + fraction).replace(/^0+(?=\d)/, '');
  let pow10 = -fraction.length;
  if (exponent !== undefined) pow10 += Number(exponent);
  if (decimal !== undefined) pow10 += DECIMAL_POW10[decimal] ?? 0;
  if (!Number.isSafeInteger(pow10)) return undefined;
  return {
    negative: sign === '-',
    digits: BigInt(all || '0'),
    digitCount: all.length,
    pow2: binary === undefined ? 0 : (BINARY_POW2[binary] ?? 0),
    pow10,
  };
}

// The parsed value times 10^shift, rounded up away from zero.
function scaled(p: Parsed, shift: number): number {
  if (p.digits === 0n) return 0;
  const sign = p.negative ? -1 : 1;
  const pow10 = p.pow10 + shift;
  const num = p.digits << BigInt(p.pow2);
  if (pow10 >= 0) {
    if (pow10 > MAX_POW10) return sign * Infinity;
    return sign * Number(num * 10n ** BigInt(pow10));
  }
  // digits × 2^60 < 10^(digitCount + 19): a smaller power leaves 0 < v < 1, which rounds up to 1.
  if (-pow10 > MAX_POW10 && -pow10 > p.digitCount + 19) return sign;
  const den = 10n ** BigInt(-pow10);
  const whole = num / den;
  return sign * Number(num % den === 0n ? whole : whole + 1n);
}

/**
 * The value of a quantity as an integer, rounded up (resource.Quantity.Value):
 * "128Mi" → 134217728, "1G" → 1000000000, "1.5" → 2, "100m" → 1.
 * Undefined when `q` does not follow the quantity grammar.
 */
export function quantityValue(q: string | number): number | undefined {
  const p = parse(q);
  return p && scaled(p, 0);
}

/**
 * The value of a quantity in thousandths, rounded up (resource.Quantity.MilliValue):
 * cpu "100m" → 100, "1" → 1000, "1.5" → 1500, "0.0001" → 1.
 * Undefined when `q` does not follow the quantity grammar.
 */
export function quantityMilliValue(q: string | number): number | undefined {
  const p = parse(q);
  return p && scaled(p, 3);
}
