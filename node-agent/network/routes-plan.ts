/**
 * The host-gw route plan (pure): every other node's pod CIDR is reached via
 * that node's InternalIP, which must be on this node's own L2 segment (the
 * kernel refuses a gateway that is not on-link). Routes skiff installs carry
 * its own route protocol number, so only those are ever replaced or removed.
 */
import type { Node } from '../../control-plane/api/types.ts';
import { cidrContains, cidrsOverlap, formatCidr, parseCidr, type Cidr } from './cidr.ts';

/** A route skiff wants: `dst` (a normalized pod CIDR) via `via`, for node `node`. */
export interface DesiredRoute {
  dst: string;
  via: string;
  node: string;
}

/** A route of the main table as `ip -j route` reports it; `protocol` as printed ("kernel", "177"). */
export interface ObservedRoute {
  dst: string;
  via?: string;
  protocol: string;
}

/** One change: `add` a missing route, `replace` one whose gateway changed, `delete` a stale one. */
export type RouteStep =
  | { op: 'add'; route: DesiredRoute }
  | { op: 'replace'; route: DesiredRoute; was: string | undefined }
  | { op: 'delete'; dst: string; via: string | undefined };

/** The routes to have, and why any node was left out (for the log). */
export interface DesiredRoutes {
  routes: DesiredRoute[];
  problems: string[];
}

/** This node's pod CIDR and the IPv4 InternalIP of `node`, when it has both. */
export function nodePodCidr(node: Node): string | undefined {
  return node.spec?.podCIDR ?? node.spec?.podCIDRs?.find((c) => !c.includes(':'));
}

/** The node's first IPv4 InternalIP, or undefined. */
export function nodeInternalIp(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && !a.address.includes(':'))
    ?.address;
}

/**
 * The routes this node (`nodeName`) needs: one per OTHER node with both a pod
 * CIDR and an InternalIP. A node is left out, with a problem saying why, when
 * its pod CIDR is malformed, outside `clusterCidr`, overlaps this node's pod
 * CIDR or a CIDR already taken by a node earlier in name order, or when its IP
 * lies inside the cluster CIDR. Sorted by destination.
 */
export function desiredRoutes(
  nodes: readonly Node[],
  nodeName: string,
  clusterCidr: string,
): DesiredRoutes {
  const cluster = parseCidr(clusterCidr);
  if (!cluster) throw new Error(`cluster CIDR "${clusterCidr}" is not an IPv4 CIDR`);
  // Code-unit order, not localeCompare: the same on every node, and no ICU collation data loaded.
  const byName = (n: Node) => n.metadata.name ?? '';
  const sorted = [...nodes].sort((a, b) =>
    byName(a) < byName(b) ? -1 : byName(a) > byName(b) ? 1 : 0,
  );
  const self = sorted.find((n) => n.metadata.name === nodeName);
  const ownText = self ? nodePodCidr(self) : undefined;
  const taken: Cidr[] = [];
  const own = ownText === undefined ? undefined : parseCidr(ownText);
  if (own) taken.push(own);
  const routes: DesiredRoute[] = [];
  const problems: string[] = [];
  for (const node of sorted) {
    const name = node.metadata.name ?? '';
    const cidrText = nodePodCidr(node);
    const via = nodeInternalIp(node);
    if (name === nodeName || cidrText === undefined || via === undefined) continue;
    const cidr = parseCidr(cidrText);
    const why = !cidr
      ? `pod CIDR "${cidrText}" is not an IPv4 CIDR`
      : !cidrsOverlap(cidr, cluster) || cidr.bits < cluster.bits
        ? `pod CIDR ${cidrText} is outside the cluster CIDR ${clusterCidr}`
        : taken.some((t) => cidrsOverlap(t, cidr))
          ? `pod CIDR ${cidrText} overlaps another node's pod CIDR`
          : cidrContains(cluster, via)
            ? `InternalIP ${via} is inside the cluster CIDR ${clusterCidr}`
            : undefined;
    if (why !== undefined || !cidr) {
      problems.push(`node ${name}: ${why ?? 'invalid'}; no route to its pods`);
      continue;
    }
    taken.push(cidr);
    routes.push({ dst: formatCidr(cidr), via, node: name });
  }
  routes.sort((a, b) => (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0));
  return { routes, problems };
}

/** The steps from the observed main table to the desired routes, and conflicts left alone. */
export interface RoutePlan {
  steps: RouteStep[];
  /** Desired routes whose destination already has a route that is not skiff's: not touched. */
  conflicts: string[];
}

/**
 * Diffs `desired` against `observed` (all IPv4 routes of the main table).
 * Only routes whose protocol is `protocol` (skiff's, e.g. "177") are
 * replaced or deleted; a desired destination held by any other route is
 * reported as a conflict and left alone. No steps when all is in place.
 */
export function planRoutes(
  desired: readonly DesiredRoute[],
  observed: readonly ObservedRoute[],
  protocol: string,
): RoutePlan {
  const ours = new Map(observed.filter((r) => r.protocol === protocol).map((r) => [r.dst, r]));
  const foreign = new Map(observed.filter((r) => r.protocol !== protocol).map((r) => [r.dst, r]));
  const steps: RouteStep[] = [];
  const conflicts: string[] = [];
  const wanted = new Set<string>();
  for (const route of desired) {
    wanted.add(route.dst);
    const mine = ours.get(route.dst);
    const other = foreign.get(route.dst);
    if (other && !mine) {
      conflicts.push(
        `route to ${route.dst} (pods of node ${route.node}) already exists with protocol ` +
          `${other.protocol}, not skiff's: remove it so skiff can route via ${route.via}`,
      );
    } else if (!mine) steps.push({ op: 'add', route });
    else if (mine.via !== route.via) steps.push({ op: 'replace', route, was: mine.via });
  }
  for (const r of ours.values()) {
    if (!wanted.has(r.dst)) steps.push({ op: 'delete', dst: r.dst, via: r.via });
  }
  return { steps, conflicts };
}
