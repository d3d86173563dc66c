// The probe checks against real servers on loopback (HTTP and TCP), and the
// exec check through a runtime stand-in (the real exec is covered by the
// Docker runtime test).
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  DefaultProbeChecker,
  execCheck,
  httpGetCheck,
  resolvePort,
  tcpSocketCheck,
} from '../../../node-agent/kubelet/probe-checks.ts';
import type { ExecResult } from '../../../node-agent/kubelet/runtime/runtime.ts';
import { container } from './fixtures.ts';

let http: Server;
let port = 0;
let lastHeaders: IncomingHttpHeaders = {};
const closedPort = await new Promise<number>((resolve) => {
  const s = createTcpServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as AddressInfo).port;
    s.close(() => resolve(p));
  });
});

before(async () => {
  http = createServer((req, res) => {
    lastHeaders = req.headers;
    const code = Number((req.url ?? '/').slice(1)) || 200;
    if (req.url === '/hang') return; // never answers
    res.writeHead(code, code >= 300 && code < 400 ? { location: '/200' } : {});
    res.end(`code ${code}`);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});
after(() => {
  http.closeAllConnections();
  http.close();
});

const codes: [number, string, string][] = [
  [200, 'success', 'code 200'],
  [204, 'success', ''],
  [302, 'success', 'code 302'],
  [399, 'success', 'code 399'],
  [400, 'failure', 'HTTP probe failed with statuscode: 400'],
  [500, 'failure', 'HTTP probe failed with statuscode: 500'],
];
for (const [code, outcome, output] of codes) {
  test(`httpGet: status ${code} is ${outcome}`, async () => {
    const r = await httpGetCheck(
      { scheme: 'http', host: '127.0.0.1', port, path: `/${code}`, headers: {} },
      2000,
    );
    assert.deepEqual(r, { outcome, output });
  });
}

test('httpGet sends the kubelet user agent and the probe headers', async () => {
  await httpGetCheck(
    { scheme: 'http', host: '127.0.0.1', port, path: '/200', headers: { 'X-Probe': 'yes' } },
    2000,
  );
  assert.equal(lastHeaders['user-agent'], 'kube-probe/1.32');
  assert.equal(lastHeaders['x-probe'], 'yes');
  assert.equal(lastHeaders.accept, '*/*');
});

test('httpGet: a refused connection and a timeout fail with Go-like messages', async () => {
  const refused = await httpGetCheck(
    { scheme: 'http', host: '127.0.0.1', port: closedPort, path: '/', headers: {} },
    2000,
  );
  assert.deepEqual(refused, {
    outcome: 'failure',
    output: `Get "http://127.0.0.1:${closedPort}/": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  });
  const slow = await httpGetCheck(
    { scheme: 'http', host: '127.0.0.1', port, path: '/hang', headers: {} },
    300,
  );
  assert.equal(slow.outcome, 'failure');
  assert.match(
    slow.output,
    /context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\)$/,
  );
});

test('tcpSocket: a connect succeeds, a refused one fails', async () => {
  assert.deepEqual(await tcpSocketCheck('127.0.0.1', port, 2000), {
    outcome: 'success',
    output: '',
  });
  assert.deepEqual(await tcpSocketCheck('127.0.0.1', closedPort, 2000), {
    outcome: 'failure',
    output: `dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  });
});

function fakeExec(result: ExecResult | Error) {
  const calls: { id: string; cmd: readonly string[]; timeoutMs: number }[] = [];
  return {
    calls,
    exec: async (id: string, cmd: readonly string[], timeoutMs: number) => {
      calls.push({ id, cmd, timeoutMs });
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

const execs: [string, ExecResult | Error, string, string][] = [
  ['exit 0', { exitCode: 0, output: 'ok\n', timedOut: false }, 'success', 'ok\n'],
  ['exit 1', { exitCode: 1, output: 'bad\n', timedOut: false }, 'failure', 'bad\n'],
  [
    'timeout',
    { exitCode: undefined, output: '', timedOut: true },
    'failure',
    'command "cat /tmp/healthy" timed out',
  ],
  ['container gone', new Error('container stopped/paused'), 'failure', 'container stopped/paused'],
];
for (const [name, result, outcome, output] of execs) {
  test(`exec: ${name}`, async () => {
    const rt = fakeExec(result);
    assert.deepEqual(await execCheck(rt, 'c1', ['cat', '/tmp/healthy'], 1500), { outcome, output });
    assert.deepEqual(rt.calls, [{ id: 'c1', cmd: ['cat', '/tmp/healthy'], timeoutMs: 1500 }]);
  });
}

test('named ports resolve from the container; unknown names are prober errors', () => {
  const c = container('app', { ports: [{ name: 'http', containerPort: 8080 }] });
  assert.equal(resolvePort('http', c), 8080);
  assert.equal(resolvePort(9090, c), 9090);
  assert.equal(resolvePort('9091', c), 9091);
  assert.equal(resolvePort('metrics', c), 'couldn\'t find port "metrics" in container "app"');
});

test('DefaultProbeChecker dispatches on the handler and probes the pod IP', async () => {
  const rt = fakeExec({ exitCode: 0, output: '', timedOut: false });
  const checker = new DefaultProbeChecker(rt);
  const c = container('app', { ports: [{ name: 'web', containerPort: port }] });
  const ctx = { podIP: '127.0.0.1', container: c, containerId: 'c9' };
  assert.equal(
    (await checker.check({ httpGet: { path: '/500', port: 'web' } }, ctx, 2000)).output,
    'HTTP probe failed with statuscode: 500',
  );
  assert.equal((await checker.check({ tcpSocket: { port } }, ctx, 2000)).outcome, 'success');
  assert.equal(
    (await checker.check({ exec: { command: ['true'] } }, ctx, 2000)).outcome,
    'success',
  );
  assert.deepEqual(
    rt.calls.map((x) => x.id),
    ['c9'],
  );
  assert.equal((await checker.check({ tcpSocket: { port: 'nope' } }, ctx, 2000)).outcome, 'error');
  assert.equal((await checker.check({ grpc: { port: 1 } }, ctx, 2000)).outcome, 'error');
});
