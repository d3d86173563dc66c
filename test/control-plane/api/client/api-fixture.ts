/**
 * A real API server for client tests: startApiServer in-process over a
 * real SQLite store file in a temp dir. It can be stopped and started
 * again on the same file and port (a server restart), started on another
 * port (a side door for changes while clients are cut off), and its
 * history compacted (so old resourceVersions answer 410). The real
 * kubectl can be pointed at it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient } from '../../../../control-plane/api/client/client.ts';
import { createLogger, type Logger } from '../../../../control-plane/api/log.ts';
import { startApiServer, type ApiServer } from '../../../../control-plane/apiserver/server.ts';
import { kubeconfigFor } from '../../../../control-plane/cli/server.ts';
import { openStore, type Store } from '../../../../control-plane/store/index.ts';

const run = promisify(execFile);

export const quietLogger: Logger = createLogger({}, { level: 'error' });

export class ApiFixture {
  readonly dir: string;
  /** The port of the first start; `restart()` comes back on it. */
  port = 0;
  private store: Store | undefined;
  private server: ApiServer | undefined;
  private clients: ApiClient[] = [];
  /** The server the kubeconfig in `dir` names, once written. */
  private kubeconfigServer: string | undefined;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Starts a server on a free loopback port over a new store file. */
  static async start(): Promise<ApiFixture> {
    const f = new ApiFixture(mkdtempSync(join(tmpdir(), 'skiff-client-test-')));
    try {
      await f.up(0);
    } catch (err) {
      await f.destroy();
      throw err;
    }
    f.port = Number(new URL(f.url).port);
    return f;
  }

  get url(): string {
    if (!this.server) throw new Error('the test API server is not running');
    return this.server.url;
  }

  /** A client of the running server, closed by `destroy()`. */
  client(opts: { timeoutMs?: number } = {}): ApiClient {
    const c = new ApiClient({ server: this.url, ...opts });
    this.clients.push(c);
    return c;
  }

  /**
   * Runs the real kubectl against the running server, with a kubeconfig and
   * a discovery cache of its own in `dir`; resolves with stdout, rejects
   * naming the command and its stderr.
   */
  async kubectl(...args: string[]): Promise<string> {
    const kubeconfig = join(this.dir, 'kubeconfig');
    // Written only when the server changed, so a kubectl still running never reads it half-written.
    if (this.kubeconfigServer !== this.url) {
      writeFileSync(kubeconfig, kubeconfigFor(this.url), { mode: 0o600 });
      this.kubeconfigServer = this.url;
    }
    const argv = ['--kubeconfig', kubeconfig, '--cache-dir', join(this.dir, 'kubectl-cache')];
    try {
      const { stdout } = await run('kubectl', [...argv, ...args], { timeout: 120_000 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
    }
  }

  /** Stops the server and closes the store; the file stays. */
  async stop(): Promise<void> {
    const server = this.server;
    const store = this.store;
    this.server = undefined;
    this.store = undefined;
    await server?.close();
    await store?.close();
  }

  /** Starts again over the same store file, on the first port unless told otherwise (0 = any). */
  async restart(port = this.port): Promise<void> {
    await this.stop();
    await this.up(port);
  }

  /** Drops all history: watches from any earlier resourceVersion now answer 410. */
  async compact(): Promise<void> {
    if (!this.store) throw new Error('the test API server is not running');
    await this.store.compact(await this.store.currentRevision());
  }

  /** Stops everything and removes the temp dir. Safe to call twice. */
  async destroy(): Promise<void> {
    for (const c of this.clients) c.close();
    this.clients = [];
    try {
      await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async up(port: number): Promise<void> {
    const store = await openStore({
      backend: 'sqlite',
      path: join(this.dir, 'state.db'),
      synchronous: 'NORMAL',
      compaction: { intervalMs: 0 },
      logger: quietLogger,
    });
    this.store = store;
    const server = await startApiServer({
      store,
      listen: `127.0.0.1:${port}`,
      logger: quietLogger,
    });
    this.server = server;
    await server.ready;
  }
}

/** Waits until `check` returns true, polling every 20 ms; fails after `timeoutMs` naming `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
