/**
 * Registering the agent's Node with the API server, as the kubelet's
 * registerWithAPIServer: create it; when it already exists (an agent
 * restart, or a Node made ahead of time), read it and take it over: the
 * labels the agent owns are replaced, everything else of metadata and the
 * whole spec (podCIDR from node IPAM, taints, unschedulable) is kept, and
 * the status is written through nodes/status. While the API server cannot
 * be reached (or answers 5xx, 429, 403 ...) it retries with backoff,
 * logging each retry; only a Node the server rejects as malformed fails.
 */
import { isDeepStrictEqual } from 'node:util';
import { Backoff, sleep, type BackoffOptions } from '../../control-plane/api/client/backoff.ts';
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { retryOnConflict } from '../../control-plane/api/client/retry.ts';
import { ApiError } from '../../control-plane/api/errors.ts';
import type { Logger } from '../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Node } from '../../control-plane/api/types.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;

/** The kubelet's registration retry: 100 ms doubling to 7 s (here jittered). */
export const REGISTRATION_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 7_000 };

export interface RegisterNodeOptions {
  client: ApiClient;
  nodeName: string;
  /**
   * The Node wanted, given the one that exists (undefined: none yet);
   * called afresh on every attempt, so readings and condition transition
   * times are current.
   */
  desired: (existing: Node | undefined) => Promise<Node>;
  log: Logger;
  /** Aborting stops the retries; registerNode then rejects. */
  signal?: AbortSignal;
  backoff?: BackoffOptions;
}

/**
 * The Node `existing` with the agent's `desired` labels laid over its own
 * (the agent's keys replaced, the others kept); spec and the rest of
 * metadata as they are.
 */
export function mergeRegisteredNode(existing: Node, desired: Node): Node {
  const labels = { ...existing.metadata.labels, ...desired.metadata.labels };
  return { ...existing, metadata: { ...existing.metadata, labels } };
}

/**
 * Registers the Node and resolves with it as stored (uid, resourceVersion,
 * spec.podCIDR when node IPAM already set one). Retries until it succeeds
 * or `signal` aborts (then it rejects); rejects at once when the server
 * finds the Node invalid (400/422), naming the node.
 */
export async function registerNode(o: RegisterNodeOptions): Promise<Node> {
  const backoff = new Backoff(o.backoff ?? REGISTRATION_BACKOFF);
  for (let attempt = 1; ; attempt++) {
    try {
      const node = await tryRegister(o);
      o.log.info('Registered node', { node: o.nodeName, uid: node.metadata.uid, attempt });
      return node;
    } catch (err) {
      if (o.signal?.aborted) throw stopped(o.nodeName, err);
      if (err instanceof ApiError && (err.code === 400 || err.code === 422)) {
        throw new Error(`the API server rejected node "${o.nodeName}": ${err.message}`, {
          cause: err,
        });
      }
      const retryInMs = backoff.next();
      o.log.warn('Unable to register node with API server, retrying', {
        node: o.nodeName,
        attempt,
        retryInMs,
        err: err as Error,
      });
      if (!(await sleep(retryInMs, o.signal))) throw stopped(o.nodeName, err);
    }
  }
}

async function tryRegister(o: RegisterNodeOptions): Promise<Node> {
  const { client, signal } = o;
  try {
    return await client.create(NODES, await o.desired(undefined), { signal });
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
  }
  // It exists: take it over. A Conflict (node IPAM, the lifecycle controller
  // writing meanwhile) re-reads and tries again.
  return retryOnConflict(
    async () => {
      const existing = await client.get<Node>(NODES, o.nodeName, { signal });
      const want = await o.desired(existing);
      const merged = mergeRegisteredNode(existing, want);
      const node = isDeepStrictEqual(merged.metadata.labels, existing.metadata.labels)
        ? existing
        : await client.update(NODES, merged, { signal });
      return client.updateStatus(NODES, { ...node, status: want.status }, { signal });
    },
    { signal },
  );
}

function stopped(nodeName: string, cause: unknown): Error {
  return new Error(`registration of node "${nodeName}" stopped before it succeeded`, { cause });
}
