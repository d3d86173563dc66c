/**
 * Traffic helpers for the service e2e suite: the echo Deployment a user
 * would write for zero-downtime updates, HTTP clients run inside a node's
 * network namespace or inside a pod (the echo image carries node), and
 * long-running clients (a steady HTTP load, a UDP sender on a fixed source
 * port) that the test stops and reads back.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Deployment, Endpoints, Pod } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE, type LocalNode } from '../../../deploy/local-cluster/index.ts';
import { PODS, type AgentCluster } from '../fixtures/agent-cluster.ts';
import { containerStatus } from '../agent/pod-helpers.ts';

export const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
export const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
/** The preStop sleep: long enough for an endpoint removal to reach every node's rules. */
export const PRESTOP_SECONDS = 5;

/**
 * A Deployment of the echo image labelled app=<name>, written for zero
 * downtime: a readiness probe, maxSurge 1 / maxUnavailable 0, and a preStop
 * sleep inside the grace period so the pod keeps serving until every
 * node's proxy has dropped it.
 */
export function echoDeployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: PRESTOP_SECONDS + 10,
          containers: [
            {
              name: 'app',
              image: ECHO_IMAGE,
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'echo-udp', containerPort: 8080, protocol: 'UDP' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
              lifecycle: { preStop: { sleep: { seconds: PRESTOP_SECONDS } } },
            },
          ],
        },
      },
    },
  };
}

/** `kubectl rollout status` of Deployment `name` until it completes (bounded, ~4 min). */
export async function rolloutStatus(c: AgentCluster, name: string): Promise<string> {
  let last: unknown;
  // c.kubectl stops kubectl after 60 s: ask in bounded rounds that each end before.
  for (let round = 0; round < 5; round++) {
    try {
      return await c.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=50s']);
    } catch (err) {
      last = err;
      if (!/timed out|deadline/i.test(String(err))) throw err;
    }
  }
  throw new Error(`deployment ${name} not rolled out within 250 s: ${String(last)}\n${c.logs()}`);
}

/** The pods of app=<app> that are running, ready and not being deleted. */
export async function readyPods(c: AgentCluster, app: string): Promise<Pod[]> {
  const list = await c.client.list<Pod>(PODS, {
    namespace: 'default',
    labelSelector: `app=${app}`,
  });
  return list.items.filter(
    (p) => !p.metadata.deletionTimestamp && containerStatus(p, 'app')?.ready === true,
  );
}

/** What waitEndpoints saw: the Endpoints, and when the poll before the match was sent. */
export interface EndpointsSeen {
  ep: Endpoints;
  /**
   * The start of the last poll that did not match (or of the first poll):
   * the change was written after it, so a time measured from here is never
   * shorter than from the write (at most one poll and one GET longer).
   */
  notYetAt: number;
}

/** Polls Endpoints `name` every `pollMs` until `ok` holds (bounded). */
export async function waitEndpoints(
  c: AgentCluster,
  name: string,
  ok: (ep: Endpoints) => boolean,
  what: string,
  ms = 90_000,
  pollMs = 100,
): Promise<EndpointsSeen> {
  const deadline = Date.now() + ms;
  let last: Endpoints | undefined;
  let notYetAt = Date.now();
  while (Date.now() < deadline) {
    const sentAt = Date.now();
    try {
      last = await c.client.get<Endpoints>(ENDPOINTS, name, { namespace: 'default' });
      if (ok(last)) return { ep: last, notYetAt };
    } catch {
      // not created yet
    }
    notYetAt = sentAt;
    await sleep(pollMs);
  }
  assert.fail(`endpoints ${name}: ${what} not seen within ${ms} ms: ${JSON.stringify(last)}`);
}

/** The ready addresses of an Endpoints object, by pod name. */
export function readyAddresses(ep: Endpoints): string[] {
  return (ep.subsets ?? []).flatMap((s) =>
    (s.addresses ?? []).map((a) => a.targetRef?.name ?? a.ip),
  );
}

