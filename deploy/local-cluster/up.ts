/**
 * `skiff up`: a whole cluster on this machine, as kind and k3d make one:
 * N nodes (network namespaces, each with its own dockerd) on a fenced host
 * bridge with a local registry holding skiff's sample images
 * (createLocalNodes), `skiff server` with all components on the bridge's
 * host address, and a `skiff agent` in every node; done when every Node is
 * Ready with a podCIDR; then the sample app (sample-app.ts) is deployed and
 * reached through its service IP from the first node. Writes
 * `<dataDir>/cluster.json`. On failure it
 * reports what failed (with the relevant log's last lines), removes what it
 * made (down.ts) and resolves to exit code 1.
 *
 * An existing cluster of the same prefix is reused when it is healthy and
 * has the nodes asked for (so running `skiff up` twice is harmless);
 * otherwise `skiff up` refuses and asks for `skiff down` first, since it
 * cannot tell what a half-working cluster still holds that the user wants.
 */
import { ApiClient } from '../../control-plane/api/client/client.ts';
import { startAgentProcess, type AgentProcess } from './agent-process.ts';
import { runningAgents, writeAgentPid } from './agent-pidfiles.ts';
import { createLocalNodes, type LocalNodes } from './cluster-nodes.ts';
import {
  clusterPaths,
  foreignEntries,
  readClusterState,
  writeClusterState,
  type ClusterState,
} from './cluster-state.ts';
import { execRunner, type CommandRunner } from './command-runner.ts';
import { downLocalCluster, summarizeParts } from './down.ts';
import { checkPrefix } from './names.ts';
import { downCommand, nextSteps } from './next-steps.ts';
import { readyNodes, waitNodesReady } from './node-readiness.ts';
import { hostFacts, preflightProblems } from './preflight.ts';
import { createProgress, describeNodesRecord, recordingLogger } from './progress.ts';
import { deploySampleApp, SAMPLE_APP, type SampleAppResult } from './sample-app.ts';
import { runningServerPid, serverReady, startServerProcess } from './server-process.ts';
import { findLeftovers } from './teardown.ts';

const READY_TIMEOUT_MS = 180_000;
const SAMPLE_APP_TIMEOUT_MS = 180_000;

export interface UpOptions {
  nodes: number;
  prefix: string;
  /** An absolute path. */
  dataDir: string;
  apiPort: number;
  registryPort: number;
  /** Progress and results (stdout). */
  out: (line: string) => void;
  /** Failures (stderr). */
  err: (line: string) => void;
  runner?: CommandRunner;
}

/** Brings the cluster up (or finds it up); resolves to the exit code. */
export async function upLocalCluster(o: UpOptions): Promise<number> {
  checkPrefix(o.prefix);
  const problems = preflightProblems(hostFacts());
  const foreign = foreignEntries(o.dataDir);
  if (foreign.length > 0) {
    problems.push(
      `${o.dataDir} holds files no local cluster makes (${foreign.slice(0, 5).join(', ')}); skiff down deletes its data dir, so choose a new or empty --data-dir`,
    );
  }
  if (problems.length > 0) {
    o.err(`skiff up: cannot create a local cluster on this machine:`);
    for (const p of problems) o.err(`  - ${p}`);
    return 1;
  }
  const runner = o.runner ?? execRunner;
  const existing = await existingParts(o, runner);
  if (existing.length > 0) {
    const state = await healthyState(o);
    if (state) {
      o.out(`Local cluster "${o.prefix}" is already up and healthy; nothing to do.`);
      for (const line of nextSteps(state)) o.out(line);
      return 0;
    }
    o.err(
      `skiff up: a local cluster with prefix "${o.prefix}" already exists but is not a healthy ${o.nodes}-node cluster (${summarizeParts(existing, o.dataDir, 8).join(', ')}).`,
    );
    o.err(`  Remove it first: ${downCommand(o.prefix, o.dataDir)}`);
    return 1;
  }
  try {
    const state = await build(o, runner);
    o.out('');
    for (const line of nextSteps(state)) o.out(line);
    return 0;
  } catch (err) {
    o.err(`skiff up failed: ${(err as Error).message}`);
    o.out('Removing what was created ...');
    const res = await downLocalCluster({ prefix: o.prefix, dataDir: o.dataDir, runner });
    if (res.leftovers.length > 0) {
      const left = summarizeParts(res.leftovers, o.dataDir).join(', ');
      o.err(`Could not remove everything; left: ${left}${res.problem ? ` (${res.problem})` : ''}`);
      o.err(`  Try again: ${downCommand(o.prefix, o.dataDir)}`);
    } else {
      o.out('Removed; nothing of the cluster is left.');
    }
    return 1;
  }
}

