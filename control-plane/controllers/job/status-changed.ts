/**
 * Comparing a controller's computed status with the stored one, so it is
 * written only when it really changed (used by the Job and DaemonSet
 * controllers).
 */

/**
 * True when two statuses differ in substance: missing, empty and absent
 * fields compare equal, so a status the server stored without its empty
 * parts is not written again and again.
 */
export function statusChanged(a: object | undefined, b: object | undefined): boolean {
  return JSON.stringify(normalize(a ?? {})) !== JSON.stringify(normalize(b ?? {}));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = normalize((v as Record<string, unknown>)[k]);
    const empty =
      x === undefined ||
      (Array.isArray(x) && x.length === 0) ||
      (x !== null && typeof x === 'object' && Object.keys(x).length === 0);
    if (!empty) out[k] = x;
  }
  return out;
}
