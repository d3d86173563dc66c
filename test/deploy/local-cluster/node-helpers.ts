/**
 * Helpers for the local-cluster tests: containers run to completion with a
 * bounded wait, and HTTP/UDP clients run INSIDE a node's network namespace
 * (the pinned node binary under `nsenter --net=`), since pod addresses are
 * only reachable there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { LocalNode } from '../../../deploy/local-cluster/index.ts';

const WAIT_MS = 120_000;

/** Rejects after `ms` with a message naming `what`, unless `p` settles first. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const ac = new AbortController();
  const timer = sleep(ms, undefined, { signal: ac.signal }).then(() => {
    throw new Error(`${what}: no result within ${ms} ms`);
  });
  try {
    return await Promise.race([p, timer]);
  } finally {
    ac.abort();
    timer.catch(() => {});
  }
}

/** Creates and starts a container; resolves to it. */
export async function startContainer(
  docker: Docker,
  opts: Docker.ContainerCreateOptions,
): Promise<Docker.Container> {
  const c = await docker.createContainer(opts);
  await c.start();
  return c;
}

/** Waits (bounded) for a container to exit and returns its final state. */
export async function waitExit(
  c: Docker.Container,
): Promise<{ ExitCode: number; OOMKilled: boolean }> {
  await within(c.wait(), WAIT_MS, `wait for container ${c.id.slice(0, 12)}`);
  const info = await c.inspect();
  return { ExitCode: info.State.ExitCode, OOMKilled: info.State.OOMKilled };
}

/** Result of an HTTP GET made from inside a node; `error` set when no response came. */
export interface HttpResult {
  status?: number;
  body?: string;
  error?: string;
}

/** GETs `url` from inside the node's network namespace, giving up after `timeoutMs`. */
export async function httpGetInNode(
  node: LocalNode,
  url: string,
  timeoutMs = 5_000,
): Promise<HttpResult> {
  const script = `
    try {
      const res = await fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutMs}) });
      console.log(JSON.stringify({ status: res.status, body: await res.text() }));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err.cause?.code ?? err.name) }));
    }`;
  return runScript(node, script, timeoutMs);
}

/** Sends one UDP datagram from inside the node and resolves to the first reply's text. */
export async function udpAskInNode(
  node: LocalNode,
  host: string,
  port: number,
): Promise<HttpResult> {
  const script = `
    const s = (await import('node:dgram')).createSocket('udp4');
    const t = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout' })); s.close(); }, 5000);
    s.on('message', (m) => { clearTimeout(t); console.log(JSON.stringify({ body: String(m) })); s.close(); });
    s.send('hello', ${port}, ${JSON.stringify(host)});`;
  return runScript(node, script, 5_000);
}

/** Polls GET `url` from inside the node until it answers 200 (bounded). */
export async function waitHttpOk(node: LocalNode, url: string, ms = 60_000): Promise<HttpResult> {
  const deadline = Date.now() + ms;
  let last: HttpResult = {};
  while (Date.now() < deadline) {
    last = await httpGetInNode(node, url, 3_000);
    if (last.status === 200) return last;
    await sleep(300);
  }
  throw new Error(
    `GET ${url} in node ${node.name} never answered 200; last: ${JSON.stringify(last)}`,
  );
}

/** PIDs of processes whose command line mentions `text`. */
export function pidsMentioning(text: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text)) out.push(Number(d));
    } catch {
      // The process exited while listing.
    }
  }
  return out;
}

async function runScript(node: LocalNode, script: string, timeoutMs: number): Promise<HttpResult> {
  const res = await node.run(process.execPath, ['--input-type=module', '-e', script], {
    timeoutMs: timeoutMs + 30_000,
  });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as HttpResult;
  } catch {
    throw new Error(
      `client in node ${node.name} failed (exit ${String(res.code)}): ${res.stderr.slice(0, 500)}`,
    );
  }
}
