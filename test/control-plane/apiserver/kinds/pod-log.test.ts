/**
 * pods/log forwarded to a kubelet: a real skiff API server in-process and a
 * real kubelet API server on 127.0.0.1 (its source serves fixed streams;
 * the forwarding is what is tested), a Node whose InternalIP and
 * kubeletEndpoint point at it, and the REAL kubectl: logs, logs -f (lines
 * arrive while it runs, the kubelet's stream closes when it is killed),
 * --tail, -c, --previous, errors; plus @kubernetes/client-node. Also the
 * Status of pods/exec, pods/attach and pods/portforward.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { createLogger } from '../../../../control-plane/api/log.ts';
import type { Pod } from '../../../../control-plane/api/types.ts';
import { kubeconfigFor } from '../../../../control-plane/cli/server.ts';
import {
  startKubeletServer,
  type ContainerLogRequest,
  type KubeletServer,
} from '../../../../node-agent/server/index.ts';
import { at } from '../support/json.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const PODS = '/api/v1/namespaces/default/pods';
const APP_LINES = ['app line 1', 'app line 2', 'app line 3', 'app line 4', 'app line 5'];

let s: TestServer;
let kubelet: KubeletServer;
let kubeconfig: string;
let deadPort: number;
/** The pods the kubelet knows (as read back from the API server). */
const kubeletPods: Pod[] = [];
const calls: { container: string; opts: ContainerLogRequest }[] = [];
/** The stream of the "live" container, created per request. */
let live: PassThrough | undefined;

// What the fake node serves: "app" a fixed log (tail applied), "live" a stream
// the test writes to, "side" no instance yet.
async function containerLogs(_pod: Pod, container: string, opts: ContainerLogRequest) {
  calls.push({ container, opts });
  if (container === 'app') {
    if (opts.previous) return Readable.from(['previous app line\n']);
    const lines = opts.tailLines === undefined ? APP_LINES : APP_LINES.slice(-opts.tailLines);
    return Readable.from([lines.map((l) => `${l}\n`).join('')]);
  }
  if (container === 'live') return (live = new PassThrough());
  return undefined;
}

/** A loopback port where nothing listens. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function node(name: string, address: string | undefined, port: number) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      ...(address ? { addresses: [{ type: 'InternalIP', address }] } : {}),
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  };
}

function pod(name: string, nodeName: string, containers: string[]) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'skiff/echo:1' })) },
  };
}

async function create(path: string, body: unknown): Promise<unknown> {
  const r = await s.post(path, body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

before(async () => {
  s = await startTestServer();
  kubelet = await startKubeletServer({
    address: '127.0.0.1',
    port: 0,
    source: { pods: () => kubeletPods, healthy: () => ({ ok: true }), containerLogs },
    log: createLogger({}, { level: 'error' }),
  });
  deadPort = await freePort();
  kubeconfig = join(s.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(s.url), { mode: 0o600 });
  await create('/api/v1/nodes', node('n1', '127.0.0.1', kubelet.port));
  await create('/api/v1/nodes', node('gone', '127.0.0.1', deadPort));
  await create('/api/v1/nodes', node('noip', undefined, kubelet.port));
  kubeletPods.push((await create(PODS, pod('web', 'n1', ['app', 'side', 'live']))) as Pod);
  // Known to the API server, not to the kubelet.
  await create(PODS, pod('stranger', 'n1', ['app']));
  await create(PODS, pod('orphan', 'gone', ['app']));
  await create(PODS, pod('lost', 'noip', ['app']));
  await create(PODS, pod('unregistered', 'nowhere', ['app']));
});

after(async () => {
  await kubelet?.close();
  await s?.close();
});

/** Runs kubectl to completion: its exit code, stdout and stderr. */
async function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      timeout: 60_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      out: err.stdout ?? '',
      err: err.stderr ?? String(e),
    };
  }
}

/** Polls `ok` (bounded), failing with `what`. */
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await sleep(50);
  assert.ok(ok(), `${what}: not within 30 s`);
}

