/**
 * The node agent: registers the node, then runs the pods bound to it as
 * Docker containers and serves the kubelet API. Wiring only; each part
 * lives in its own module:
 *   node/            registration, node status, Lease heartbeat
 *   kubelet/         pod workers (pod-workers.ts) running sync passes
 *                    (pod-sync.ts) on triggers from the pod informer, the
 *                    runtime relist (pleg.ts) and the probes; statuses
 *                    written through status-manager.ts
 *   server/          the kubelet HTTP API (/healthz, /pods, /containerLogs)
 *   network/         routes to other nodes' pod CIDRs, FORWARD and masquerade
 *   proxy/           service IPs to ready pod IPs with iptables-restore
 *   dns/             cluster DNS on the node IP behind the kube-dns
 *                    ClusterIP (agent-dns.ts); pod resolv.conf: kubelet/pod-dns.ts
 *
 * Safe to restart at any time: containers carry their identity in labels,
 * so a new agent adopts what runs. While the API server is away, pods keep
 * running untouched; informer, status writes and heartbeats retry with
 * back-off and catch up when it returns. Containers of pods the API no
 * longer binds here are removed only after a complete pod list, and only
 * those labelled with this node's name.
 */
import { ApiClient } from '../control-plane/api/client/client.ts';
import { EventRecorder } from '../control-plane/api/client/event-recorder.ts';
import { Informer } from '../control-plane/api/client/informer.ts';
import { rootLogger, type Logger } from '../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../control-plane/api/resources.ts';
import type { Pod } from '../control-plane/api/types.ts';
import { startNodeDns, type AgentDns } from './agent-dns.ts';
import { startPodNetwork } from './agent-network.ts';
import { newServiceInformers, runServiceInformers } from './service-informers.ts';
import { startServiceProxy } from './agent-proxy.ts';
import { Backoff } from './kubelet/backoff.ts';
import { systemClock } from './kubelet/clock.ts';
import { ExecMounter } from './kubelet/mounter.ts';
import { PodDns } from './kubelet/pod-dns.ts';
import { Pleg } from './kubelet/pleg.ts';
import { PodObjectSource } from './kubelet/pod-object-source.ts';
import { PodSyncer } from './kubelet/pod-sync.ts';
import { PodWorkers } from './kubelet/pod-workers.ts';
import { DefaultProbeChecker } from './kubelet/probe-checks.ts';
import { ProbeManager } from './kubelet/probe-manager.ts';
import { bridgeNameFor } from './kubelet/runtime/docker-network.ts';
import { DockerRuntime } from './kubelet/runtime/docker-runtime.ts';
import { StatusManager } from './kubelet/status-manager.ts';
import { VolumeManager } from './kubelet/volumes.ts';
import { startNode, type NodeHandle } from './node/index.ts';
import { runtimeLogSource, startKubeletServer, type KubeletServer } from './server/index.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

/** The Docker network pods join; its subnet is the node's pod CIDR. */
export const POD_NETWORK = 'skiff-pods';

export interface AgentOptions {
  kubeconfig: string;
  nodeName: string;
  /** The node's InternalIP; found from the default route's interface when absent. */
  nodeIp?: string;
  dockerHost?: string;
  dataDir: string;
  /** The pod CIDR of the whole cluster (every node's podCIDR lies in it). */
  clusterCidr: string;
  /** The Service ClusterIP range; addresses in it that no Service owns are rejected. */
  serviceCidr: string;
  /** The pod subnet when the Node has no spec.podCIDR. */
  defaultPodCidr: string;
  kubeletPort: number;
  pauseImage?: string;
  /** CrashLoopBackOff and image pull back-off (Kubernetes: 10 s doubling to 300 s). */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** How long to wait for the node IPAM controller to assign spec.podCIDR. */
  podCidrWaitMs: number;
  /** The kube-dns address(es) pods with dnsPolicy ClusterFirst get as nameservers. */
  clusterDns: string[];
  /** The cluster domain, e.g. cluster.local. */
  clusterDomain: string;
  /** The node's resolv.conf: upstream of the node's DNS server and of dnsPolicy Default pods; "" none. */
  resolvConf: string;
  /** Port of this node's DNS server on the node IP (53; 0 picks a free one). */
  dnsPort: number;
  log?: Logger;
  /**
   * Aborts start-up (a SIGTERM while the API server cannot be reached, or
   * while the node waits for its podCIDR): what had started is stopped and
   * startAgent rejects with StartInterrupted. Once started, use stop().
   */
  signal?: AbortSignal;
}

