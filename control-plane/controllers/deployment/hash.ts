/**
 * The pod-template-hash: what names a Deployment's ReplicaSets
 * (`<deployment>-<hash>`) and labels their pods. Kubernetes' ComputeHash:
 * fnv32a over the template (here its canonical JSON, keys sorted, so the
 * hash is stable across restarts and field order), then the collision
 * count as 8 little-endian bytes when set, printed in decimal and mapped
 * onto the consonant-and-digit alphabet of SafeEncodeString.
 */
import type { PodTemplateSpec } from '../../api/types.ts';

/** The label and selector key every ReplicaSet of a Deployment carries. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

// rand.SafeEncodeString's alphabet: no vowels (no words), no 0/1/3 (look like letters).
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** The pod-template-hash of `template` with `collisionCount` (undefined: none). */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(0x811c9dc5, Buffer.from(canonicalJson(template), 'utf8'));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(h, bytes);
  }
  return safeEncode(String(h));
}

/** FNV-1a, 32 bits, continuing from `hash`. */
export function fnv32a(hash: number, bytes: Uint8Array): number {
  let h = hash >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** Maps each character to SAFE by its code (rand.SafeEncodeString). */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE[s.charCodeAt(i) % SAFE.length];
  return out;
}

/**
 * JSON with object keys sorted at every level, and null, empty objects and
 * empty lists left out, as Go's typed round trip makes them equal to absent
 * fields (kubectl sends a template's `"creationTimestamp": null`): values
 * Kubernetes deems equal give equal text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value) ?? null);
}

function normalize(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = normalize((v as Record<string, unknown>)[k]);
    if (x !== undefined) out[k] = x;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * True when two templates are equal apart from the pod-template-hash label
 * (EqualIgnoreHash): how a Deployment finds the ReplicaSet of its current
 * template, including one that `kubectl rollout undo` brought back.
 */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  if (!t) return {};
  const labels = { ...(t.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH];
  const metadata = { ...(t.metadata ?? {}) } as Record<string, unknown>;
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  else delete metadata.labels;
  return { ...t, metadata };
}
