/**
 * ruleKey: a fast equality key for iptables rules up to the form
 * iptables-save prints them in (see canonicalRule in kernel-view.ts, whose
 * keys it hashes). Pure.
 */

/**
 * A number equal for two rules whenever their canonicalRule() keys are
 * equal, and different otherwise except with negligible probability (a
 * 53-bit hash of the same token multiset, summed so order does not
 * matter), computed without splitting, sorting or joining: reading back
 * 10,000 services compares 110,000 rules each way.
 */
export function ruleKey(line: string): number {
  const h = { a: 0, b: 0, n: 0 };
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    const start = i;
    while (i < n && line.charCodeAt(i) !== 32) i++;
    const len = i - start;
    if (len === 0) break;
    const c = line.charCodeAt(start);
    if (c === 45 /* "-" */ && len >= 6 && line.charCodeAt(start + 1) === 45) {
      const is = (name: string): boolean => len === name.length && line.startsWith(name, start);
      if (is('--rsource')) continue;
      if (is('--mask') || is('--probability') || is('--or-mark') || is('--xor-mark')) {
        const after = i;
        while (i < n && line.charCodeAt(i) === 32) i++;
        const from = i;
        while (i < n && line.charCodeAt(i) !== 32) i++;
        const value = line.slice(from, i).replaceAll('"', '');
        if (is('--mask')) {
          if (value === '255.255.255.255') continue;
          hashText(h, '--mask');
          i = after; // the mask's value is an ordinary token
        } else if (is('--probability')) {
          hashText(h, '--probability');
          hashText(h, Number(value).toFixed(6));
        } else {
          hashText(h, '--set-xmark');
          hashText(h, is('--or-mark') ? `${value}/${value}` : `${value}/0x0`);
        }
        continue;
      }
    }
    hashRange(h, line, start, i, c >= 48 && c <= 57 && isIPv4(line, start, i));
  }
  return (h.a % 0x200000) * 0x100000000 + ((h.b + Math.imul(h.n, 0x9e3779b1)) >>> 0);
}

const SLASH32 = [47, 51, 50];

interface KeyState {
  a: number;
  b: number;
  n: number;
}

// Adds the token line[start, end) (quotes skipped, "/32" appended for a bare address) to `h`:
// two independent 32-bit hashes (FNV-1a and a multiply-rotate mix), summed over the tokens.
function hashRange(h: KeyState, line: string, start: number, end: number, slash32: boolean): void {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  let any = false;
  const last = slash32 ? end + 3 : end;
  for (let k = start; k < last; k++) {
    const ch = k < end ? line.charCodeAt(k) : (SLASH32[k - end] ?? 0);
    if (ch === 34 /* '"' */) continue;
    any = true;
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul((b << 5) | (b >>> 27), 0x5bd1e995) ^ ch;
  }
  if (!any) return; // a token of quotes only is no token (canonicalRule drops it too)
  b = Math.imul(b ^ (b >>> 15), 0x2c1b3c6d);
  h.a = (h.a + (a >>> 0)) >>> 0;
  h.b = (h.b + ((b ^ (b >>> 13)) >>> 0)) >>> 0;
  h.n++;
}

function hashText(h: KeyState, text: string): void {
  hashRange(h, text, 0, text.length, false);
}

// line[start, end) is four dot-separated groups of 1-3 digits (as canonicalRule's IPV4).
function isIPv4(line: string, start: number, end: number): boolean {
  let dots = 0;
  let digits = 0;
  for (let k = start; k < end; k++) {
    const ch = line.charCodeAt(k);
    if (ch === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
    } else if (ch >= 48 && ch <= 57 && digits < 3) digits++;
    else return false;
  }
  return dots === 3 && digits > 0;
}
