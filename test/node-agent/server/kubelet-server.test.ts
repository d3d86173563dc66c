// The kubelet HTTP API over real HTTP on 127.0.0.1 against a fake
// KubeletApiSource: status codes, Status bodies, options passed through,
// and a followed log stream that ends when the client goes away.
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { ContainerStatus, Pod } from '../../../control-plane/api/types.ts';
import {
  startKubeletServer,
  type ContainerLogRequest,
  type Health,
  type KubeletApiSource,
  type KubeletServer,
} from '../../../node-agent/server/index.ts';
import { container, pod } from '../kubelet/fixtures.ts';

interface LogCall {
  pod: string;
  container: string;
  opts: ContainerLogRequest;
}

/** A source whose pods, health and log streams the test sets; it records every log call. */
class FakeSource implements KubeletApiSource {
  podList: Pod[] = [];
  health: Health = { ok: true };
  calls: LogCall[] = [];
  /** What containerLogs answers; a function of the call. */
  answer: (call: LogCall) => Readable | undefined = () => Readable.from(['one\n', 'two\n']);

  pods(): Pod[] {
    return this.podList;
  }

  healthy(): Health {
    return this.health;
  }

  async containerLogs(p: Pod, name: string, opts: ContainerLogRequest) {
    const call = { pod: p.metadata.name ?? '', container: name, opts };
    this.calls.push(call);
    return this.answer(call);
  }
}

const source = new FakeSource();
let server: KubeletServer;
let base: string;

const web = pod('web', [container('app'), container('side')], {
  initContainers: [container('setup')],
});
const waitingPod = (name: string, reason?: string): Pod => {
  const p = pod(name, [container('app')]);
  const status: ContainerStatus = {
    name: 'app',
    image: 'skiff/echo:1',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: reason ? { waiting: { reason } } : {},
  };
  p.status = { phase: 'Pending', containerStatuses: [status] };
  return p;
};

