/**
 * A dockerd per node, started INSIDE the node's network namespace with
 * `nsenter --net=/run/netns/<ns> dockerd ...` (not `ip netns exec`, which
 * remounts /sys and hides the cgroup mounts; see ENVIRONMENT.md). Each has
 * its own data root, exec root (and so its own containerd), socket, pidfile,
 * log and an empty daemon.json, all under the node's directory, so two nodes
 * share nothing and the host's /etc/docker/daemon.json is not read. It runs
 * with `--bridge=none` (no docker0; pods get a bridge network with a chosen
 * subnet) and puts containers under the cgroup parent `/<netns>`, which
 * teardown uses to find every container process of the node. Its iptables
 * rules live in the node namespace, never the host's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { spawnDaemon, tailFile } from './daemon-process.ts';
import type { NetnsNode } from './netns-node.ts';
import { isAlive, livePidFromFile, stopPid } from './processes.ts';

/** Debian 12's engine is 20.10 (API 1.41); the newer CLI on PATH must not set the version. */
export const DOCKER_API_VERSION = 'v1.41';
const DEFAULT_START_TIMEOUT_MS = 90_000;
const SHUTDOWN_TIMEOUT_SEC = 5;
/** dockerd stops its containers (up to --shutdown-timeout each, in parallel) before exiting. */
const STOP_GRACE_MS = 30_000;

/** Where one node's dockerd keeps everything. */
export interface DockerdPaths {
  dir: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  pidfile: string;
  log: string;
  config: string;
}

export interface NodeDockerdOptions {
  node: Pick<NetnsNode, 'name' | 'netns' | 'netnsPath'>;
  /** The node's directory; created if missing. */
  dir: string;
  /** host:port of registries reached over plain http (the local registry). */
  insecureRegistries?: readonly string[];
  startTimeoutMs?: number;
}

/** A running node dockerd and a client for it. */
export interface NodeDockerd {
  pid: number;
  paths: DockerdPaths;
  docker: Docker;
  /** The last `lines` lines of the dockerd log. */
  logTail(lines?: number): string;
  /** Stops dockerd by PID (TERM, then KILL after 30 s); idempotent. */
  stop(): Promise<void>;
}

/** The file layout under a node directory (pure). */
export function dockerdPaths(dir: string): DockerdPaths {
  return {
    dir,
    dataRoot: join(dir, 'docker'),
    execRoot: join(dir, 'exec'),
    socket: join(dir, 'docker.sock'),
    pidfile: join(dir, 'docker.pid'),
    log: join(dir, 'dockerd.log'),
    config: join(dir, 'daemon.json'),
  };
}

/** The dockerd command line for a node, after `nsenter --net=...` (pure). */
export function dockerdArgs(
  paths: DockerdPaths,
  netns: string,
  insecureRegistries: readonly string[] = [],
): string[] {
  return [
    'dockerd',
    ...['--config-file', paths.config, '--data-root', paths.dataRoot],
    ...['--exec-root', paths.execRoot, '--pidfile', paths.pidfile],
    ...['-H', `unix://${paths.socket}`, '--bridge=none', `--cgroup-parent=/${netns}`],
    ...['--userland-proxy=false', `--shutdown-timeout=${SHUTDOWN_TIMEOUT_SEC}`],
    ...insecureRegistries.flatMap((r) => ['--insecure-registry', r]),
  ];
}

/**
 * Starts the node's dockerd and resolves once it answers a ping. On timeout
 * or early exit it kills the process and throws with the log tail.
 */
export async function startNodeDockerd(opts: NodeDockerdOptions): Promise<NodeDockerd> {
  const paths = dockerdPaths(opts.dir);
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.config, '{}\n');
  const args = dockerdArgs(paths, opts.node.netns, opts.insecureRegistries);
  const pid = spawnDaemon('nsenter', [`--net=${opts.node.netnsPath}`, ...args], paths.log);
  const docker = new Docker({ socketPath: paths.socket, version: DOCKER_API_VERSION });
  const logTail = (lines = 20) => tailFile(paths.log, lines);
  const stop = async () => {
    await stopPid(pid, STOP_GRACE_MS);
  };
  try {
    await waitForPing(docker, pid, opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (err) {
    await stop();
    throw new Error(
      `dockerd for node ${opts.node.name} did not start (socket ${paths.socket}): ${(err as Error).message}; log tail:\n${logTail()}`,
    );
  }
  return { pid, paths, docker, logTail, stop };
}

/**
 * Stops a node dockerd left by an earlier run, found by its pidfile under
 * `dir`. The PID is only signalled if its command line still names this data
 * root, so a reused PID is never killed. Resolves once it is gone.
 */
export async function stopDockerdByPidfile(dir: string): Promise<void> {
  const paths = dockerdPaths(dir);
  const pid = livePidFromFile(paths.pidfile, `--data-root ${paths.dataRoot}`);
  if (pid !== undefined) await stopPid(pid, STOP_GRACE_MS);
}

async function waitForPing(docker: Docker, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error('dockerd exited');
    try {
      // A socket that accepts but never answers must not stall the loop.
      await Promise.race([
        docker.ping(),
        sleep(5_000).then(() => Promise.reject(new Error('ping timed out'))),
      ]);
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`no answer within ${timeoutMs} ms (last error: ${last})`);
}
