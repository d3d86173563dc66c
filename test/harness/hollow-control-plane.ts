/**
 * A control-plane replica as a child process, for tests that kill it:
 * API server over a store (SQLite file or etcd) plus the scheduler and
 * controllers under leader election (startControlPlaneComponents), as
 * `skiff server --components apiserver,scheduler,controllers` will run
 * them. Hollow nodes stay in the test process, so killing the control
 * plane leaves the "nodes" running, as on a real cluster.
 *
 * Child mode (this file run directly) prints one JSON line {"url"} when
 * serving, then a {"status"} line whenever the components' status
 * changes; it exits when its parent dies (a once-a-second check), so a
 * crashed test leaves nothing behind. Parent mode: ControlPlaneProcess.
 *
 * @example
 *   const cp = await ControlPlaneProcess.start({ dataDir, port });
 *   await cp.kill9();
 *   await cp.restart();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const START_TIMEOUT_MS = 60_000;

/** What a replica reports: the components it leads and its scheduler's counters. */
export interface ReplicaStatus {
  leading: string[];
  scheduler?: { scheduled: number; bound: number; bindErrors: number; unschedulable: number };
}

export interface ControlPlaneProcessOptions {
  /** Holds the log (and state.db for SQLite). */
  dataDir: string;
  /** Fixed loopback port, so a restart comes back at the same URL. */
  port: number;
  /** etcd client URLs; SQLite in dataDir when absent. */
  etcdEndpoints?: string[];
  etcdPrefix?: string;
  leaseSeconds?: number;
  identity?: string;
}

export class ControlPlaneProcess {
  readonly url: string;
  status: ReplicaStatus = { leading: [] };
  private readonly o: ControlPlaneProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(o: ControlPlaneProcessOptions) {
    this.o = o;
    this.url = `http://127.0.0.1:${o.port}`;
  }

  /** Spawns the replica and waits until its API server serves. */
  static async start(o: ControlPlaneProcessOptions): Promise<ControlPlaneProcess> {
    const p = new ControlPlaneProcess(o);
    await p.spawn();
    return p;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL, then wait until the process is gone. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** SIGTERM (clean shutdown, leases released), then wait; SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(t);
    this.child = undefined;
  }

  /** Starts the replica again on the same port and data. */
  async restart(): Promise<void> {
    await this.kill9();
    await this.spawn();
  }

  /** The replica's log (stderr), for failure messages. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logPath(), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private logPath(): string {
    return join(this.o.dataDir, `control-plane-${this.o.port}.log`);
  }

  private async spawn(): Promise<void> {
    const args = [SELF, '--child', JSON.stringify(this.o)];
    const log = createWriteStream(this.logPath(), { flags: 'a' });
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr?.pipe(log);
    this.exited = new Promise((r) => child.once('exit', () => r()));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const serving = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`control plane did not start in ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`control plane exited with ${code} before serving:\n${this.logTail()}`));
      });
      lines.on('line', (line) => {
        const msg = JSON.parse(line) as { url?: string; status?: ReplicaStatus };
        if (msg.url) {
          clearTimeout(timer);
          resolve();
        }
        if (msg.status) this.status = msg.status;
      });
    });
    try {
      await serving;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }
}

/** A free loopback port (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

if (process.argv[2] === '--child') await runChild(JSON.parse(process.argv[3] ?? '{}'));

async function runChild(o: ControlPlaneProcessOptions): Promise<void> {
  const { openStore } = await import('../../control-plane/store/index.ts');
  const { startApiServer } = await import('../../control-plane/apiserver/server.ts');
  const { startControlPlaneComponents } = await import('../../control-plane/cli/components.ts');
  const { createLogger } = await import('../../control-plane/api/log.ts');
  const logger = createLogger({ replica: o.port }, { level: 'info' });
  const parent = process.ppid;
  const store = await openStore(
    o.etcdEndpoints
      ? { backend: 'etcd', endpoints: o.etcdEndpoints, prefix: o.etcdPrefix ?? '/skiff' }
      : { backend: 'sqlite', path: join(o.dataDir, 'state.db'), logger },
  );
  const api = await startApiServer({ store, listen: `127.0.0.1:${o.port}`, logger });
  await api.ready;
  const ac = new AbortController();
  const components = startControlPlaneComponents({
    apiUrl: api.url,
    components: ['scheduler', 'controllers'],
    leaseDurationSeconds: o.leaseSeconds ?? 15,
    ...(o.identity ? { identity: o.identity } : {}),
    logger,
    signal: ac.signal,
  });
  process.stdout.write(JSON.stringify({ url: api.url }) + '\n');
  let last = '';
  const tick = setInterval(() => {
    // Orphaned (the test died): stop at once.
    if (process.ppid !== parent) process.exit(1);
    const line = JSON.stringify({ status: components.status() });
    if (line !== last) process.stdout.write(line + '\n');
    last = line;
  }, 100);
  const shutdown = async (): Promise<void> => {
    clearInterval(tick);
    ac.abort();
    await components.done;
    await api.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
}
