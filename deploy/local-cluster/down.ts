/**
 * `skiff down`: removes a local cluster made by `skiff up`, found by its
 * prefix and data dir, and nothing else. In order: the agents (by pidfile;
 * their pods keep running until their dockerd stops them), the control
 * plane (by pidfile), then teardown.ts's removeLocalNodes (node dockerds and
 * their containers, the registry, any process left in a node namespace or
 * cgroup, mounts, cgroups, namespaces and veths, the bridge and its FORWARD
 * fence, the data dir). It then checks with findLeftovers, and for
 * processes still naming a path in the data dir, that nothing is left.
 * Idempotent: on a machine without the cluster it removes nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stopAgentsByPidfile } from './agent-pidfiles.ts';
import { foreignEntries } from './cluster-state.ts';
import { execRunner, type CommandRunner } from './command-runner.ts';
import { checkPrefix } from './names.ts';
import { dockerdPaths } from './node-dockerd.ts';
import { isAlive, livePidFromFile } from './processes.ts';
import { stopServerByPidfile } from './server-process.ts';
import { findLeftovers, nodeDirs, removeLocalNodes } from './teardown.ts';

export interface DownOptions {
  prefix: string;
  /** An absolute path. */
  dataDir: string;
  runner?: CommandRunner;
}

export interface DownResult {
  /** What was stopped or removed, one description each ([] if nothing was there). */
  removed: string[];
  /** What is still there afterwards ([] on success). */
  leftovers: string[];
  /** Teardown's error, when a step failed (the leftovers say what remains). */
  problem?: string;
}

/** Removes the cluster; never throws for a failed step (see `problem` and `leftovers`). */
export async function downLocalCluster(o: DownOptions): Promise<DownResult> {
  checkPrefix(o.prefix);
  const foreign = foreignEntries(o.dataDir);
  if (foreign.length > 0) {
    throw new Error(
      `${o.dataDir} holds files no local cluster makes (${foreign.slice(0, 5).join(', ')}); skiff down deletes its data dir, so it leaves this one alone: check --data-dir`,
    );
  }
  const runner = o.runner ?? execRunner;
  const removed: string[] = [];
  const problems: string[] = [];
  try {
    for (const a of await stopAgentsByPidfile(o.dataDir))
      removed.push(`agent of node ${a.node} (pid ${a.pid})`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    const pid = await stopServerByPidfile(o.dataDir);
    if (pid !== undefined) removed.push(`skiff server (pid ${pid})`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const teardown = { prefix: o.prefix, dataDir: o.dataDir };
  const before = [...daemonsOf(o.dataDir), ...(await findLeftovers(teardown, runner))];
  if (before.length > 0) {
    try {
      await removeLocalNodes(teardown, runner);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  removed.push(...before);
  const strays = processesUnder(o.dataDir).map((p) => `process ${p.pid}: ${p.cmdline}`);
  const leftovers = [...(await findLeftovers(teardown, runner)), ...strays];
  return { removed, leftovers, ...(problems.length > 0 ? { problem: problems.join('\n') } : {}) };
}

/**
 * A list of parts for a person (pure): the mounts under the data dir folded
 * into one entry, and at most `max` entries, the rest counted.
 */
export function summarizeParts(items: readonly string[], dataDir: string, max = 20): string[] {
  const mounts = items.filter((i) => i.startsWith('mount '));
  const rest = items.filter((i) => !i.startsWith('mount '));
  if (mounts.length > 0) rest.push(`${mounts.length} mount(s) under ${dataDir}`);
  if (rest.length <= max) return rest;
  return [...rest.slice(0, max), `... and ${rest.length - max} more`];
}

/**
 * Processes (other than this one) with an argument that is a path inside
 * `dataDir`: every daemon of the cluster names one (its data root, config or
 * data dir), so after teardown there must be none.
 */
export function processesUnder(dataDir: string): { pid: number; cmdline: string }[] {
  const inside = `${dataDir.replace(/\/+$/, '')}/`;
  const out: { pid: number; cmdline: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while listing
    }
    if (args.some((a) => a.startsWith(inside)) && isAlive(Number(d)))
      out.push({ pid: Number(d), cmdline: args.join(' ').trim() });
  }
  return out;
}

// The node dockerds and the registry still running, for the list of what was removed.
function daemonsOf(dataDir: string): string[] {
  const found: string[] = [];
  for (const dir of nodeDirs(dataDir)) {
    const paths = dockerdPaths(dir);
    const pid = livePidFromFile(paths.pidfile, paths.dataRoot);
    if (pid !== undefined)
      found.push(`dockerd of node ${basename(dir)} (pid ${pid}) and its containers`);
  }
  const registryDir = join(dataDir, 'registry');
  const pid = livePidFromFile(join(registryDir, 'registry.pid'), registryDir);
  if (pid !== undefined) found.push(`registry (pid ${pid})`);
  return found;
}
