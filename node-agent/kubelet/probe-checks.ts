/**
 * The checks behind probes: httpGet (status 200–399 succeeds), tcpSocket
 * (a connect succeeds) and exec (exit code 0 succeeds), each bounded by the
 * probe's timeout. Failure output reads like the kubelet's, which users
 * see in Unhealthy events ("HTTP probe failed with statuscode: 500").
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from '../../control-plane/api/types.ts';
import type { ProbeOutcome } from './probes.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';

/** The outcome of one check, and what to say about it. */
export interface CheckResult {
  outcome: ProbeOutcome;
  output: string;
}

/** Where a probe runs: the pod's IP and the container it checks. */
export interface ProbeContext {
  podIP: string;
  container: Container;
  containerId: string;
}

/** Runs one probe's check. */
export interface ProbeChecker {
  check(probe: Probe, ctx: ProbeContext, timeoutMs: number): Promise<CheckResult>;
}

// The kubelet's User-Agent is kube-probe/<major>.<minor>; apps sometimes match on it.
const USER_AGENT = 'kube-probe/1.32';
const MAX_BODY = 10 * 1024;

/** The real checker: HTTP and TCP from the node to the pod, exec through the runtime. */
export class DefaultProbeChecker implements ProbeChecker {
  private readonly runtime: Pick<ContainerRuntime, 'exec'>;

  constructor(runtime: Pick<ContainerRuntime, 'exec'>) {
    this.runtime = runtime;
  }

  async check(probe: Probe, ctx: ProbeContext, timeoutMs: number): Promise<CheckResult> {
    if (probe.exec)
      return execCheck(this.runtime, ctx.containerId, probe.exec.command ?? [], timeoutMs);
    const action = probe.httpGet ?? probe.tcpSocket;
    if (!action) return { outcome: 'error', output: 'probe has no handler skiff supports' };
    const port = resolvePort(action.port, ctx.container);
    if (typeof port === 'string') return { outcome: 'error', output: port };
    const host = action.host || ctx.podIP;
    if (probe.httpGet) {
      const h = probe.httpGet;
      const scheme = (h.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
      const headers = Object.fromEntries((h.httpHeaders ?? []).map((x) => [x.name, x.value]));
      return httpGetCheck({ scheme, host, port, path: h.path || '/', headers }, timeoutMs);
    }
    return tcpSocketCheck(host, port, timeoutMs);
  }
}

/** A probe port: a number, or a container port's name; else an error text. */
export function resolvePort(port: number | string, container: Container): number | string {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  return named
    ? named.containerPort
    : `couldn't find port "${port}" in container "${container.name}"`;
}

export interface HttpTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
}

/** GET the target; 200–399 succeeds. Certificates are not verified (as the kubelet). */
export function httpGetCheck(t: HttpTarget, timeoutMs: number): Promise<CheckResult> {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const url = `${t.scheme}://${host}:${t.port}${t.path.startsWith('/') ? '' : '/'}${t.path}`;
  const request = t.scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const done = (r: CheckResult) => {
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      url,
      {
        method: 'GET',
        headers: { 'User-Agent': USER_AGENT, Accept: '*/*', ...t.headers },
        rejectUnauthorized: false,
      },
      (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk.slice(0, MAX_BODY - body.length);
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) done({ outcome: 'success', output: body });
          else done({ outcome: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
        });
        res.on('error', (err) =>
          done({ outcome: 'failure', output: `Get "${url}": ${err.message}` }),
        );
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({
        outcome: 'failure',
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ outcome: 'failure', output: `Get "${url}": ${dialError(t.host, t.port, err)}` }),
    );
    req.end();
  });
}

/** Opens and closes a TCP connection; connecting succeeds. */
export function tcpSocketCheck(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: CheckResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ outcome: 'failure', output: `dial tcp ${host}:${port}: i/o timeout` }),
      timeoutMs,
    );
    socket.on('connect', () => done({ outcome: 'success', output: '' }));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done({ outcome: 'failure', output: dialError(host, port, err) }),
    );
  });
}

/** Runs `command` in the container; exit code 0 succeeds. */
export async function execCheck(
  runtime: Pick<ContainerRuntime, 'exec'>,
  containerId: string,
  command: readonly string[],
  timeoutMs: number,
): Promise<CheckResult> {
  if (command.length === 0) return { outcome: 'error', output: 'exec probe has no command' };
  try {
    const r = await runtime.exec(containerId, command, timeoutMs);
    if (r.timedOut) {
      return {
        outcome: 'failure',
        output: `command ${JSON.stringify(command.join(' '))} timed out`,
      };
    }
    return { outcome: r.exitCode === 0 ? 'success' : 'failure', output: r.output };
  } catch (err) {
    return { outcome: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
}

// Go's net.Dial error text for the common cases.
function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const what =
    err.code === 'ECONNREFUSED'
      ? 'connect: connection refused'
      : err.code === 'EHOSTUNREACH'
        ? 'connect: no route to host'
        : err.code === 'ENETUNREACH'
          ? 'connect: network is unreachable'
          : err.message;
  return `dial tcp ${host}:${port}: ${what}`;
}
