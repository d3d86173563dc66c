/**
 * The node IPAM controller (Kubernetes' range allocator): every node gets
 * spec.podCIDR and spec.podCIDRs, a subnet of the cluster CIDR (default
 * 10.244.0.0/16 in /24s), never the same as another node's.
 *
 * - desired: one plan subnet per node;
 * - observed: the nodes in the informer cache with the subnets they carry,
 *   plus this controller's writes the cache has not shown yet;
 * - sync: a node without a pod CIDR gets the lowest free subnet, written
 *   with compare-and-swap on its resourceVersion.
 *
 * A node that has a pod CIDR keeps it (across restarts too: the Node is the
 * record); a deleted node's subnet is free again because the used set is
 * rebuilt from the cache before each allocation.
 */
import type { ApiClient } from '../api/client/client.ts';
import type { Informer } from '../api/client/informer.ts';
import { ApiError } from '../api/errors.ts';
import type { Logger } from '../api/log.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { Node } from '../api/types.ts';
import { podCidrOf, usedSubnets } from './node-ipam/allocation.ts';
import { lowestFree, planSubnets, subnetAt, type SubnetPlan } from './node-ipam/cidr.ts';
import type { Result } from './runtime/controller.ts';
import type { ControllerSpec } from './runtime/spec.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;

/** While the cluster CIDR is full, look again this often (node deletions also retry at once). */
const FULL_RETRY_MS = 30_000;

/** Settings of the node IPAM controller. */
export interface NodeIpamOptions {
  /** The pod network of the cluster. Default 10.244.0.0/16. */
  clusterCidr?: string;
  /** Prefix length of each node's subnet. Default 24. */
  nodeMaskSize?: number;
}

/** What reconcileNodeCidr reads and writes. */
export interface NodeIpamDeps {
  client: ApiClient;
  nodes: Informer<Node>;
  plan: SubnetPlan;
  /** Allocations written and not yet seen in the cache: node name → { cidr, uid }. */
  pending: Map<string, { cidr: string; uid: string }>;
  logger: Logger;
}

/** The controller with settings; throws at once on a bad CIDR or mask size. */
export function nodeIpamController(opts: NodeIpamOptions = {}): ControllerSpec {
  const plan = planSubnets(opts.clusterCidr ?? '10.244.0.0/16', opts.nodeMaskSize ?? 24);
  return {
    name: 'node-ipam',
    setup(ctx) {
      const nodes = ctx.informer<Node>(NODES);
      const deps: NodeIpamDeps = {
        client: ctx.client,
        nodes,
        plan,
        pending: new Map(),
        logger: ctx.logger,
      };
      const enqueue = (n: Node): void => ctx.queue.add(n.metadata.name ?? '');
      nodes
        .on('add', enqueue)
        .on('update', (_old, n) => enqueue(n))
        .on('delete', (gone) => {
          enqueue(gone);
          // A freed subnet may be what a waiting node needs.
          for (const n of nodes.list()) if (!podCidrOf(n)) enqueue(n);
        });
      ctx.logger.info('Allocating node pod CIDRs', {
        clusterCidr: plan.cluster,
        nodeMaskSize: plan.nodeMaskSize,
        subnets: plan.count,
      });
      return { reconcile: (key) => reconcileNodeCidr(key, deps) };
    },
  };
}

/** The controller with the defaults (10.244.0.0/16 in /24s). */
export const controller: ControllerSpec = nodeIpamController();

/** One pass for the node named `name`; safe to repeat. */
export async function reconcileNodeCidr(name: string, d: NodeIpamDeps): Promise<Result> {
  const node = d.nodes.get(name);
  const uid = node?.metadata.uid ?? '';
  const pending = d.pending.get(name);
  if (!node || podCidrOf(node) || (pending && pending.uid !== uid)) d.pending.delete(name);
  if (!node || podCidrOf(node) || d.pending.has(name)) return;

  // Decide and reserve before any await, so concurrent passes never pick the same subnet.
  const free = lowestFree(d.plan, usedSubnets(d.plan, d.nodes.list(), pendingCidrs(d.pending)));
  if (free === undefined) {
    d.logger.warn('CIDR allocation failed; there are no remaining CIDRs left to allocate', {
      node: name,
      clusterCidr: d.plan.cluster,
      subnets: d.plan.count,
    });
    return { requeueAfter: FULL_RETRY_MS };
  }
  const cidr = subnetAt(d.plan, free);
  d.pending.set(name, { cidr, uid });
  try {
    const written = await writeCidr(d.client, node, cidr);
    if (written) d.logger.info('Allocated pod CIDR', { node: name, podCIDR: cidr });
    else d.pending.delete(name);
  } catch (err) {
    d.pending.delete(name);
    throw err;
  }
  return;
}

function pendingCidrs(pending: ReadonlyMap<string, { cidr: string }>): Map<string, string> {
  return new Map([...pending].map(([name, p]) => [name, p.cidr]));
}

/**
 * Sets the node's pod CIDRs with a merge patch carrying its uid and
 * resourceVersion (compare-and-swap). On a conflict (the cache was behind)
 * it re-reads the node once: if the node meanwhile has a CIDR, or is gone,
 * nothing is written (false); else the patch is retried at the fresh version.
 */
async function writeCidr(client: ApiClient, cached: Node, cidr: string): Promise<boolean> {
  const name = cached.metadata.name ?? '';
  const patch = (n: Node) =>
    client.patch<Node>(
      NODES,
      name,
      {
        metadata: { uid: n.metadata.uid, resourceVersion: n.metadata.resourceVersion },
        spec: { podCIDR: cidr, podCIDRs: [cidr] },
      },
      { type: 'merge' },
    );
  try {
    await patch(cached);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
  }
  let fresh: Node;
  try {
    fresh = await client.get<Node>(NODES, name);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
  if (fresh.metadata.uid !== cached.metadata.uid || podCidrOf(fresh)) return false;
  await patch(fresh);
  return true;
}
