/**
 * `skiff agent`: the node agent on one Linux host. Runs until SIGTERM or
 * SIGINT, then stops its loops and exits 0, leaving the pods' containers
 * running: the next agent adopts them.
 */
import { mkdir } from 'node:fs/promises';
import { flushCompileCache } from 'node:module';
import { UsageError, type Command, type CommandValues } from '../control-plane/api/command.ts';
import { rootLogger } from '../control-plane/api/log.ts';
import { shutdownSignal } from '../control-plane/api/shutdown-signal.ts';
import { ipToInt } from '../control-plane/api/ipv4.ts';
import { clusterDnsAddress } from './dns/cluster-dns-address.ts';
import type { AgentOptions } from './agent.ts';
import { trimDockerode } from './trim-dockerode.ts';
import { restartWarmIfCold } from './warm-restart.ts';

const DEFAULT_POD_CIDR = '10.244.0.0/24';
const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

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

Cluster DNS runs on every node: a DNS server on the node IP (port 53, UDP
and TCP) answers <svc>.<ns>.svc.<cluster-domain> from the Services and
Endpoints it watches and forwards other names to the nameservers of
--resolv-conf. The kube-dns service address (--cluster-dns, 10.96.0.10 by
default) leads to it while kube-system/kube-dns has no ready endpoints of
its own. Each pod gets a resolv.conf for its dnsPolicy, mounted read-only
at /etc/resolv.conf in every container.

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
    'cluster-dns': {
      type: 'string',
      placeholder: 'IP[,IP]',
      description:
        'DNS server address(es) of pods with dnsPolicy ClusterFirst (default: the tenth address of --service-cidr, 10.96.0.10)',
    },
    'cluster-domain': {
      type: 'string',
      placeholder: 'DOMAIN',
      description: 'Cluster domain: pods search <ns>.svc.DOMAIN, svc.DOMAIN and DOMAIN',
      default: DEFAULT_CLUSTER_DOMAIN,
    },
    'resolv-conf': {
      type: 'string',
      placeholder: 'FILE',
      description:
        'The node\'s resolver config: upstream of the node\'s DNS server and of dnsPolicy Default pods ("" for none)',
      default: '/etc/resolv.conf',
    },
    'dns-port': {
      type: 'string',
      placeholder: 'PORT',
      description: "Port of the node's DNS server on the node IP (UDP and TCP)",
      default: '53',
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
    // The agent itself loads only to run (not for --help), after the hook
    // that keeps dockerode's unused parts out of this process.
    trimDockerode();
    const { startAgent, StartInterrupted } = await import('./agent.ts');
    // Loaded by stripping types (no warm compile cache): start again, warm, as this same process.
    restartWarmIfCold();
    const stop = shutdownSignal();
    // A signal during start-up (the API server unreachable, no podCIDR yet) stops what has
    // started, so the process ends rather than waiting for a SIGKILL.
    const interrupt = new AbortController();
    void stop.signalled.then(() => interrupt.abort());
    try {
      let agent;
      try {
        agent = await startAgent({ ...opts, signal: interrupt.signal });
      } catch (err) {
        if (!(err instanceof StartInterrupted)) throw err;
        log.info('Stopped during start-up; pods keep running', { signal: await stop.signalled });
        return 0;
      }
      // Start-up has loaded the modules: write the compile cache (control-plane/cli/skiff-bin.js)
      // now rather than only at exit, so the next start is warm even after a kill -9.
      flushCompileCache();
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
  const portOf = (name: string, fallback: string): number => {
    const n = Number(text(name) ?? fallback);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new UsageError(`--${name} must be a port number, got "${text(name)}"`);
    return n;
  };
  const port = portOf('kubelet-port', '10250');
  const serviceCidr = text('service-cidr') ?? DEFAULT_SERVICE_CIDR;
  const resolvConf = v['resolv-conf'];
  const nodeIp = text('node-ip');
  const dockerHost = text('docker-host');
  const pauseImage = text('pause-image');
  return {
    kubeconfig: required('kubeconfig'),
    nodeName: required('node-name'),
    dataDir: text('data-dir') ?? '/var/lib/skiff/agent',
    defaultPodCidr: text('pod-cidr') ?? DEFAULT_POD_CIDR,
    clusterCidr: text('cluster-cidr') ?? DEFAULT_CLUSTER_CIDR,
    serviceCidr,
    kubeletPort: port,
    clusterDns: clusterDnsOf(text('cluster-dns'), serviceCidr),
    clusterDomain: clusterDomainOf(text('cluster-domain') ?? DEFAULT_CLUSTER_DOMAIN),
    resolvConf: typeof resolvConf === 'string' ? resolvConf : '/etc/resolv.conf',
    dnsPort: portOf('dns-port', '53'),
    backoffBaseMs: seconds('backoff-base', '10'),
    backoffCapMs: seconds('backoff-cap', '300'),
    podCidrWaitMs: 10_000,
    ...(nodeIp ? { nodeIp } : {}),
    ...(dockerHost ? { dockerHost } : {}),
    ...(pauseImage ? { pauseImage } : {}),
  };
}

// --cluster-dns: a comma-separated list of IPv4 addresses (the kubelet's flag).
function clusterDnsOf(flag: string | undefined, serviceCidr: string): string[] {
  if (flag === undefined) {
    try {
      return [clusterDnsAddress(serviceCidr)];
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const list = flag
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = list.find((x) => ipToInt(x) === undefined);
  if (bad !== undefined || list.length === 0)
    throw new UsageError(`--cluster-dns must list IPv4 addresses, got "${flag}"`);
  return list;
}

function clusterDomainOf(domain: string): string {
  const d = domain.replace(/\.$/, '');
  const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
  if (!new RegExp(`^${label}(\\.${label})*$`).test(d))
    throw new UsageError(
      `--cluster-domain must be a DNS name such as cluster.local, got "${domain}"`,
    );
  return d;
}
