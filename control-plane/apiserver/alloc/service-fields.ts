/**
 * Reading the allocation-relevant fields of a Service. The allocator runs on
 * validated objects, but also copies values from the stored object into a
 * request body before validation (as Kubernetes' patchAllocatedValues
 * does), so these helpers accept any shape and never throw.
 */

/** The part of a Service the allocators read. */
export interface ServiceLike {
  spec?: {
    type?: unknown;
    clusterIP?: unknown;
    clusterIPs?: unknown;
    ports?: unknown;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** ExternalName services have no ClusterIP; every other type has one (or "None"). */
export function needsClusterIP(svc: ServiceLike): boolean {
  return svc.spec?.type !== 'ExternalName';
}

/** spec.clusterIP, else spec.clusterIPs[0]; undefined when neither is set. */
export function clusterIPOf(svc: ServiceLike): string | undefined {
  const spec = svc.spec;
  if (!spec) return undefined;
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') return spec.clusterIP;
  const first: unknown = Array.isArray(spec.clusterIPs) ? spec.clusterIPs[0] : undefined;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** The non-zero node ports of spec.ports. */
export function nodePortsOf(svc: ServiceLike): number[] {
  const ports = svc.spec?.ports;
  if (!Array.isArray(ports)) return [];
  const out: number[] = [];
  for (const p of ports) {
    const n: unknown =
      p !== null && typeof p === 'object' ? (p as Record<string, unknown>).nodePort : undefined;
    if (typeof n === 'number' && n !== 0) out.push(n);
  }
  return out;
}

/**
 * Copies the values `old` holds into an update that left them out: the
 * ClusterIP(s) and, by port name, node ports not used by another port of
 * the update (Kubernetes' patchAllocatedValues), so a PUT without them
 * neither trips the immutability check nor allocates anew.
 */
export function patchAllocatedValues(next: ServiceLike, old: ServiceLike): void {
  const spec = next.spec;
  const oldSpec = old.spec;
  if (!spec || typeof spec !== 'object' || !oldSpec) return;
  if (needsClusterIP(old) && needsClusterIP(next)) {
    if (
      (spec.clusterIP === undefined || spec.clusterIP === '') &&
      oldSpec.clusterIP !== undefined
    ) {
      spec.clusterIP = oldSpec.clusterIP;
    }
    const ips = spec.clusterIPs;
    if (
      (ips === undefined || (Array.isArray(ips) && ips.length === 0)) &&
      oldSpec.clusterIPs !== undefined
    ) {
      spec.clusterIPs = oldSpec.clusterIPs;
    }
  }
  const nodePortTypes = ['NodePort', 'LoadBalancer'];
  if (!nodePortTypes.includes(String(oldSpec.type)) || !nodePortTypes.includes(String(spec.type)))
    return;
  if (!Array.isArray(spec.ports) || !Array.isArray(oldSpec.ports)) return;
  const used = new Set(nodePortsOf(next));
  const byName = new Map<unknown, number>();
  for (const p of oldSpec.ports) {
    if (p && typeof p === 'object') {
      const port = p as Record<string, unknown>;
      if (typeof port.nodePort === 'number') byName.set(port.name ?? '', port.nodePort);
    }
  }
  for (const p of spec.ports) {
    if (!p || typeof p !== 'object') continue;
    const port = p as Record<string, unknown>;
    if (port.nodePort !== undefined && port.nodePort !== 0) continue;
    const held = byName.get(port.name ?? '');
    if (held !== undefined && !used.has(held)) {
      port.nodePort = held;
      used.add(held);
    }
  }
}

/**
 * Keeps spec.clusterIPs in step with spec.clusterIP before validation, as
 * Kubernetes' NormalizeClusterIPs does: a create that sets only clusterIP
 * gets clusterIPs = [clusterIP]; an update that changes (or clears) only
 * clusterIP carries the change into clusterIPs, so validation reports it on
 * spec.clusterIPs[0]. Any other combination is left for validation.
 */
export function normalizeClusterIPs(next: ServiceLike, old?: ServiceLike): void {
  const spec = next.spec;
  if (!spec || typeof spec !== 'object') return;
  const one = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  const many = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  if (!old) {
    if (one !== '' && many.length === 0) spec.clusterIPs = [one];
    return;
  }
  const oldSpec = old.spec ?? {};
  const oldOne = typeof oldSpec.clusterIP === 'string' ? oldSpec.clusterIP : '';
  const oldMany = Array.isArray(oldSpec.clusterIPs) ? oldSpec.clusterIPs : [];
  if (oldMany.length > 0 && many.length === 0 && oldOne === one) {
    spec.clusterIPs = oldMany;
    return;
  }
  const same = many.length === oldMany.length && many.every((ip, i) => ip === oldMany[i]);
  if (oldOne === one || !same) return;
  if (one === '') delete spec.clusterIPs;
  else spec.clusterIPs = [one];
}
