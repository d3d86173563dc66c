/**
 * /healthz, /livez and /readyz (and /<endpoint>/<check>), answering "ok"
 * or, with ?verbose, one [+]/[-] line per check, as kube-apiserver does.
 * Readiness also waits for the bootstrap and fails during shutdown.
 */
import type { Express, Request, Response } from 'express';
import type { Store } from '../store/store.ts';
import { notFoundPath } from './request-info.ts';
import { sendRaw } from './render.ts';

export interface HealthState {
  store: Store;
  /** True once the bootstrap objects exist. */
  bootstrapped(): boolean;
  /** True once shutdown started. */
  shuttingDown(): boolean;
}

type Check = { name: string; run: () => Promise<string | undefined> };

export function registerHealth(app: Express, s: HealthState): void {
  const ping: Check = { name: 'ping', run: async () => undefined };
  const store: Check = {
    name: 'store',
    run: async () => {
      try {
        await s.store.currentRevision();
        return undefined;
      } catch (err) {
        return `the cluster store does not answer: ${(err as Error).message}`;
      }
    },
  };
  const bootstrap: Check = {
    name: 'poststarthook/bootstrap',
    run: async () => (s.bootstrapped() ? undefined : 'the bootstrap objects are not written yet'),
  };
  const shutdown: Check = {
    name: 'shutdown',
    run: async () => (s.shuttingDown() ? 'the server is shutting down' : undefined),
  };
  const endpoints: Record<string, Check[]> = {
    healthz: [ping, store, bootstrap],
    livez: [ping, store, bootstrap],
    readyz: [ping, store, bootstrap, shutdown],
  };
  for (const [endpoint, checks] of Object.entries(endpoints)) {
    app.get(`/${endpoint}`, (req, res) => run(req, res, endpoint, checks));
    app.get(`/${endpoint}/*check`, (req, res) => {
      const name = ((req.params as { check?: string[] }).check ?? []).join('/');
      const one = checks.filter((c) => c.name === name);
      if (one.length === 0) throw notFoundPath();
      return run(req, res, endpoint, one);
    });
  }
}

async function run(req: Request, res: Response, endpoint: string, checks: Check[]): Promise<void> {
  const results = await Promise.all(
    checks.map(async (c) => ({ name: c.name, failure: await c.run() })),
  );
  const failed = results.filter((r) => r.failure !== undefined);
  const verbose = req.query.verbose !== undefined || failed.length > 0;
  let text: string;
  if (!verbose) text = 'ok';
  else {
    const lines = results.map((r) =>
      r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.failure}`,
    );
    lines.push(failed.length ? `${endpoint} check failed` : `${endpoint} check passed`);
    text = lines.join('\n') + '\n';
  }
  res.setHeader('X-Content-Type-Options', 'nosniff');
  sendRaw(res, failed.length ? 500 : 200, 'text/plain; charset=utf-8', text);
}
