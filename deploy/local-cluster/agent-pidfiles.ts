/**
 * The pidfiles of the agents `skiff up` starts (`<dataDir>/nodes/<node>/agent.pid`),
 * so `skiff down` and a later `skiff up` find them. A PID is trusted only
 * while its command line still names the node's directory, so a reused PID
 * is never signalled.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { clusterPaths } from './cluster-state.ts';
import { livePidFromFile, stopPid } from './processes.ts';
import { nodeDirs } from './teardown.ts';

/** SIGTERM leaves the node's pods running; the node's dockerd is stopped next anyway. */
const STOP_GRACE_MS = 10_000;

/** Records the agent PID of `node`. */
export function writeAgentPid(dataDir: string, node: string, pid: number): void {
  writeFileSync(clusterPaths(dataDir).agentPidfile(node), `${pid}\n`);
}

/** The running agents of the data dir, by node name. */
export function runningAgents(dataDir: string): { node: string; pid: number }[] {
  const paths = clusterPaths(dataDir);
  const out: { node: string; pid: number }[] = [];
  for (const dir of nodeDirs(dataDir)) {
    const node = basename(dir);
    const pid = livePidFromFile(paths.agentPidfile(node), ' agent ', `${dir}/`);
    if (pid !== undefined) out.push({ node, pid });
  }
  return out;
}

/**
 * Stops every running agent of the data dir (TERM, then KILL), in parallel;
 * resolves to those stopped. Throws if one survives SIGKILL.
 */
export async function stopAgentsByPidfile(
  dataDir: string,
): Promise<{ node: string; pid: number }[]> {
  const agents = runningAgents(dataDir);
  const results = await Promise.all(agents.map((a) => stopPid(a.pid, STOP_GRACE_MS)));
  const stuck = agents.filter((_, i) => !results[i]);
  if (stuck.length > 0) {
    throw new Error(
      `agents survived SIGKILL: ${stuck.map((a) => `${a.node} (pid ${a.pid})`).join(', ')}`,
    );
  }
  return agents;
}