/** Where a client runs: a node's network namespace, or a pod's app container. */
export type ClientPlace = { node: LocalNode } | { pod: Pod; c: AgentCluster };

/** One request's outcome: the answering pod's name (or "error CODE"/"status N"), and how long it took. */
export interface Answer {
  answer: string;
  ms: number;
}

/**
 * `count` sequential GETs of `url` from `place`, each on a new connection
 * (so each is a new balancing decision), each given up after `timeoutMs`.
 */
export async function requests(
  place: ClientPlace,
  url: string,
  count: number,
  timeoutMs = 3_000,
): Promise<Answer[]> {
  const script = `
    import { get } from 'node:http';
    const one = () => new Promise((resolve) => {
      const t0 = performance.now();
      const done = (answer) => resolve({ answer, ms: Math.round(performance.now() - t0) });
      const req = get(${JSON.stringify(url)}, { agent: false, timeout: ${timeoutMs} }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          const m = /^pod=(\\S+)/.exec(body);
          done(res.statusCode === 200 && m ? m[1] : 'status ' + res.statusCode);
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => done('error ' + (err.code ?? err.name)));
    });
    const out = [];
    for (let i = 0; i < ${count}; i++) out.push(await one());
    console.log(JSON.stringify(out));`;
  const argv = ['--input-type=module', '-e', script];
  const runMs = count * (timeoutMs + 500) + 30_000;
  const r =
    'node' in place
      ? await place.node.run(process.execPath, argv, { timeoutMs: runMs })
      : await inPod(place.c, place.pod, ['node', ...argv], runMs);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Answer[];
  } catch {
    throw new Error(`client failed (exit ${String(r.code)}): ${r.stderr.slice(0, 500)}`);
  }
}

/** `count` requests as `requests` sends them, counted by answer. */
export async function spray(
  place: ClientPlace,
  url: string,
  count: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const { answer } of await requests(place, url, count)) {
    seen.set(answer, (seen.get(answer) ?? 0) + 1);
  }
  return seen;
}

/** Runs `argv` in the app container of `pod` (docker exec on its node). */
export function inPod(
  c: AgentCluster,
  pod: Pod,
  argv: readonly string[],
  timeoutMs = 60_000,
): ReturnType<LocalNode['run']> {
  const id = (containerStatus(pod, 'app')?.containerID ?? '').replace('docker://', '');
  assert.ok(id, `pod ${pod.metadata.name} has a running app container`);
  const node = c.node(pod.spec.nodeName ?? '');
  return node.run('docker', ['-H', `unix://${node.dockerSocket}`, 'exec', id, ...argv], {
    timeoutMs,
  });
}

/** A client process running in a node until stopped; its stdout lines are JSON. */
export interface NodeClient {
  /** Waits (bounded) until some stdout line so far satisfies `ok`. */
  waitLine(ok: (l: Record<string, unknown>) => boolean, what: string, ms?: number): Promise<void>;
  /** Tells it to finish (it prints its summary line), waits for the exit (bounded); every line. */
  stop(): Promise<Record<string, unknown>[]>;
  /** Kills it at once (cleanup). */
  kill(): void;
}

/**
 * Starts `script` (an ES module for node) in the node's network namespace.
 * The script ends when its stdin reads "stop" or closes (so an aborted
 * test never leaves it behind).
 */
