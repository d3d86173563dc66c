/**
 * Long-running HTTP clients inside a test node (the pinned node binary
 * under `nsenter --net=`), steered through files in a temp dir of the
 * host (the node shares the host's file system): the client writes
 * `ready` once it is under way and ends when `stop` appears (or after
 * `maxMs`), printing one JSON summary line.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalNode } from '../../../deploy/local-cluster/index.ts';

/** A client running in a node. */
export interface NodeClient<T> {
  /** Resolves once the client is under way; throws if it ended or did not start in time. */
  started(ms?: number): Promise<void>;
  /** Tells it to stop, waits for its summary; safe to call again (same result). */
  finish(): Promise<T>;
}

/** What the load client saw. */
export interface LoadSummary {
  ok: number;
  failed: number;
  /** The first failures: "ISO time url error". */
  errors: string[];
  /** Answers per pod name. */
  pods: Record<string, number>;
}

/** What the held-connections client saw. */
export interface HeldSummary {
  conns: {
    /** Local ports of every socket used: one means the same connection throughout. */
    ports: number[];
    pods: string[];
    ok: number;
    failed: number;
    errors: string[];
    /** Sockets closed before the client finished (a reset or a close by the server). */
    closes: string[];
  }[];
  slow: { answer: string; error: string | null; closedEarly: boolean };
}

const MAX_MS = 240_000;

/** Asserts no failed request, at least `minOk` answers, and answers from all 3 pods. */
export function assertNoFailures(name: string, s: LoadSummary, minOk: number): void {
  assert.equal(s.failed, 0, `${name}: no failed request (${JSON.stringify(s)})`);
  assert.ok(s.ok >= minOk, `${name}: the client ran throughout (${s.ok} answers)`);
  assert.equal(Object.keys(s.pods).length, 3, `${name}: all pods answered (${JSON.stringify(s)})`);
}

/**
 * GETs the `urls` in turn, about `perSecond` a second, each on a new
 * connection (so every request is balanced anew by the rules), with a 5 s
 * timeout; a request fails unless it gets 200 and an echo body.
 */
export function startLoadClient(
  node: LocalNode,
  urls: readonly string[],
  perSecond = 10,
): NodeClient<LoadSummary> {
  return startClient<LoadSummary>(node, (files) => loadScript(urls, 1000 / perSecond, files));
}

/**
 * Holds `count` keep-alive connections to `host:port` (one http.Agent with
 * one socket each) and sends a GET on each every 200 ms; also one request
 * whose headers stay incomplete until the client is told to stop (a
 * request in flight the whole time), then completed and answered.
 */
export function startHeldConnections(
  node: LocalNode,
  host: string,
  port: number,
  count: number,
): NodeClient<HeldSummary> {
  return startClient<HeldSummary>(node, (files) => heldScript(host, port, count, files));
}

interface Files {
  ready: string;
  stop: string;
  maxMs: number;
}

