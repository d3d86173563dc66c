/**
 * `skiff agent`: the node agent on one Linux host. Runs until SIGTERM or
 * SIGINT, then stops its loops and exits 0, leaving the pods' containers
 * running: the next agent adopts them.
 */
import { mkdir } from 'node:fs/promises';
import { UsageError, type Command, type CommandValues } from '../control-plane/api/command.ts';
import { rootLogger } from '../control-plane/api/log.ts';
import { shutdownSignal } from '../control-plane/api/shutdown-signal.ts';
import { startAgent, type AgentOptions } from './agent.ts';

const DEFAULT_POD_CIDR = '10.244.0.0/24';
const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

export const command: Command = {
  name: 'agent',
  summary: 'Run the node agent: register this host and run its pods in Docker',
  description: `
Registers this host as a Node of the cluster the kubeconfig names, renews its
Lease in kube-node-lease every 10 s, and runs the pods bound to it as Docker
containers: a pause container holds each pod's network, app containers join
it. Serves the kubelet API (/healthz, /pods, /containerLogs) on the node IP,
which the API server uses for kubectl logs.

The pod network is a Docker bridge on the Node's spec.podCIDR (assigned by
the control plane), or --pod-cidr when the control plane assigns none. Every
other node's pod CIDR is routed via its InternalIP (host-gw: all nodes on one
L2 segment); pod traffic leaving --cluster-cidr is masqueraded. Service IPs
and NodePorts are routed to ready pod IPs by iptables rules in skiff's own
chains, applied atomically with iptables-restore.

Stopping the agent leaves pods running; a new agent adopts them without
restarting any.`,
  options: {
    kubeconfig: {
      type: 'string',
      placeholder: 'FILE',
      description: 'Kubeconfig of the API server (skiff server writes DIR/kubeconfig)',
    },
    'node-name': { type: 'string', placeholder: 'NAME', description: 'Name of this Node' },
    'node-ip': {
      type: 'string',
      placeholder: 'IP',
      description: 'InternalIP of this node (default: the address of the default route interface)',
    },
    'docker-host': {
      type: 'string',
      placeholder: 'URL',
      description: 'Docker engine socket',
      default: 'unix:///var/run/docker.sock',
    },
    'data-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'Directory for pod volumes',
      default: '/var/lib/skiff/agent',
    },
    'kubelet-port': {
      type: 'string',
      placeholder: 'PORT',
      description: 'Port of the kubelet API on the node IP',
      default: '10250',
    },
    'cluster-cidr': {
      type: 'string',
      placeholder: 'CIDR',
      description: 'Pod CIDR of the whole cluster: routed between nodes, never masqueraded',
      default: DEFAULT_CLUSTER_CIDR,
    },
    'service-cidr': {
      type: 'string',
      placeholder: 'CIDR',
      description: "Service ClusterIP range (as the API server's --service-cidr)",
      default: DEFAULT_SERVICE_CIDR,
    },
    'pod-cidr': {
      type: 'string',
      placeholder: 'CIDR',
      description: 'Pod subnet when the Node gets no spec.podCIDR',
      default: DEFAULT_POD_CIDR,
    },
    'pause-image': {
      type: 'string',
      placeholder: 'IMAGE',
      description: 'Sandbox image (never pulled: load it into the engine first)',
      default: 'skiff/pause:1',
    },
    'backoff-base': {
      type: 'string',
      placeholder: 'SECONDS',
      description: 'First CrashLoopBackOff and image pull back-off delay',
      default: '10',
    },
    'backoff-cap': {
      type: 'string',
      placeholder: 'SECONDS',
      description: 'Longest back-off delay',
      default: '300',
    },
  },
  examples: [
    'skiff agent --kubeconfig /var/lib/skiff/server/kubeconfig --node-name n1',
    'skiff agent --kubeconfig kubeconfig --node-name n1 --node-ip 172.30.0.11 --docker-host unix:///run/n1/docker.sock',
  ],
  async run(values) {
    const opts = agentOptions(values);
    const log = rootLogger.child({ component: 'agent' });
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const stop = shutdownSignal();
    try {
      const agent = await Promise.race([startAgent(opts), stop.signalled.then(() => undefined)]);
      if (!agent) return 0;
      const signal = await stop.signalled;
      log.info('Shutting down; pods keep running', { signal });
      await agent.stop();
      return 0;
    } finally {
      stop.dispose();
    }
  },
};

function agentOptions(v: CommandValues): AgentOptions {
  const text = (name: string): string | undefined => {
    const x = v[name];
    return typeof x === 'string' && x !== '' ? x : undefined;
  };
  const required = (name: string): string => {
    const x = text(name);
    if (x === undefined) throw new UsageError(`--${name} is required`);
    return x;
  };
  const seconds = (name: string, fallback: string): number => {
    const n = Number(text(name) ?? fallback);
    if (!Number.isFinite(n) || n <= 0)
      throw new UsageError(`--${name} must be a positive number of seconds, got "${text(name)}"`);
    return n * 1000;
  };
  const port = Number(text('kubelet-port') ?? '10250');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--kubelet-port must be a port number, got "${text('kubelet-port')}"`);
  const nodeIp = text('node-ip');
  const dockerHost = text('docker-host');
  const pauseImage = text('pause-image');
  return {
    kubeconfig: required('kubeconfig'),
    nodeName: required('node-name'),
    dataDir: text('data-dir') ?? '/var/lib/skiff/agent',
    defaultPodCidr: text('pod-cidr') ?? DEFAULT_POD_CIDR,
    clusterCidr: text('cluster-cidr') ?? DEFAULT_CLUSTER_CIDR,
    serviceCidr: text('service-cidr') ?? DEFAULT_SERVICE_CIDR,
    kubeletPort: port,
    backoffBaseMs: seconds('backoff-base', '10'),
    backoffCapMs: seconds('backoff-cap', '300'),
    podCidrWaitMs: 10_000,
    ...(nodeIp ? { nodeIp } : {}),
    ...(dockerHost ? { dockerHost } : {}),
    ...(pauseImage ? { pauseImage } : {}),
  };
}