export function startNodeClient(node: LocalNode, script: string): NodeClient {
  const child: ChildProcessWithoutNullStreams = spawn(
    'nsenter',
    [`--net=${node.netnsPath}`, process.execPath, '--input-type=module', '-e', script],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const out: Record<string, unknown>[] = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) {
      if (p.trim() === '') continue;
      try {
        out.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        out.push({ raw: p }); // not ours (a runtime warning): kept for failure messages
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async waitLine(ok, what, ms = 60_000) {
      const deadline = Date.now() + ms;
      while (!out.some(ok)) {
        assert.ok(child.exitCode === null, `client in ${node.name} exited: ${err.slice(0, 500)}`);
        if (Date.now() > deadline) {
          assert.fail(
            `client in ${node.name}: ${what} not seen within ${ms} ms; last ${JSON.stringify(out.slice(-5))}`,
          );
        }
        await sleep(50);
      }
    },
    async stop() {
      if (child.exitCode === null) child.stdin.end('stop\n');
      const done = await Promise.race([exited.then(() => true), sleep(20_000, false)]);
      if (!done) child.kill('SIGKILL');
      assert.ok(done, `client in ${node.name} did not stop within 20 s: ${err.slice(0, 500)}`);
      return out;
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

const STOP_ON_STDIN = `
  const stopped = new Promise((resolve) => {
    process.stdin.on('data', (d) => { if (String(d).includes('stop')) resolve(); });
    process.stdin.on('end', resolve);
  });`;

/**
 * A steady load: a GET of `url` every 1000/perSecond ms on a new
 * connection, whatever the previous ones do (timeout `timeoutMs`). Prints
 * {progress} each second and, when stopped, one {summary} line with
 * answers per pod and every failure (start time, duration, error).
 */
export function loadScript(url: string, perSecond: number, timeoutMs = 3_000): string {
  return `
    import { get } from 'node:http';
    ${STOP_ON_STDIN}
    const s = { sent: 0, ok: 0, byPod: {}, failures: [] };
    let inflight = 0;
    const one = () => {
      const t = Date.now();
      let settled = false;
      s.sent++;
      inflight++;
      const done = (err, pod) => {
        if (settled) return;
        settled = true;
        inflight--;
        if (err) s.failures.push({ t, ms: Date.now() - t, err });
        else { s.ok++; s.byPod[pod] = (s.byPod[pod] ?? 0) + 1; }
      };
      const req = get(${JSON.stringify(url)}, { agent: false, timeout: ${timeoutMs} }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('error', (e) => done('response ' + (e.code ?? e.name)));
        res.on('end', () => {
          const m = /^pod=(\\S+)/.exec(body);
          res.statusCode === 200 && m ? done(null, m[1]) : done('status ' + res.statusCode);
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => done('error ' + (e.code ?? e.name)));
    };
    const start = Date.now();
    // Catch up by elapsed time, so a late timer on a busy machine keeps the average rate.
    const tick = setInterval(() => {
      while (s.sent < ((Date.now() - start) * ${perSecond}) / 1000) one();
    }, 10);
    const progress = setInterval(() => console.log(JSON.stringify({ progress: { sent: s.sent, ok: s.ok, failed: s.failures.length, lastFailure: s.failures.at(-1)?.err } })), 1000);
    await stopped;
    clearInterval(tick);
    clearInterval(progress);
    for (let i = 0; i < 100 && inflight > 0; i++) await new Promise((r) => setTimeout(r, 100));
    console.log(JSON.stringify({ summary: { ...s, inflight, seconds: (Date.now() - start) / 1000 } }));
    process.exit(0);`;
}

/**
 * A UDP client bound to the fixed source port `srcPort`, sending a datagram
 * to host:port every `everyMs` (same 5-tuple each time, so a stale
 * conntrack entry would capture it). Prints {t, body} per reply.
 */
export function udpScript(host: string, port: number, srcPort: number, everyMs = 50): string {
  return `
    import { createSocket } from 'node:dgram';
    ${STOP_ON_STDIN}
    const s = createSocket('udp4');
    s.on('message', (m) => console.log(JSON.stringify({ t: Date.now(), body: String(m).trim() })));
    s.on('error', (e) => console.log(JSON.stringify({ t: Date.now(), error: e.code ?? e.name })));
    await new Promise((resolve) => s.bind(${srcPort}, resolve));
    let sent = 0;
    const tick = setInterval(() => { sent++; s.send('hello', ${port}, ${JSON.stringify(host)}); }, ${everyMs});
    await stopped;
    clearInterval(tick);
    console.log(JSON.stringify({ summary: { sent } }));
    s.close();
    process.exit(0);`;
}
