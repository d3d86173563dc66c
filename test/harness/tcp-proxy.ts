/**
 * A loopback TCP proxy a test can cut and restore, to break a client's
 * connection to a server without stopping the server.
 */
import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP link to a member that a test can cut (every connection reset) and restore. */
export interface LoopbackProxy {
  /** The client URL to use instead of the member's. */
  readonly url: string;
  /** Resets every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port to `targetUrl` (http only). */
export async function startProxy(targetUrl: string): Promise<LoopbackProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((inbound) => {
    if (!open) return inbound.resetAndDestroy();
    const outbound = connect(Number(target.port), target.hostname);
    for (const [a, b] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    cut() {
      open = false;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      open = true;
    },
    async stop() {
      open = false;
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
