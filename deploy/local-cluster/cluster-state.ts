/**
 * The state file of a cluster made by `skiff up` (`<dataDir>/cluster.json`):
 * what it is (prefix, nodes, addresses, PIDs, the kubeconfig and API URL),
 * so a later `skiff up` can tell whether it is healthy and the user can find
 * its parts. `skiff down` does not need it (it finds everything by prefix
 * and pidfiles), so a crash before it is written is still cleaned up.
 * Also the layout of the data dir, and the guard that keeps `skiff down`
 * from deleting a directory that is not a cluster's.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One node as `skiff up` left it. */
export interface NodeState {
  name: string;
  /** The node's address on the bridge (its InternalIP). */
  ip: string;
  /** The network namespace, e.g. "skiff-n1" (/run/netns/skiff-n1). */
  netns: string;
  agentPid: number;
  dockerdPid: number;
}

/** What `skiff up` writes once the cluster is up. */
export interface ClusterState {
  prefix: string;
  dataDir: string;
  bridge: string;
  subnet: string;
  serverUrl: string;
  serverPid: number;
  kubeconfig: string;
  /** host:port of the local registry, the prefix of image references. */
  registry: string;
  /** The ClusterIP of the sample app's Service (absent in state files from before it). */
  sampleServiceIp?: string;
  nodes: NodeState[];
  createdAt: string;
}

/** The files and folders of a local cluster's data dir (pure). */
export function clusterPaths(dataDir: string) {
  return {
    state: join(dataDir, 'cluster.json'),
    serverDir: join(dataDir, 'server'),
    kubeconfig: join(dataDir, 'server', 'kubeconfig'),
    serverLog: join(dataDir, 'server.log'),
    serverPidfile: join(dataDir, 'server.pid'),
    nodesDir: join(dataDir, 'nodes'),
    nodeDir: (node: string) => join(dataDir, 'nodes', node),
    agentPidfile: (node: string) => join(dataDir, 'nodes', node, 'agent.pid'),
  };
}

/** Everything a cluster's data dir may hold at its top level; anything else is not ours. */
const OWN_ENTRIES = new Set([
  'cluster.json',
  'cluster.json.tmp',
  'server',
  'server.log',
  'server.pid',
  'nodes',
  'images',
  'registry',
]);

/**
 * The top-level entries of `dataDir` that no local cluster makes ([] if it
 * is missing or holds only a cluster's files). Up and down refuse a data
 * dir with any, since down deletes the whole directory.
 */
export function foreignEntries(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir).filter((e) => !OWN_ENTRIES.has(e));
}

/** Writes the state file atomically (a temp file renamed over it). */
export function writeClusterState(state: ClusterState): void {
  const path = clusterPaths(state.dataDir).state;
  writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

/** The state file of `dataDir`, or undefined when it is missing or not a valid state. */
export function readClusterState(dataDir: string): ClusterState | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(clusterPaths(dataDir).state, 'utf8'));
  } catch {
    return undefined;
  }
  return parseClusterState(raw);
}

/** Validates a parsed state file (pure); undefined unless every field has its type. */
export function parseClusterState(raw: unknown): ClusterState | undefined {
  if (!isRecord(raw)) return undefined;
  const strings = ['prefix', 'dataDir', 'bridge', 'subnet', 'serverUrl', 'kubeconfig'] as const;
  for (const k of [...strings, 'registry', 'createdAt'])
    if (typeof raw[k] !== 'string') return undefined;
  if (!isPid(raw.serverPid) || !Array.isArray(raw.nodes)) return undefined;
  const nodes: NodeState[] = [];
  for (const n of raw.nodes as unknown[]) {
    if (!isRecord(n)) return undefined;
    if (typeof n.name !== 'string' || typeof n.ip !== 'string' || typeof n.netns !== 'string')
      return undefined;
    if (!isPid(n.agentPid) || !isPid(n.dockerdPid)) return undefined;
    nodes.push({
      name: n.name,
      ip: n.ip,
      netns: n.netns,
      agentPid: n.agentPid,
      dockerdPid: n.dockerdPid,
    });
  }
  const text = (k: string) => raw[k] as string;
  return {
    prefix: text('prefix'),
    dataDir: text('dataDir'),
    bridge: text('bridge'),
    subnet: text('subnet'),
    serverUrl: text('serverUrl'),
    serverPid: raw.serverPid,
    kubeconfig: text('kubeconfig'),
    registry: text('registry'),
    ...(typeof raw.sampleServiceIp === 'string' ? { sampleServiceIp: raw.sampleServiceIp } : {}),
    nodes,
    createdAt: text('createdAt'),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPid(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