async function build(o: UpOptions, runner: CommandRunner): Promise<ClusterState> {
  const progress = createProgress(6, o.out);
  progress.step('building the sample images (skiff/pause:1, skiff/echo:1) and the bridge');
  const log = recordingLogger((r) => {
    const line = describeNodesRecord(r);
    if (line !== undefined) progress.detail(line);
    if (r.msg === 'Created host network') progress.step('starting the local registry');
    if (r.msg === 'Started registry with the sample images') {
      progress.step(`creating ${o.nodes} node namespaces, each with its own dockerd`);
    }
  });
  const nodes: LocalNodes = await createLocalNodes({
    count: o.nodes,
    prefix: o.prefix,
    dataDir: o.dataDir,
    registry: true,
    registryPort: o.registryPort,
    // existingParts found none running: what is left is a stale data dir of ours.
    removeLeftovers: true,
    runner,
    log,
  });
  const host = nodes.network.gateway;
  progress.step(`starting the control plane (skiff server on ${host}:${o.apiPort})`);
  const server = await startServerProcess({ dataDir: o.dataDir, host, port: o.apiPort });
  progress.detail(`API server ready at ${server.url}, log ${server.logPath}`);
  progress.step(`starting ${o.nodes} agents, waiting for the nodes to be Ready`);
  const agents = new Map<string, AgentProcess>();
  for (const node of nodes.nodes) {
    const agent = startAgentProcess({ node, kubeconfig: server.kubeconfig });
    writeAgentPid(o.dataDir, node.name, agent.pid);
    agents.set(node.name, agent);
  }
  const client = ApiClient.fromKubeconfig(server.kubeconfig);
  const registry = nodes.registry?.address ?? '';
  const first = nodes.nodes[0];
  let sample: SampleAppResult;
  try {
    await waitNodesReady(client, agents, READY_TIMEOUT_MS, (name, cidr) =>
      progress.detail(`node ${name} Ready, pod CIDR ${cidr}`),
    );
    progress.step(
      `deploying the sample app "${SAMPLE_APP}" and reaching it through its service IP`,
    );
    sample = await deploySampleApp({
      client,
      runner,
      registry,
      replicas: nodes.nodes.length,
      netns: first?.netns ?? '',
      timeoutMs: SAMPLE_APP_TIMEOUT_MS,
      detail: (line) => progress.detail(line),
    });
    progress.detail(
      `http://${sample.serviceIp}/ from node ${first?.name} answered: ${sample.answer}`,
    );
  } finally {
    client.close();
  }
  const state: ClusterState = {
    prefix: o.prefix,
    dataDir: o.dataDir,
    bridge: nodes.network.bridge,
    subnet: nodes.network.subnet,
    serverUrl: server.url,
    serverPid: server.pid,
    kubeconfig: server.kubeconfig,
    registry,
    sampleServiceIp: sample.serviceIp,
    nodes: nodes.nodes.map((n) => ({
      name: n.name,
      ip: n.ip,
      netns: n.netns,
      agentPid: agents.get(n.name)?.pid ?? 0,
      dockerdPid: n.dockerd.pid,
    })),
    createdAt: new Date().toISOString(),
  };
  writeClusterState(state);
  o.out(`Cluster up in ${progress.elapsed()}; state in ${clusterPaths(o.dataDir).state}`);
  return state;
}

// What of a cluster of this prefix runs or exists now; a stale data dir alone does not count.
async function existingParts(o: UpOptions, runner: CommandRunner): Promise<string[]> {
  const parts = (await findLeftovers({ prefix: o.prefix, dataDir: o.dataDir }, runner)).filter(
    (l) => !l.startsWith('data dir '),
  );
  const server = runningServerPid(o.dataDir);
  if (server !== undefined) parts.push(`skiff server pid ${server}`);
  for (const a of runningAgents(o.dataDir)) parts.push(`agent of ${a.node} pid ${a.pid}`);
  return parts;
}

// The state of a running cluster with the nodes asked for, all Ready; undefined otherwise.
async function healthyState(o: UpOptions): Promise<ClusterState | undefined> {
  const state = readClusterState(o.dataDir);
  if (!state || state.prefix !== o.prefix || state.nodes.length !== o.nodes) return undefined;
  if (runningServerPid(o.dataDir) !== state.serverPid) return undefined;
  if (runningAgents(o.dataDir).length !== state.nodes.length) return undefined;
  if (!(await serverReady(state.serverUrl))) return undefined;
  const client = ApiClient.fromKubeconfig(state.kubeconfig);
  try {
    const names = state.nodes.map((n) => n.name);
    return (await readyNodes(client, names)).length === names.length ? state : undefined;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}
