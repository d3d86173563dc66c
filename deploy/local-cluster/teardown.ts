/**
 * Removal of a local cluster by its prefix and data dir: what `destroy()`
 * runs, and what cleans up after a crashed run. Everything is found by name
 * (namespaces `<prefix>-*`, cgroups `<prefix>-*`, the bridge and chain of the
 * prefix) or by pidfiles under the data dir whose command lines still match,
 * so only this cluster's objects are touched. Idempotent.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { runOk, type CommandRunner } from './command-runner.ts';
import { removeHostNetwork } from './host-network.ts';
import { unmountUnder, mountsUnder, currentMountPoints } from './mounts.ts';
import { bridgeName, checkPrefix, forwardChainName, nodeNamePrefix } from './names.ts';
import { listNetns, removeNetnsNode } from './netns-node.ts';
import { stopDockerdByPidfile } from './node-dockerd.ts';
import {
  cgroupsWithPrefix,
  killAll,
  pidsInCgroup,
  pidsInNetns,
  removeCgroup,
} from './processes.ts';
import { stopRegistryByPidfile } from './registry.ts';

export interface TeardownOptions {
  prefix: string;
  dataDir: string;
  /** Remove the data dir itself at the end (default true). */
  removeDataDir?: boolean;
}

/** The data dir's per-node directories (`<dataDir>/nodes/<name>`). */
export function nodeDirs(dataDir: string): string[] {
  const base = join(dataDir, 'nodes');
  return existsSync(base) ? readdirSync(base).map((n) => join(base, n)) : [];
}

/**
 * Removes everything of the cluster: node dockerds (gracefully, so they stop
 * their containers), then any process left in a node namespace or cgroup,
 * the registry, mounts under the data dir, cgroups, namespaces and veths,
 * the bridge and the FORWARD fence, and the data dir. Throws at the end,
 * listing what could not be removed, after trying everything.
 */
export async function removeLocalNodes(
  opts: TeardownOptions,
  runner: CommandRunner,
): Promise<void> {
  checkPrefix(opts.prefix);
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  const namespaces = (await listNetns(runner)).filter((n) =>
    n.startsWith(nodeNamePrefix(opts.prefix)),
  );
  await Promise.all(
    nodeDirs(opts.dataDir).map((d) =>
      attempt(`stop dockerd in ${d}`, () => stopDockerdByPidfile(d)),
    ),
  );
  await attempt('stop registry', () => stopRegistryByPidfile(join(opts.dataDir, 'registry')));
  await attempt('kill node processes', () => killNodeProcesses(opts.prefix, namespaces, runner));
  await attempt('unmount', async () => {
    const left = await unmountUnder(opts.dataDir, runner);
    if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
  });
  for (const cg of cgroupsWithPrefix(nodeNamePrefix(opts.prefix))) {
    await attempt(`remove cgroup ${cg}`, async () => removeCgroup(cg));
  }
  for (const ns of namespaces)
    await attempt(`remove netns ${ns}`, () => removeNetnsNode(ns, runner));
  await attempt('remove stray veths', () => removeStrayLinks(opts.prefix, runner));
  await attempt('remove host network', () => removeHostNetwork(opts.prefix, runner));
  if (opts.removeDataDir !== false) {
    await attempt('remove data dir', () => rm(opts.dataDir, { recursive: true, force: true }));
  }
  if (problems.length > 0) {
    throw new Error(
      `local cluster "${opts.prefix}" was not fully removed:\n  ${problems.join('\n  ')}`,
    );
  }
}

/**
 * What of the cluster exists now (namespaces, links, chain, cgroups, mounts,
 * data dir), one description each; [] when nothing is left.
 */
export async function findLeftovers(
  opts: TeardownOptions,
  runner: CommandRunner,
): Promise<string[]> {
  checkPrefix(opts.prefix);
  const found: string[] = [];
  const nodePrefix = nodeNamePrefix(opts.prefix);
  for (const ns of await listNetns(runner))
    if (ns.startsWith(nodePrefix)) found.push(`netns ${ns}`);
  for (const link of await linkNames(runner)) {
    if (link.startsWith(nodePrefix) || link === bridgeName(opts.prefix)) found.push(`link ${link}`);
  }
  const chain = forwardChainName(opts.prefix);
  if ((await runner.run('iptables', ['-w', '-n', '-L', chain])).code === 0)
    found.push(`iptables chain ${chain}`);
  for (const cg of cgroupsWithPrefix(nodePrefix)) found.push(`cgroup ${cg}`);
  for (const m of mountsUnder(opts.dataDir, currentMountPoints())) found.push(`mount ${m}`);
  if (existsSync(opts.dataDir)) found.push(`data dir ${opts.dataDir}`);
  return found;
}

async function killNodeProcesses(
  prefix: string,
  namespaces: string[],
  runner: CommandRunner,
): Promise<void> {
  const pids = new Set<number>();
  for (const ns of namespaces) for (const p of await pidsInNetns(ns, runner)) pids.add(p);
  for (const cg of cgroupsWithPrefix(nodeNamePrefix(prefix)))
    for (const p of pidsInCgroup(cg)) pids.add(p);
  if (pids.size === 0) return;
  const survivors = await killAll([...pids]);
  if (survivors.length > 0) throw new Error(`processes survived SIGKILL: ${survivors.join(', ')}`);
}

async function removeStrayLinks(prefix: string, runner: CommandRunner): Promise<void> {
  for (const link of await linkNames(runner)) {
    if (link.startsWith(nodeNamePrefix(prefix)))
      await runOk(runner, 'ip', ['link', 'del', 'dev', link]);
  }
}

async function linkNames(runner: CommandRunner): Promise<string[]> {
  const parsed: unknown = JSON.parse((await runOk(runner, 'ip', ['-j', 'link', 'show'])) || '[]');
  if (!Array.isArray(parsed)) return [];
  return parsed
    .map((l: unknown) =>
      typeof l === 'object' && l !== null ? (l as { ifname?: unknown }).ifname : undefined,
    )
    .filter((n): n is string => typeof n === 'string');
}