before(async () => {
  source.podList = [
    web,
    waitingPod('pulling', 'ErrImagePull'),
    waitingPod('backoff', 'ImagePullBackOff'),
    waitingPod('crashing', 'CrashLoopBackOff'),
    waitingPod('fresh'),
  ];
  server = await startKubeletServer({
    address: '127.0.0.1',
    port: 0,
    source,
    log: createLogger({}, { level: 'error' }),
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(() => server.close());

async function fetchText(path: string, method = 'GET') {
  const res = await fetch(base + path, { method });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

async function fetchStatus(path: string, method = 'GET') {
  const r = await fetchText(path, method);
  const body = JSON.parse(r.text) as { kind: string; code: number; message: string };
  assert.equal(body.kind, 'Status');
  assert.equal(body.code, r.status, 'the Status code matches the HTTP code');
  return { status: r.status, message: body.message };
}

describe('/healthz and /pods', () => {
  test('/healthz is "ok" while healthy, 500 with the reason when not', async () => {
    source.health = { ok: true };
    assert.deepEqual(await fetchText('/healthz'), {
      status: 200,
      type: 'text/plain; charset=utf-8',
      text: 'ok',
    });
    source.health = { ok: false, message: 'docker is not responding' };
    const sick = await fetchText('/healthz');
    source.health = { ok: true };
    assert.equal(sick.status, 500);
    assert.equal(sick.text, 'unhealthy: docker is not responding');
  });

  test('/pods is a v1 PodList of the pods the source reports', async () => {
    const r = await fetchText('/pods');
    assert.equal(r.status, 200);
    const list = JSON.parse(r.text) as { apiVersion: string; kind: string; items: Pod[] };
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.kind, 'PodList');
    assert.deepEqual(
      list.items.map((p) => p.metadata.name),
      source.podList.map((p) => p.metadata.name),
    );
    assert.deepEqual(list.items[0], web);
  });
});

describe('/containerLogs', () => {
  test('streams the logs as text/plain with the options passed through', async () => {
    source.calls = [];
    const r = await fetchText(
      '/containerLogs/default/web/app?tailLines=2&timestamps=true&sinceSeconds=30',
    );
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/plain');
    assert.equal(r.text, 'one\ntwo\n');
    const [call] = source.calls;
    assert.equal(call?.pod, 'web');
    assert.equal(call?.container, 'app');
    const { signal, ...opts } = call?.opts ?? {};
    assert.ok(signal instanceof AbortSignal);
    assert.deepEqual(opts, {
      follow: false,
      timestamps: true,
      previous: false,
      tailLines: 2,
      sinceSeconds: 30,
    });
  });

  test('previous, sinceTime and init containers reach the source', async () => {
    source.calls = [];
    const r = await fetchText(
      '/containerLogs/default/web/setup?previous=true&sinceTime=2025-01-01T00:00:00Z&follow=0',
    );
    assert.equal(r.status, 200);
    const { signal: _signal, ...opts } = source.calls[0]?.opts ?? {};
    assert.equal(source.calls[0]?.container, 'setup');
    assert.deepEqual(opts, {
      follow: false,
      timestamps: false,
      previous: true,
      sinceTime: '2025-01-01T00:00:00Z',
    });
  });

  test('limitBytes cuts the output at that many bytes', async () => {
    const r = await fetchText('/containerLogs/default/web/app?limitBytes=5');
    assert.equal(r.status, 200);
    assert.equal(r.text, 'one\nt');
  });

  const errors = [
    {
      name: 'unknown pod',
      path: '/containerLogs/default/nope/app',
      status: 404,
      message: 'pod "nope" does not exist',
    },
    {
      name: 'pod in another namespace',
      path: '/containerLogs/other/web/app',
      status: 404,
      message: 'pod "web" does not exist',
    },
    {
      name: 'unknown container',
      path: '/containerLogs/default/web/nope',
      status: 404,
      message: 'container "nope" not found in pod "web"',
    },
    {
      name: 'no instance yet, no status',
      path: '/containerLogs/default/fresh/app',
      status: 400,
      message: 'container "app" in pod "fresh" is waiting to start: ContainerCreating',
    },
    {
      name: 'no instance, image pull failed',
      path: '/containerLogs/default/pulling/app',
      status: 400,
      message: 'container "app" in pod "pulling" is waiting to start: image can\'t be pulled',
    },
    {
      name: 'no instance, image pull backing off',
      path: '/containerLogs/default/backoff/app',
      status: 400,
      message:
        'container "app" in pod "backoff" is waiting to start: trying and failing to pull image',
    },
    {
      name: 'no instance, another waiting reason',
      path: '/containerLogs/default/crashing/app',
      status: 400,
      message: 'container "app" in pod "crashing" is waiting to start: CrashLoopBackOff',
    },
    {
      name: 'no previous instance',
      path: '/containerLogs/default/fresh/app?previous=true',
      status: 400,
      message: 'previous terminated container "app" in pod "fresh" not found',
    },
    {
      name: 'malformed tailLines',
      path: '/containerLogs/default/web/app?tailLines=x',
      status: 400,
      message: 'invalid value for query parameter tailLines: "x" (expected an integer >= 0)',
    },
    {
      name: 'sinceTime and sinceSeconds together',
      path: '/containerLogs/default/web/app?sinceSeconds=1&sinceTime=2025-01-01T00:00:00Z',
      status: 400,
      message: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
    },
  ];
  for (const tc of errors) {
    test(`${tc.name}: ${tc.status} Status`, async () => {
      // Only the web pod has instances in this fake.
      source.answer = (call) =>
        call.pod === 'web' ? Readable.from(['one\n', 'two\n']) : undefined;
      assert.deepEqual(await fetchStatus(tc.path), { status: tc.status, message: tc.message });
    });
  }

  test('a failing source is a 500 Status with its message', async () => {
    source.answer = () => {
      throw new Error('no such container: 0123abcd');
    };
    try {
      assert.deepEqual(await fetchStatus('/containerLogs/default/web/app'), {
        status: 500,
        message: 'no such container: 0123abcd',
      });
    } finally {
      source.answer = () => Readable.from(['one\n', 'two\n']);
    }
  });

  test('follow streams chunks as they come and aborts the source when the client goes away', async () => {
    const live = new PassThrough();
    source.calls = [];
    source.answer = () => live;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`${base}/containerLogs/default/web/app?follow=true`, resolve).on('error', reject);
    });
    assert.equal(res.statusCode, 200);
    const chunks = res[Symbol.asyncIterator]();
    live.write('first\n');
    assert.equal(String((await chunks.next()).value), 'first\n');
    live.write('second\n');
    assert.equal(String((await chunks.next()).value), 'second\n');
    const signal = source.calls[0]?.opts.signal;
    assert.equal(signal?.aborted, false);
    res.destroy();
    for (let i = 0; i < 100 && !(signal?.aborted && live.destroyed); i++) await sleep(50);
    assert.equal(signal?.aborted, true, 'the source was told to stop');
    assert.equal(live.destroyed, true, 'the source stream was closed');
  });

  test('close() ends a followed stream that is still open', async () => {
    const other = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      source,
      log: createLogger({}, { level: 'error' }),
    });
    const live = new PassThrough();
    source.answer = () => live;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`http://127.0.0.1:${other.port}/containerLogs/default/web/app?follow=true`, resolve).on(
        'error',
        reject,
      );
    });
    const ended = new Promise<void>((resolve) => res.on('close', () => resolve()));
    res.resume();
    await other.close();
    await ended;
    for (let i = 0; i < 100 && !live.destroyed; i++) await sleep(50);
    assert.equal(live.destroyed, true);
  });
});

describe('other paths', () => {
  for (const path of [
    '/exec/default/web/app?command=ls',
    '/attach/default/web/app',
    '/portForward/default/web',
    '/run/default/web/app',
  ]) {
    test(`${path.split('?')[0]} is a 501 Status: not supported yet`, async () => {
      for (const method of ['GET', 'POST']) {
        const r = await fetchStatus(path, method);
        assert.equal(r.status, 501);
        assert.match(r.message, /is not supported by this skiff version's kubelet yet/);
      }
    });
  }

  test('an unknown path is a 404 Status, a write a 405', async () => {
    assert.deepEqual(await fetchStatus('/metrics/cadvisor'), {
      status: 404,
      message: 'the kubelet API has no /metrics/cadvisor',
    });
    assert.deepEqual(await fetchStatus('/containerLogs/default/web'), {
      status: 404,
      message: 'the kubelet API has no /containerLogs/default/web',
    });
    assert.equal((await fetchStatus('/pods', 'POST')).status, 405);
  });
});
