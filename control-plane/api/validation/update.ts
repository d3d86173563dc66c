/**
 * Update rules: which fields may change once an object exists. Both sides
 * are compared after defaulting, so a full replacement that leaves
 * defaults out is not mistaken for a change.
 */
import type { ConfigMap, KubeObject, Node, Pod, PodSpec, Secret, Service } from '../types.ts';
import type { Causes } from './common.ts';
import { IMMUTABLE, forbidden, invalid } from './field-errors.ts';
import { validateImmutableData } from './kinds.ts';
import { validateServiceUpdate } from './service.ts';
import { validateWorkloadUpdate } from './workloads.ts';

/** JSON with object keys sorted, for order-insensitive comparison. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val === null || typeof val !== 'object' || Array.isArray(val)) return val;
    const rec = val as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(rec)
        .sort()
        .map((k) => [k, rec[k]]),
    );
  });
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The pod spec with every field a pod update may change copied from the old spec. */
function maskMutable(spec: PodSpec, old: PodSpec): PodSpec {
  const m = structuredClone(spec);
  for (const list of ['containers', 'initContainers'] as const) {
    const now = m[list] ?? [];
    const was = old[list] ?? [];
    if (now.length === was.length)
      now.forEach((c, i) => {
        const before = was[i];
        if (before) c.image = before.image;
      });
  }
  m.activeDeadlineSeconds = old.activeDeadlineSeconds;
  m.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  const oldTolerations = (old.tolerations ?? []).map(canonical);
  const nowTolerations = new Set((m.tolerations ?? []).map(canonical));
  if (oldTolerations.every((t) => nowTolerations.has(t))) m.tolerations = old.tolerations;
  const nowGates = (m.schedulingGates ?? []).map((g) => g.name);
  const oldGates = new Set((old.schedulingGates ?? []).map((g) => g.name));
  if (nowGates.every((g) => oldGates.has(g))) m.schedulingGates = old.schedulingGates; // removing gates is allowed
  m.ephemeralContainers = old.ephemeralContainers; // changed through their own subresource only
  return m;
}

function podUpdate(out: Causes, pod: Pod, old: Pod): void {
  if (canonical(maskMutable(pod.spec, old.spec)) !== canonical(old.spec))
    out.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
}

function nodeUpdate(out: Causes, node: Node, old: Node): void {
  const was = old.spec ?? {};
  const now = node.spec ?? {};
  if (was.podCIDR && now.podCIDR !== was.podCIDR)
    out.push(
      forbidden('spec.podCIDR', 'node updates may not change podCIDR except from "" to valid'),
    );
  if (was.podCIDRs?.length && canonical(now.podCIDRs) !== canonical(was.podCIDRs))
    out.push(
      forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'),
    );
  if (was.providerID && now.providerID !== was.providerID)
    out.push(
      forbidden(
        'spec.providerID',
        'node updates may not change providerID except from "" to valid',
      ),
    );
}

/** Kind-specific update rules; `obj` and `old` are both defaulted. */
export function validateKindUpdate(
  out: Causes,
  kind: string,
  obj: KubeObject,
  old: KubeObject,
): void {
  switch (kind) {
    case 'Pod':
      return podUpdate(out, obj as Pod, old as Pod);
    case 'Service':
      return validateServiceUpdate(out, obj as Service, old as Service);
    case 'Node':
      return nodeUpdate(out, obj as Node, old as Node);
    case 'ConfigMap':
      return validateImmutableData(out, obj as ConfigMap, old as ConfigMap, ['data', 'binaryData']);
    case 'Secret': {
      const s = obj as Secret;
      const o = old as Secret;
      if ((s.type ?? 'Opaque') !== (o.type ?? 'Opaque'))
        out.push(invalid('type', s.type ?? '', IMMUTABLE));
      return validateImmutableData(out, s, o, ['data']);
    }
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
    case 'Job':
      return validateWorkloadUpdate(
        out,
        kind,
        (obj['spec'] ?? {}) as Record<string, unknown>,
        (old['spec'] ?? {}) as Record<string, unknown>,
      );
  }
}
