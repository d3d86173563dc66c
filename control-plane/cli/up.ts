/**
 * `skiff up`: a local multi-node cluster on this machine (see
 * deploy/local-cluster/up.ts). Exit 0 once every node is Ready, 1 when the
 * host lacks something or a step failed (after removing what was made).
 */
import { resolve } from 'node:path';
import { UsageError, type Command } from '../api/command.ts';
import { DEFAULT_PREFIX } from '../../deploy/local-cluster/names.ts';
import { DEFAULT_DATA_DIR } from '../../deploy/local-cluster/next-steps.ts';
import { upLocalCluster } from '../../deploy/local-cluster/up.ts';

const MAX_NODES = 50;

export const command: Command = {
  name: 'up',
  summary: 'Create a local multi-node cluster on this machine (needs root and Docker)',
  description: `
Builds a whole cluster on one Linux machine, as kind and k3d do: N nodes,
each a network namespace with its own dockerd and skiff agent, on a host
bridge fenced off from the host's other interfaces; a local registry on the
bridge holding skiff's sample images (skiff/pause:1, skiff/echo:1); and the
control plane (skiff server with the scheduler and controllers) on the
bridge's host address. Prints the kubeconfig path and what to do next.

Needs root and Debian's docker.io, iptables, iproute2, util-linux,
docker-registry and busybox-static (deploy/install-deps.sh installs them).
A healthy cluster of the same prefix is reused; anything else of that prefix
must be removed first with 'skiff down'. Everything lives in the data dir,
which 'skiff down' deletes.`,
  options: {
    nodes: {
      type: 'string',
      placeholder: 'N',
      description: `Number of nodes (1-${MAX_NODES})`,
      default: '2',
    },
    'data-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'Directory for all of the cluster (removed by skiff down)',
      default: DEFAULT_DATA_DIR,
    },
    prefix: {
      type: 'string',
      placeholder: 'P',
      description: 'Name prefix of the namespaces, bridge, chain and cgroups',
      default: DEFAULT_PREFIX,
    },
    'api-port': {
      type: 'string',
      placeholder: 'PORT',
      description: "API server port on the bridge's host address",
      default: '6443',
    },
    'registry-port': {
      type: 'string',
      placeholder: 'PORT',
      description: "Local registry port on the bridge's host address",
      default: '5000',
    },
  },
  examples: [
    'sudo npx skiff up',
    'skiff up --nodes 3',
    'skiff up --prefix demo --data-dir /tmp/demo',
  ],
  async run(values) {
    return upLocalCluster({
      nodes: intFlag(values.nodes, 'nodes', 1, MAX_NODES, 2),
      prefix: String(values.prefix ?? DEFAULT_PREFIX),
      dataDir: resolve(String(values['data-dir'] ?? DEFAULT_DATA_DIR)),
      apiPort: intFlag(values['api-port'], 'api-port', 1, 65535, 6443),
      registryPort: intFlag(values['registry-port'], 'registry-port', 1, 65535, 5000),
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  },
};

function intFlag(v: unknown, flag: string, min: number, max: number, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(
      `--${flag} must be a whole number from ${min} to ${max}, got "${String(v)}"`,
    );
  return n;
}
