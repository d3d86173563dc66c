/**
 * Several Linux "nodes" on one machine, for tests and for `skiff up`: a host
 * bridge fenced from the host's other interfaces, N network namespaces each
 * with its own dockerd, skiff's sample images built here and loaded into
 * every node, and a local registry on the bridge holding them. `destroy()`
 * removes all of it and nothing else (see teardown.ts).
 *
 * Data dir layout: `images/` (image cache), `registry/`, `nodes/<name>/`
 * (dockerd data, exec root, socket, log). Node `nI` gets address .(10+I) of
 * the bridge subnet; the host (and registry) is .1.
 *
 * @example
 *   const cluster = await createLocalNodes({ count: 2, prefix: 'skifft', dataDir, removeLeftovers: true });
 *   after(() => cluster.destroy());
 *   await cluster.nodes[0].docker.createContainer({ Image: PAUSE_IMAGE });
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { rootLogger, type Logger } from '../../control-plane/api/log.ts';
import {
  execRunner,
  type CommandResult,
  type CommandRunner,
  type RunOptions,
} from './command-runner.ts';
import { createHostNetwork, type HostNetwork } from './host-network.ts';
import { loadImages } from './images/image-archive.ts';
import { pushImages } from './images/registry-push.ts';
import { buildSampleImages, type SampleImages } from './images/sample-images.ts';
import { checkNodeName, checkPrefix } from './names.ts';
import { createNetnsNode, DEFAULT_SERVICE_CIDR, runInNode, type NetnsNode } from './netns-node.ts';
import { startNodeDockerd, type NodeDockerd } from './node-dockerd.ts';
import { startRegistry, type Registry } from './registry.ts';
import { findLeftovers, removeLocalNodes } from './teardown.ts';

/** The pod range of the architecture's defaults; the bridge subnet must stay clear of it. */
const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
const MAX_NODES = 200;

export interface LocalNodesOptions {
  count: number;
  /** Name prefix of everything created (see names.ts); tests use their own, e.g. "skifft". */
  prefix: string;
  /** Owned by the cluster: removed by destroy(). */
  dataDir: string;
  /** Node names, default n1..nN. */
  names?: readonly string[];
  /** Bridge subnet; default the first free of DEFAULT_BRIDGE_CANDIDATES. */
  subnet?: string;
  serviceCidr?: string;
  clusterCidr?: string;
  /** Start the local registry and push the sample images (default true). */
  registry?: boolean;
  /** Registry port on the bridge address; 0 (default) picks a free one. */
  registryPort?: number;
  /** Remove an earlier cluster of this prefix first; otherwise its presence is an error. */
  removeLeftovers?: boolean;
  runner?: CommandRunner;
  log?: Logger;
}

/** One node: its namespace, address, dockerd and a way to run programs in its network. */
export interface LocalNode extends NetnsNode {
  dir: string;
  dockerd: NodeDockerd;
  /** The node dockerd's unix socket. */
  dockerSocket: string;
  docker: Docker;
  /** Runs a host program inside the node's network namespace. */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
}

export interface LocalNodes {
  prefix: string;
  dataDir: string;
  network: HostNetwork;
  serviceCidr: string;
  nodes: LocalNode[];
  images: SampleImages;
  registry: Registry | undefined;
  /** Removes everything this cluster created; idempotent. */
  destroy(): Promise<void>;
}

/** Creates the nodes; on failure removes what it made and rethrows. */
export async function createLocalNodes(opts: LocalNodesOptions): Promise<LocalNodes> {
  checkPrefix(opts.prefix);
  const names = opts.names ?? Array.from({ length: opts.count }, (_, i) => `n${i + 1}`);
  if (names.length !== opts.count || opts.count < 1 || opts.count > MAX_NODES) {
    throw new Error(
      `node count must be 1-${MAX_NODES} and match the names given (got ${opts.count})`,
    );
  }
  names.forEach(checkNodeName);
  const runner = opts.runner ?? execRunner;
  const log = (opts.log ?? rootLogger).child({ component: 'local-cluster', prefix: opts.prefix });
  const teardown = { prefix: opts.prefix, dataDir: opts.dataDir };
  const leftovers = await findLeftovers(teardown, runner);
  if (leftovers.length > 0) {
    if (!opts.removeLeftovers) {
      throw new Error(
        `a local cluster with prefix "${opts.prefix}" already exists (${leftovers.join(', ')}): remove it first`,
      );
    }
    log.warn('Removing leftovers of an earlier run', { leftovers });
    await removeLocalNodes(teardown, runner);
  }
  try {
    return await build(opts, names, runner, log);
  } catch (err) {
    log.error('Creating local nodes failed; removing what was created', { err });
    await removeLocalNodes(teardown, runner).catch((e: unknown) =>
      log.error('Cleanup after failure failed', { err: e }),
    );
    throw err;
  }
}

async function build(
  opts: LocalNodesOptions,
  names: readonly string[],
  runner: CommandRunner,
  log: Logger,
): Promise<LocalNodes> {
  const serviceCidr = opts.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  mkdirSync(opts.dataDir, { recursive: true });
  const images = await buildSampleImages({ cacheDir: join(opts.dataDir, 'images') }, runner);
  const network = await createHostNetwork(
    {
      prefix: opts.prefix,
      ...(opts.subnet !== undefined ? { subnet: opts.subnet } : {}),
      reserved: [serviceCidr, opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR],
    },
    runner,
  );
  log.info('Created host network', { bridge: network.bridge, subnet: network.subnet });
  let registry: Registry | undefined;
  if (opts.registry !== false) {
    const dir = join(opts.dataDir, 'registry');
    registry = await startRegistry({ dir, host: network.gateway, port: opts.registryPort ?? 0 });
    await pushImages(registry.url, images);
    log.info('Started registry with the sample images', { address: registry.address });
  }
  const insecure = registry ? [registry.address] : [];
  const nodes = await Promise.all(
    names.map(async (name, i) => {
      const netns = await createNetnsNode(
        { prefix: opts.prefix, name, network, addressIndex: 11 + i, serviceCidr },
        runner,
      );
      const dir = join(opts.dataDir, 'nodes', name);
      const dockerd = await startNodeDockerd({ node: netns, dir, insecureRegistries: insecure });
      await loadImages(dockerd.docker, images);
      log.info('Started node', { node: name, ip: netns.ip, netns: netns.netns });
      return localNode(netns, dir, dockerd, runner);
    }),
  );
  const teardown = { prefix: opts.prefix, dataDir: opts.dataDir };
  return {
    prefix: opts.prefix,
    dataDir: opts.dataDir,
    network,
    serviceCidr,
    nodes,
    images,
    registry,
    destroy: async () => {
      await removeLocalNodes(teardown, runner);
      log.info('Removed local nodes', { nodes: names.length });
    },
  };
}

function localNode(
  netns: NetnsNode,
  dir: string,
  dockerd: NodeDockerd,
  runner: CommandRunner,
): LocalNode {
  return {
    ...netns,
    dir,
    dockerd,
    dockerSocket: dockerd.paths.socket,
    docker: dockerd.docker,
    run: (cmd, args, opts) => runInNode(netns, runner, cmd, args, opts),
  };
}
