/**
 * Waiting for the local cluster's Nodes: each agent registers its Node, the
 * node IPAM controller gives it a podCIDR, and the agent reports Ready. A
 * node counts once both hold. Bounded; an agent that exits ends the wait at
 * once with its log tail.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Node } from '../../control-plane/api/types.ts';
import type { AgentProcess } from './agent-process.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const POLL_MS = 500;

/** True when the Node is Ready and has a podCIDR (pure). */
export function nodeIsReady(node: Node): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && typeof node.spec?.podCIDR === 'string';
}

/** The names of the Nodes in `names` that are Ready with a podCIDR now (one list call). */
export async function readyNodes(client: ApiClient, names: readonly string[]): Promise<string[]> {
  const list = await client.list<Node>(NODES);
  const ready = new Set(list.items.filter(nodeIsReady).map((n) => n.metadata?.name));
  return names.filter((n) => ready.has(n));
}

/**
 * Resolves once every agent's Node is Ready with a podCIDR, calling
 * `onReady(name, podCIDR)` as each gets there. Throws naming the nodes not
 * Ready and the last lines of their agents' logs after `timeoutMs`, or at
 * once when an agent exits.
 */
export async function waitNodesReady(
  client: ApiClient,
  agents: ReadonlyMap<string, AgentProcess>,
  timeoutMs: number,
  onReady: (name: string, podCIDR: string) => void,
): Promise<void> {
  const pending = new Set(agents.keys());
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (pending.size > 0) {
    for (const name of pending) {
      const agent = agents.get(name);
      if (agent && !agent.alive()) {
        throw new Error(
          `the agent of node ${name} exited; last lines of ${agent.logPath}:\n${agent.logTail(30)}`,
        );
      }
    }
    try {
      const list = await client.list<Node>(NODES);
      for (const node of list.items) {
        const name = node.metadata?.name;
        if (name === undefined || !pending.has(name) || !nodeIsReady(node)) continue;
        pending.delete(name);
        onReady(name, node.spec?.podCIDR ?? '');
      }
      last = '';
    } catch (err) {
      last = ` (last API error: ${(err as Error).message})`;
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const tails = [...pending].map((n) => {
        const a = agents.get(n);
        return a ? `--- last lines of ${a.logPath}:\n${a.logTail(30)}` : '';
      });
      throw new Error(
        `nodes not Ready with a podCIDR within ${timeoutMs / 1000} s: ${[...pending].join(', ')}${last}\n${tails.join('\n')}`,
      );
    }
    await sleep(POLL_MS);
  }
}
