/**
 * Process and cgroup side effects of the local cluster: stopping a process
 * by PID (TERM, a grace period, then KILL), finding the processes of a node
 * (its network namespace and its cgroup parent), and removing the node's
 * cgroup directories. Every wait is bounded.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandRunner } from './command-runner.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';
const POLL_MS = 100;
const KILL_WAIT_MS = 10_000;

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The NUL-separated command line of `pid` joined by spaces, or '' if it is gone. */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * The PID `pidfile` records if that process is alive and its command line
 * contains every one of `marks` (so a reused PID is never taken for it);
 * otherwise, and when the file is missing or holds no PID, undefined.
 */
export function livePidFromFile(pidfile: string, ...marks: string[]): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidfile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmdline = cmdlineOf(pid);
  return marks.every((m) => cmdline.includes(m)) ? pid : undefined;
}

/**
 * Sends SIGTERM, waits up to `graceMs` for the process to go, then SIGKILLs
 * it and waits again. Resolves true once it is gone (or was never there);
 * false if it survived SIGKILL for 10 s (a process stuck in the kernel).
 */
export async function stopPid(pid: number, graceMs: number): Promise<boolean> {
  if (!signal(pid, 'SIGTERM')) return true;
  if (await waitGone(pid, graceMs)) return true;
  signal(pid, 'SIGKILL');
  return waitGone(pid, KILL_WAIT_MS);
}

/** SIGKILLs every PID and waits until all are gone (bounded); returns the survivors. */
export async function killAll(pids: readonly number[]): Promise<number[]> {
  for (const pid of pids) signal(pid, 'SIGKILL');
  const deadline = Date.now() + KILL_WAIT_MS;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(POLL_MS);
  return pids.filter(isAlive);
}

/** PIDs whose network namespace is /run/netns/`netns` ([] if it does not exist). */
export async function pidsInNetns(netns: string, runner: CommandRunner): Promise<number[]> {
  const res = await runner.run('ip', ['netns', 'pids', netns]);
  if (res.code !== 0) return [];
  return res.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** The cgroup hierarchies' root directories (one per v1 controller, or the v2 root). */
export function cgroupRoots(): string[] {
  if (existsSync(join(CGROUP_ROOT, 'cgroup.procs'))) return [CGROUP_ROOT];
  return readdirSync(CGROUP_ROOT)
    .map((d) => join(CGROUP_ROOT, d))
    .filter((d) => !isSymlinkOrFile(d) && existsSync(join(d, 'cgroup.procs')));
}

/** Every PID in cgroup `name` (a top-level cgroup, e.g. "skiff-n1") and below, in any hierarchy. */
export function pidsInCgroup(name: string): number[] {
  const pids = new Set<number>();
  for (const root of cgroupRoots()) {
    for (const dir of cgroupDirs(join(root, name))) {
      const text = readText(join(dir, 'cgroup.procs'));
      for (const l of text.split('\n')) if (l.trim() !== '') pids.add(Number(l));
    }
  }
  return [...pids];
}

/** Top-level cgroup names starting with `prefix`, in any hierarchy. */
export function cgroupsWithPrefix(prefix: string): string[] {
  const names = new Set<string>();
  for (const root of cgroupRoots()) {
    for (const d of readdirSync(root)) {
      if (d.startsWith(prefix) && !isSymlinkOrFile(join(root, d))) names.add(d);
    }
  }
  return [...names];
}

/** Removes cgroup `name` and its children in every hierarchy (must hold no process). */
export function removeCgroup(name: string): void {
  for (const root of cgroupRoots()) {
    // Deepest first: a cgroup directory can only be removed once it has no children.
    for (const dir of cgroupDirs(join(root, name)).reverse()) rmdirSync(dir);
  }
}

function cgroupDirs(top: string): string[] {
  if (!existsSync(top)) return [];
  const out = [top];
  for (const e of readdirSync(top, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...cgroupDirs(join(top, e.name)));
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// v1 hierarchies mounted together appear once more as symlinks (cpu -> cpu,cpuacct); skip those.
function isSymlinkOrFile(path: string): boolean {
  try {
    return !lstatSync(path).isDirectory();
  } catch {
    return true;
  }
}
