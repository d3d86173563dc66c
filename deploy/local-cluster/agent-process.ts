/**
 * A `skiff agent` inside a node's network namespace, as an operator runs
 * it on a VM: detached, output appended to `<node dir>/agent.log`, talking
 * to the node's own dockerd, the kubelet API on the node's address. Started
 * with `nsenter --net=` (which execs, so the PID is the agent's); teardown
 * ends it with every other process of the namespace. Started through the
 * `skiff` executable, control-plane/cli/skiff-bin.js, so that a restarted
 * agent loads its TypeScript from the compile cache in its data dir.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnDaemon, tailFile } from './daemon-process.ts';
import type { LocalNode } from './cluster-nodes.ts';
import { isAlive, stopPid } from './processes.ts';

const SKIFF = fileURLToPath(new URL('../../control-plane/cli/skiff-bin.js', import.meta.url));

export interface AgentProcessOptions {
  node: Pick<LocalNode, 'name' | 'netnsPath' | 'ip' | 'dir' | 'dockerSocket'>;
  /** A kubeconfig whose server the node can reach (an address on the bridge). */
  kubeconfig: string;
  /** More `skiff agent` flags, e.g. ["--backoff-base", "1"]. */
  args?: readonly string[];
  /** Extra environment, e.g. { SKIFF_LOG_LEVEL: 'debug' }. */
  env?: Record<string, string>;
}

/** A running agent process. */
export interface AgentProcess {
  pid: number;
  logPath: string;
  /** The last `lines` lines of its log. */
  logTail(lines?: number): string;
  alive(): boolean;
  /** SIGTERM (pods keep running), SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would end it. */
  kill(): void;
}

/** Starts `skiff agent` for `node`; does not wait for it to register. */
export function startAgentProcess(o: AgentProcessOptions): AgentProcess {
  const logPath = join(o.node.dir, 'agent.log');
  const args = [
    `--net=${o.node.netnsPath}`,
    '--',
    process.execPath,
    // A small young generation and one V8 worker thread: the agent is a quiet
    // daemon, and these help keep its resident memory under 100 MB
    // (test/bench/pod-startup.ts: about 90 MB with 20 pods, once restarted
    // with a warm compile cache; see control-plane/cli/skiff-bin.js).
    '--max-semi-space-size=1',
    '--v8-pool-size=1',
    SKIFF,
    'agent',
    '--kubeconfig',
    o.kubeconfig,
    '--node-name',
    o.node.name,
    '--node-ip',
    o.node.ip,
    '--docker-host',
    `unix://${o.node.dockerSocket}`,
    '--data-dir',
    join(o.node.dir, 'agent'),
    ...(o.args ?? []),
  ];
  // Fewer malloc arenas: the agent's threads are few and mostly idle.
  const pid = spawnDaemon('nsenter', args, logPath, { MALLOC_ARENA_MAX: '2', ...o.env });
  return {
    pid,
    logPath,
    logTail: (lines = 40) => tailFile(logPath, lines),
    alive: () => isAlive(pid),
    stop: async (graceMs = 15_000) => {
      await stopPid(pid, graceMs);
    },
    kill: () => {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}