function startClient<T>(node: LocalNode, script: (f: Files) => string): NodeClient<T> {
  const dir = mkdtempSync(join(tmpdir(), 'skiffpr-client-'));
  const files: Files = { ready: join(dir, 'ready'), stop: join(dir, 'stop'), maxMs: MAX_MS };
  const run = node.run(process.execPath, ['--input-type=module', '-e', script(files)], {
    timeoutMs: MAX_MS + 30_000,
  });
  let ended = false;
  void run.finally(() => (ended = true)).catch(() => undefined);
  let result: Promise<T> | undefined;
  return {
    async started(ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!existsSync(files.ready)) {
        if (ended) throw new Error(`client in ${node.name} ended early: ${(await run).stderr}`);
        if (Date.now() > deadline)
          throw new Error(`client in ${node.name} not under way in ${ms} ms`);
        await sleep(100);
      }
    },
    finish() {
      result ??= (async () => {
        try {
          writeFileSync(files.stop, '');
          const r = await run;
          const line = r.stdout.trim().split('\n').pop() ?? '';
          try {
            return JSON.parse(line) as T;
          } catch {
            throw new Error(`client in ${node.name} exited ${String(r.code)}: ${r.stderr}`);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })();
      return result;
    },
  };
}

function loadScript(urls: readonly string[], gapMs: number, f: Files): string {
  return `
    import { get } from 'node:http';
    import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
    const urls = ${JSON.stringify(urls)};
    const end = Date.now() + ${f.maxMs};
    const one = (url) => new Promise((resolve) => {
      const req = get(url, { agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('error', (e) => resolve({ error: e.code ?? e.name }));
        res.on('end', () => {
          const m = /^pod=(\\S+)/.exec(body);
          resolve(res.statusCode === 200 && m ? { pod: m[1] } : { error: 'status ' + res.statusCode });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => resolve({ error: e.code ?? e.name }));
    });
    let ok = 0, failed = 0;
    const errors = [], pods = {};
    writeFileSync(${JSON.stringify(f.ready)}, '');
    for (let i = 0; !existsSync(${JSON.stringify(f.stop)}) && Date.now() < end; i++) {
      const t0 = Date.now();
      const url = urls[i % urls.length];
      const r = await one(url);
      if (r.pod) { ok++; pods[r.pod] = (pods[r.pod] ?? 0) + 1; }
      else { failed++; if (errors.length < 10) errors.push(new Date().toISOString() + ' ' + url + ' ' + r.error); }
      await new Promise((r) => setTimeout(r, Math.max(0, ${gapMs} - (Date.now() - t0))));
    }
    console.log(JSON.stringify({ ok, failed, errors, pods }));`;
}

function heldScript(host: string, port: number, count: number, f: Files): string {
  return `
    import { Agent, get } from 'node:http';
    import { connect } from 'node:net';
    import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
    const host = ${JSON.stringify(host)}, port = ${port};
    const end = Date.now() + ${f.maxMs};
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    let finishing = false;
    const conns = Array.from({ length: ${count} }, () => ({
      agent: new Agent({ keepAlive: true, maxSockets: 1 }),
      ports: new Set(), pods: new Set(), ok: 0, failed: 0, errors: [], closes: [],
    }));
    const ask = (c, i, seq) => new Promise((resolve) => {
      const req = get({ host, port, path: '/keep/' + i + '/' + seq, agent: c.agent, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          const m = /^pod=(\\S+)/.exec(body);
          if (res.statusCode === 200 && m) { c.ok++; c.pods.add(m[1]); }
          else { c.failed++; c.errors.push('status ' + res.statusCode); }
          resolve();
        });
      });
      req.on('socket', (s) => {
        if (s.tracked) return;
        s.tracked = true;
        const note = () => c.ports.add(s.localPort);
        if (s.localPort) note(); else s.once('connect', note);
        s.on('close', (hadError) => {
          if (!finishing) c.closes.push(new Date().toISOString() + ' port ' + s.localPort + (hadError ? ' with error' : ''));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => { c.failed++; c.errors.push(new Date().toISOString() + ' ' + (e.code ?? e.name)); resolve(); });
    });
    const stopped = () => existsSync(${JSON.stringify(f.stop)}) || Date.now() > end;
    const slow = { answer: '', error: null, closedEarly: false };
    const s = connect(port, host);
    s.on('data', (d) => (slow.answer += d));
    s.on('error', (e) => (slow.error = e.code ?? e.name));
    s.on('close', () => { if (!finishing) slow.closedEarly = true; });
    await new Promise((resolve) => { s.once('connect', resolve); s.once('error', resolve); });
    s.write('GET /slow HTTP/1.1\\r\\nHost: ' + host + '\\r\\n');
    // Every connection answered once before the client reports that it is under way.
    await Promise.all(conns.map((c, i) => ask(c, i, 0)));
    writeFileSync(${JSON.stringify(f.ready)}, '');
    await Promise.all(conns.map(async (c, i) => {
      for (let seq = 1; !stopped(); seq++) { await ask(c, i, seq); await sleep(200); }
    }));
    // The request in flight all along: complete its headers and wait for the answer.
    s.write('X-Late: yes\\r\\n\\r\\n');
    for (let i = 0; i < 50 && !/path=\\/slow/.test(slow.answer) && !slow.closedEarly; i++) await sleep(100);
    // One more request on every connection after the event.
    await Promise.all(conns.map((c, i) => ask(c, i, -1)));
    finishing = true;
    s.destroy();
    for (const c of conns) c.agent.destroy();
    console.log(JSON.stringify({
      conns: conns.map((c) => ({ ports: [...c.ports], pods: [...c.pods], ok: c.ok, failed: c.failed, errors: c.errors.slice(0, 10), closes: c.closes })),
      slow,
    }));`;
}