describe('kubectl logs through the API server', () => {
  it('prints the default container (the first) and says so', async () => {
    calls.length = 0;
    const r = await kubectl('logs', 'web');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, APP_LINES.map((l) => `${l}\n`).join(''));
    assert.match(r.err, /Defaulted container "app" out of: app, side, live/);
    assert.deepEqual(
      calls.map((c) => [c.container, c.opts.follow, c.opts.previous]),
      [['app', false, false]],
    );
  });

  it('--tail, --timestamps, --since and --limit-bytes reach the kubelet', async () => {
    calls.length = 0;
    const tail = await kubectl('logs', 'web', '-c', 'app', '--tail=2');
    assert.equal(tail.code, 0, tail.err);
    assert.equal(tail.out, 'app line 4\napp line 5\n');
    const limited = await kubectl('logs', 'web', '-c', 'app', '--limit-bytes=8');
    assert.equal(limited.out, 'app line');
    const since = await kubectl('logs', 'web', '-c', 'app', '--timestamps', '--since=1h');
    assert.equal(since.code, 0, since.err);
    const { signal: _s1, ...tailOpts } = calls[0]?.opts ?? {};
    assert.deepEqual(tailOpts, { follow: false, timestamps: false, previous: false, tailLines: 2 });
    const { signal: _s3, ...sinceOpts } = calls[2]?.opts ?? {};
    assert.deepEqual(sinceOpts, {
      follow: false,
      timestamps: true,
      previous: false,
      sinceSeconds: 3600,
    });
  });

  it('-c picks the container and --previous the previous instance', async () => {
    const prev = await kubectl('logs', 'web', '-c', 'app', '--previous');
    assert.equal(prev.code, 0, prev.err);
    assert.equal(prev.out, 'previous app line\n');
  });

  it('-f prints lines as they arrive and the kubelet stream closes when kubectl is killed', async () => {
    calls.length = 0;
    live = undefined;
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', 'web', '-c', 'live']);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await until('the kubelet is asked for the live stream', () => live !== undefined);
      const stream = live as unknown as PassThrough;
      stream.write('live line 1\n');
      await until('kubectl prints line 1', () => out.includes('live line 1\n'));
      stream.write('live line 2\n');
      await until('kubectl prints line 2', () => out.includes('live line 2\n'));
      assert.equal(out, 'live line 1\nlive line 2\n');
      assert.equal(calls[0]?.opts.follow, true);
      const signal = calls[0]?.opts.signal;
      assert.equal(signal?.aborted, false);
      child.kill('SIGTERM');
      await until('the kubelet stream is aborted', () => signal?.aborted === true);
      assert.equal(stream.destroyed, true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('errors: no instance yet, a container the pod lacks, a pod the kubelet does not know', async () => {
    const waiting = await kubectl('logs', 'web', '-c', 'side');
    assert.notEqual(waiting.code, 0);
    assert.equal(
      waiting.err.trim(),
      'Error from server (BadRequest): container "side" in pod "web" is waiting to start: ContainerCreating',
    );
    const missing = await kubectl('logs', 'web', '-c', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /container nope is not valid for pod web/);
    const raw = await s.get(`${PODS}/web/log?container=nope`);
    assert.equal(raw.status, 400);
    assert.equal(at(raw.body, 'message'), 'container nope is not valid for pod web');
    const stranger = await kubectl('logs', 'stranger');
    assert.equal(
      stranger.err.trim(),
      'Error from server (NotFound): pod "stranger" does not exist',
    );
  });

  it('an unreachable kubelet is a 503 naming the node and address', async () => {
    const r = await kubectl('logs', 'orphan');
    assert.notEqual(r.code, 0);
    assert.match(
      r.err,
      new RegExp(
        `^Error from server \\(ServiceUnavailable\\): cannot reach the kubelet API of node "gone" at 127\\.0\\.0\\.1:${deadPort}: connect ECONNREFUSED 127\\.0\\.0\\.1:${deadPort}; check that the skiff agent runs on that node`,
      ),
    );
    const lost = await s.get(`${PODS}/lost/log`);
    assert.equal(lost.status, 503);
    assert.match(String(at(lost.body, 'message')), /^node "noip" reports no InternalIP address/);
    const unregistered = await s.get(`${PODS}/unregistered/log`);
    assert.equal(unregistered.status, 503);
    assert.match(
      String(at(unregistered.body, 'message')),
      /^the kubelet API of node "nowhere" is not reachable yet: the node is not registered/,
    );
  });

  it('invalid PodLogOptions are a 422 (malformed numbers a 400) before the kubelet is asked', async () => {
    calls.length = 0;
    const cases = [
      [
        'tailLines=-1',
        422,
        'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
      ],
      [
        'limitBytes=0',
        422,
        'PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: must be greater than 0',
      ],
      [
        'sinceSeconds=0',
        422,
        'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0',
      ],
      [
        'sinceSeconds=5&sinceTime=2025-01-01T00:00:00Z',
        422,
        'PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
      ],
      [
        'tailLines=ten',
        400,
        'invalid value for query parameter tailLines: "ten" is not an integer',
      ],
    ] as const;
    for (const [query, code, message] of cases) {
      const r = await s.get(`${PODS}/web/log?container=app&${query}`);
      assert.deepEqual([r.status, at(r.body, 'message')], [code, message], query);
    }
    assert.equal(calls.length, 0);
  });

  it('@kubernetes/client-node readNamespacedPodLog reads the same stream', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'skiff', server: s.url, skipTLSVerify: true }],
      users: [{ name: 'tester' }],
      contexts: [{ name: 'skiff', cluster: 'skiff', user: 'tester' }],
      currentContext: 'skiff',
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const text = await core.readNamespacedPodLog({
      name: 'web',
      namespace: 'default',
      container: 'app',
      tailLines: 1,
    });
    assert.equal(text, 'app line 5\n');
  });
});

describe('exec, attach and port-forward', () => {
  it('answer a clear Status that kubectl shows', async () => {
    const running = await s.patch(`${PODS}/web/status`, { status: { phase: 'Running' } });
    assert.equal(running.status, 200, running.text);
    const hint = `is not supported by this skiff version yet \\((pods/\\w+) of pod "web"\\); use kubectl logs to read the container's output`;
    const exec = await kubectl('exec', 'web', '-c', 'app', '--', 'ls');
    assert.notEqual(exec.code, 0);
    assert.match(exec.err, new RegExp(`Error from server \\(BadRequest\\): kubectl exec ${hint}`));
    const attach = await kubectl('attach', 'web', '-c', 'app');
    assert.notEqual(attach.code, 0);
    assert.match(attach.err, new RegExp(`kubectl attach ${hint}`));
    const forward = await kubectl('port-forward', 'pod/web', '18080:8080');
    assert.notEqual(forward.code, 0);
    assert.match(forward.err, new RegExp(`kubectl port-forward ${hint}`));
    for (const sub of ['exec', 'attach', 'portforward']) {
      for (const method of ['GET', 'POST']) {
        const r = await s.request(method, `${PODS}/web/${sub}`);
        assert.equal(r.status, 400, `${method} ${sub}`);
      }
      assert.equal((await s.get(`${PODS}/absent/${sub}`)).status, 404);
    }
  });
});
