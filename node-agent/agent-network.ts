/**
 * The agent's pod network across nodes: a Node informer feeds the
 * PodNetworkReconciler (node-agent/network/), which routes every other
 * node's pod CIDR via its InternalIP, accepts pod traffic in FORWARD and
 * masquerades only traffic leaving the cluster CIDR. It reconciles on every
 * Node change and every 30 s; until the Node list has arrived it changes
 * nothing (an empty list would otherwise remove every route).
 */
import type { ApiClient } from '../control-plane/api/client/client.ts';
import { Informer } from '../control-plane/api/client/informer.ts';
import type { Logger } from '../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../control-plane/api/resources.ts';
import type { Node } from '../control-plane/api/types.ts';
import { execRunner } from './network/command.ts';
import { IpHairpin } from './network/hairpin.ts';
import { IpRouteTable } from './network/ip-routes.ts';
import { ExecIptables } from './network/iptables.ts';
import { PodNetworkReconciler } from './network/pod-network.ts';
import { ExecSysctls } from './network/sysctls.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;

export interface AgentNetworkOptions {
  client: ApiClient;
  nodeName: string;
  /** The pod CIDR of the whole cluster, e.g. 10.244.0.0/16. */
  clusterCidr: string;
  /** The Service ClusterIP range. */
  serviceCidr: string;
  /** The Linux bridge of the pod network. */
  bridge: string;
  log: Logger;
  signal: AbortSignal;
}

/** Starts the Node informer and the reconciler; returns a trigger for extra syncs (new sandboxes). */
export function startPodNetwork(o: AgentNetworkOptions): { reconcile(): void } {
  const nodes = new Informer<Node>({ client: o.client, resource: NODES, logger: o.log });
  const runner = execRunner();
  const net = new PodNetworkReconciler({
    nodeName: o.nodeName,
    clusterCidr: o.clusterCidr,
    serviceCidr: o.serviceCidr,
    listNodes: () => (nodes.hasSynced() ? nodes.list() : undefined),
    routes: new IpRouteTable({ runner }),
    iptables: new ExecIptables({ runner }),
    sysctls: new ExecSysctls({ runner }),
    hairpin: new IpHairpin({ runner }),
    bridge: o.bridge,
    log: o.log,
  });
  const trigger = () => void net.reconcile();
  nodes
    .on('synced', trigger)
    .on('add', trigger)
    .on('update', (old, n) => {
      if (old.spec?.podCIDR !== n.spec?.podCIDR || addressOf(old) !== addressOf(n)) trigger();
    })
    .on('delete', trigger);
  void nodes.start(o.signal);
  void net.start(o.signal);
  return { reconcile: trigger };
}

function addressOf(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}
