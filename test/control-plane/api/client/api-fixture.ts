/**
 * A real API server for client tests: startApiServer in-process over a
 * real SQLite store file in a temp dir. It can be stopped and started
 * again on the same file and port (a server restart), started on another
 * port (a side door for changes while clients are cut off), and its
 * history compacted (so old resourceVersions answer 410).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../../../control-plane/api/client/client.ts';
import { createLogger, type Logger } from '../../../../control-plane/api/log.ts';
import { startApiServer, type ApiServer } from '../../../../control-plane/apiserver/server.ts';
import { openStore, type Store } from '../../../../control-plane/store/index.ts';

export const quietLogger: Logger = createLogger({}, { level: 'error' });

export class ApiFixture {
  readonly dir: string;
  /** The port of the first start; `restart()` comes back on it. */
  port = 0;
  private store: Store | undefined;
  private server: ApiServer | undefined;
  private clients: ApiClient[] = [];

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
