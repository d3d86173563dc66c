/**
 * Which node subnets are taken, as a pure function of the nodes the
 * informer holds and the allocations this controller wrote but the cache
 * has not shown yet. Rebuilt before every allocation, so a subnet is free
 * again as soon as its node is gone, and nothing needs to survive a
 * restart: the nodes' spec.podCIDR is the record.
 */
import type { Node } from '../../api/types.ts';
import { subnetIndex, type SubnetPlan } from './cidr.ts';

/** The first pod CIDR a node carries (spec.podCIDR, else spec.podCIDRs[0]), or undefined. */
export function podCidrOf(node: Node): string | undefined {
  return node.spec?.podCIDR || node.spec?.podCIDRs?.[0] || undefined;
}

/**
 * The subnet indexes in use: every plan subnet that a node in `nodes`
 * carries, plus the `pending` allocations (node name → CIDR) of nodes still
 * present. CIDRs outside the plan are ignored (they take nothing from it).
 */
export function usedSubnets(
  plan: SubnetPlan,
  nodes: readonly Node[],
  pending: ReadonlyMap<string, string>,
): Set<number> {
  const used = new Set<number>();
  const present = new Set<string>();
  for (const node of nodes) {
    present.add(node.metadata.name ?? '');
    for (const cidr of [node.spec?.podCIDR, ...(node.spec?.podCIDRs ?? [])]) {
      const i = cidr ? subnetIndex(plan, cidr) : undefined;
      if (i !== undefined) used.add(i);
    }
  }
  for (const [name, cidr] of pending) {
    const i = present.has(name) ? subnetIndex(plan, cidr) : undefined;
    if (i !== undefined) used.add(i);
  }
  return used;
}
