/**
 * The local image registry: Debian's docker-registry (distribution 2.8)
 * listening on the host's bridge address, so nodes pull from it over the
 * bridge (`--insecure-registry`, plain http) and the host reaches it too;
 * nothing listens on any other interface. Storage, config, log and pidfile
 * live in its directory. Stopped by PID.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnDaemon, tailFile } from './daemon-process.ts';
import { isAlive, livePidFromFile, stopPid } from './processes.ts';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export interface RegistryOptions {
  /** Its directory (storage, config.yml, registry.log, registry.pid). */
  dir: string;
  /** The address to listen on: the bridge gateway. */
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface Registry {
  /** "host:port", the prefix of image references (`<address>/skiff/echo:1`). */
  address: string;
  /** "http://host:port". */
  url: string;
  pid: number;
  logTail(lines?: number): string;
  /** Stops it by PID (TERM, then KILL); idempotent. */
  stop(): Promise<void>;
}

/** The registry's config file (pure): filesystem storage, no auth, quiet logs. */
export function registryConfig(storageDir: string, listen: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${JSON.stringify(listen)}`,
    '',
  ].join('\n');
}

/** Starts the registry and resolves once GET /v2/ answers 200; throws with its log tail otherwise. */
export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  const port = opts.port === 0 ? await freePort(opts.host) : opts.port;
  const address = `${opts.host}:${port}`;
  const files = registryFiles(opts.dir);
  mkdirSync(files.storage, { recursive: true });
  writeFileSync(files.config, registryConfig(files.storage, address));
  const pid = spawnDaemon(REGISTRY_BIN, ['serve', files.config], files.log);
  writeFileSync(files.pidfile, `${pid}\n`);
  const url = `http://${address}`;
  const logTail = (lines = 20) => tailFile(files.log, lines);
  const stop = async () => {
    await stopPid(pid, STOP_GRACE_MS);
  };
  try {
    await waitForV2(url, pid);
  } catch (err) {
    await stop();
    throw new Error(
      `registry on ${address} did not start: ${(err as Error).message}; log tail:\n${logTail()}`,
    );
  }
  return { address, url, pid, logTail, stop };
}

/**
 * Stops a registry left by an earlier run, found by the pidfile in `dir`
 * and signalled only if its command line names this directory's config.
 */
export async function stopRegistryByPidfile(dir: string): Promise<void> {
  const files = registryFiles(dir);
  const pid = livePidFromFile(files.pidfile, files.config);
  if (pid !== undefined) await stopPid(pid, STOP_GRACE_MS);
}

function registryFiles(dir: string) {
  return {
    storage: join(dir, 'storage'),
    config: join(dir, 'config.yml'),
    log: join(dir, 'registry.log'),
    pidfile: join(dir, 'registry.pid'),
  };
}

async function waitForV2(url: string, pid: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error('docker-registry exited');
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
      last = `GET /v2/ answered ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`no answer within ${START_TIMEOUT_MS} ms (last: ${last})`);
}

// The kernel's choice for port 0 on that address; released just before the registry binds it.
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
