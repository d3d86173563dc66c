/**
 * The local cluster's control plane: `skiff server` with all components
 * (API server, scheduler, controllers), detached so `skiff up` can exit,
 * listening on the bridge's host address (the one address both the host and
 * every node reach), with its state and kubeconfig in `<dataDir>/server`,
 * its log in `<dataDir>/server.log` and its PID in `<dataDir>/server.pid`.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterPaths } from './cluster-state.ts';
import { spawnDaemon, tailFile } from './daemon-process.ts';
import { isAlive, livePidFromFile, stopPid } from './processes.ts';

const SKIFF = fileURLToPath(new URL('../../control-plane/cli/skiff.ts', import.meta.url));
const START_TIMEOUT_MS = 90_000;
/** The server stops its components (releasing their Leases) and closes the store. */
const STOP_GRACE_MS = 20_000;

export interface ServerProcessOptions {
  dataDir: string;
  /** The address to listen on: the bridge gateway. */
  host: string;
  port: number;
}

/** A running `skiff server`. */
export interface ServerProcess {
  pid: number;
  /** http://host:port */
  url: string;
  kubeconfig: string;
  logPath: string;
  logTail(lines?: number): string;
}

/**
 * Starts the server and resolves once it wrote its kubeconfig and /readyz
 * answers 200. On exit or timeout it stops the process and throws with the
 * log tail.
 */
export async function startServerProcess(o: ServerProcessOptions): Promise<ServerProcess> {
  const paths = clusterPaths(o.dataDir);
  mkdirSync(paths.serverDir, { recursive: true, mode: 0o700 });
  rmSync(paths.kubeconfig, { force: true });
  const listen = `${o.host}:${o.port}`;
  const args = [
    SKIFF,
    'server',
    ...['--data-dir', paths.serverDir, '--listen', listen],
    ...['--components', 'apiserver,scheduler,controllers'],
  ];
  const pid = spawnDaemon(process.execPath, args, paths.serverLog);
  writeFileSync(paths.serverPidfile, `${pid}\n`);
  const url = `http://${listen}`;
  const logTail = (lines = 30) => tailFile(paths.serverLog, lines);
  try {
    await waitReady(url, paths.kubeconfig, pid);
  } catch (err) {
    await stopPid(pid, STOP_GRACE_MS);
    throw new Error(
      `skiff server on ${listen} did not become ready: ${(err as Error).message}; last lines of ${paths.serverLog}:\n${logTail()}`,
    );
  }
  return { pid, url, kubeconfig: paths.kubeconfig, logPath: paths.serverLog, logTail };
}

/** True when /readyz of `url` answers 200 within 5 s. */
export async function serverReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * The PID in the data dir's server pidfile if that process is alive and
 * still a server of this data dir (so a reused PID is never taken for it).
 */
export function runningServerPid(dataDir: string): number | undefined {
  const paths = clusterPaths(dataDir);
  return livePidFromFile(paths.serverPidfile, `--data-dir ${paths.serverDir}`);
}

/** Stops the data dir's server (TERM, then KILL); resolves to its PID, or undefined if none ran. */
export async function stopServerByPidfile(dataDir: string): Promise<number | undefined> {
  const pid = runningServerPid(dataDir);
  if (pid === undefined) return undefined;
  if (!(await stopPid(pid, STOP_GRACE_MS))) {
    throw new Error(`skiff server (pid ${pid}) survived SIGKILL`);
  }
  return pid;
}

async function waitReady(url: string, kubeconfig: string, pid: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error('the server exited');
    if (existsSync(kubeconfig) && (await serverReady(url))) return;
    await sleep(250);
  }
  throw new Error(`no kubeconfig and ready /readyz within ${START_TIMEOUT_MS / 1000} s`);
}