/** startAgent's rejection when its signal aborted start-up; nothing of it is left running. */
export class StartInterrupted extends Error {
  constructor(nodeName: string, step: string) {
    super(`start-up of node agent "${nodeName}" stopped ${step}`);
    this.name = 'StartInterrupted';
  }
}

/** A running agent. */
export interface Agent {
  nodeName: string;
  kubeletPort: number;
  /** Stops every loop; containers keep running (a restarted agent adopts them). */
  stop(): Promise<void>;
}

/** Starts the agent; resolves once the node is registered and pods are being run. */
export async function startAgent(o: AgentOptions): Promise<Agent> {
  const log = (o.log ?? rootLogger).child({ component: 'agent', node: o.nodeName });
  const ac = new AbortController();
  // Only start-up listens to o.signal: once started, stop() ends the agent.
  const interrupt = (): void => ac.abort();
  o.signal?.addEventListener('abort', interrupt, { once: true });
  const client = ApiClient.fromKubeconfig(o.kubeconfig);
  const runtime = await DockerRuntime.connect({
    nodeName: o.nodeName,
    log,
    ...(o.dockerHost ? { dockerHost: o.dockerHost } : {}),
    ...(o.pauseImage ? { pauseImage: o.pauseImage } : {}),
  });
  const version = await runtime.version();
  log.info('Connected to the container runtime', { ...version });

  let node: NodeHandle;
  try {
    if (o.signal?.aborted) throw new StartInterrupted(o.nodeName, 'before it began');
    node = await startNode({
      client,
      nodeName: o.nodeName,
      dataDir: o.dataDir,
      kubeletPort: o.kubeletPort,
      runtimeVersion: `${version.name}://${version.version}`,
      log,
      signal: ac.signal,
      ...(o.nodeIp ? { nodeIp: o.nodeIp } : {}),
    });
  } catch (err) {
    client.close();
    if (err instanceof StartInterrupted || !ac.signal.aborted) throw err;
    throw new StartInterrupted(o.nodeName, 'while registering the node');
  }
  const nodeIp = node.nodeIp();
  const podCidr = await waitForPodCidr(node, o.podCidrWaitMs, o.defaultPodCidr, log, ac.signal);
  if (ac.signal.aborted) {
    await node.stop();
    client.close();
    throw new StartInterrupted(o.nodeName, 'while waiting for the podCIDR');
  }
  const network = await runtime.ensureNetwork(podCidr, POD_NETWORK);
  log.info('Pod network ready', { network: network.name, subnet: network.subnet });
  const podNetwork = startPodNetwork({
    client,
    nodeName: o.nodeName,
    clusterCidr: o.clusterCidr,
    serviceCidr: o.serviceCidr,
    bridge: bridgeNameFor(POD_NETWORK),
    log,
    signal: ac.signal,
  });

  // One Services/Endpoints pair for the DNS server and the proxy, run once both have attached.
  const serviceInformers = newServiceInformers(client, { logger: log });
  let dns: AgentDns;
  try {
    dns = await startNodeDns({
      informers: serviceInformers,
      nodeIp,
      port: o.dnsPort,
      clusterDomain: o.clusterDomain,
      clusterDns: o.clusterDns,
      resolvConfPath: o.resolvConf,
      log,
      signal: ac.signal,
    });
  } catch (err) {
    ac.abort();
    await node.stop();
    client.close();
    throw err;
  }
  const proxy = await startServiceProxy({
    informers: serviceInformers,
    nodeName: o.nodeName,
    clusterCidr: o.clusterCidr,
    serviceCidr: o.serviceCidr,
    localDns: { ip: nodeIp, port: dns.port },
    log,
    signal: ac.signal,
  });
  const serviceInformersRun = runServiceInformers(serviceInformers, ac.signal);

  const events = new EventRecorder({
    client,
    source: { component: 'kubelet', host: o.nodeName },
    log,
  });
  const event = (pod: Pod, e: { type: 'Normal' | 'Warning'; reason: string; message: string }) =>
    events.record(pod, e.type, e.reason, e.message);
  const status = new StatusManager({ client, log });
  const checker = new DefaultProbeChecker(runtime);
  const probes = new ProbeManager({
    checker,
    log,
    // Probes run only for pods the workers synced, so `workers` exists by then.
    onChange: (uid) => workers.poke(uid),
    onEvent: event,
  });
  const backoff = { baseMs: o.backoffBaseMs, capMs: o.backoffCapMs };
  const restarts = new Backoff(backoff);
  const pulls = new Backoff(backoff);
  const objects = new PodObjectSource(client);
  const syncer = new PodSyncer({
    runtime,
    volumes: new VolumeManager({ dataDir: o.dataDir, mounter: new ExecMounter(), log }),
    objects: (pod) => objects.forPod(pod),
    probes,
    hooks: checker,
    restarts,
    pulls,
    clock: systemClock,
    network: POD_NETWORK,
    hostIPs: [nodeIp],
    dns: new PodDns({
      config: {
        clusterDns: o.clusterDns,
        clusterDomain: o.clusterDomain,
        resolvConfPath: o.resolvConf,
      },
      log,
    }),
    event,
    log,
  });
  const workers: PodWorkers = new PodWorkers({
    sync: (pod) => syncer.sync(pod),
    forget: (uid) => {
      syncer.forget(uid);
      probes.remove(uid);
    },
    status,
    log,
  });
  const w = workers;

  const pods = new Informer<Pod>({
    client,
    resource: PODS,
    fieldSelector: `spec.nodeName=${o.nodeName}`,
    logger: log,
  });
  pods
    .on('add', (p) => w.update(p))
    .on('update', (_old, p) => w.update(p))
    .on('delete', (p) => w.removed(p));
  const pleg = new Pleg({
    runtime,
    log,
    onChange: (uids) => {
      uids.forEach((uid) => w.poke(uid));
      // New sandbox ports on the bridge need hairpin mode.
      podNetwork.reconcile();
    },
    onRelist: (running) => {
      // Orphans only once the pod list is complete: before that, every pod looks unknown.
      if (!pods.hasSynced()) return;
      const known = new Set(pods.list().map((p) => p.metadata.uid));
      for (const r of running) if (!known.has(r.uid)) w.orphan(r.uid, r.namespace, r.name);
    },
    onHealth: (ok, message) => node.setRuntimeHealth(ok, message),
  });

  status.start(ac.signal);
  void pods.start(ac.signal);
  pleg.start(ac.signal);
  const gc = setInterval(() => {
    restarts.gc();
    pulls.gc();
  }, 60_000);
  gc.unref();

  const server: KubeletServer = await startKubeletServer({
    address: nodeIp,
    port: o.kubeletPort,
    log,
    source: {
      pods: () => w.pods(),
      healthy: () => ({ ok: true }),
      ...runtimeLogSource(runtime),
    },
  });
  log.info('Node agent running', {
    nodeIp,
    kubeletPort: server.port,
    podCidr,
    clusterDns: o.clusterDns,
    dnsPort: dns.port,
  });

  o.signal?.removeEventListener('abort', interrupt);
  return {
    nodeName: o.nodeName,
    kubeletPort: server.port,
    async stop() {
      ac.abort();
      clearInterval(gc);
      probes.stop();
      await w.stop();
      await proxy.stop();
      await dns.done;
      await serviceInformersRun;
      await server.close();
      await node.stop();
      await events.flush(5_000);
      client.close();
    },
  };
}

// The node IPAM controller assigns spec.podCIDR shortly after registration.
async function waitForPodCidr(
  node: NodeHandle,
  waitMs: number,
  fallback: string,
  log: Logger,
  signal: AbortSignal,
): Promise<string> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const cidr = node.podCidr();
    if (cidr) return cidr;
    if (signal.aborted) return fallback;
    await new Promise((r) => setTimeout(r, 200));
  }
  log.warn('The node has no spec.podCIDR; using the default pod subnet', {
    podCidr: fallback,
    hint: 'run the node IPAM controller (skiff server does) or pass --pod-cidr',
  });
  return fallback;
}
