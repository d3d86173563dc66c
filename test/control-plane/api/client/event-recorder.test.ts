/**
 * EventRecorder against a real API server (in-process, real SQLite store):
 * the Event it writes, counting repeats into one Event, the API server
 * away and back, refused and dropped events, and the real kubectl
 * listing the events in `kubectl describe pod`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../../../control-plane/api/client/client.ts';
import { EventRecorder } from '../../../../control-plane/api/client/event-recorder.ts';
import { createLogger, type Logger } from '../../../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { Event, KubeObject, Pod } from '../../../../control-plane/api/types.ts';
import { ApiFixture } from './api-fixture.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const SOURCE = { component: 'kubelet', host: 'node-1' };

/** A logger that keeps its lines, to check what operators would read. */
function recordingLogger(): { log: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const log = createLogger(
    {},
    {
      level: 'debug',
      sink: (line) => lines.push(JSON.parse(line) as { level: string; msg: string }),
    },
  );
  return { log, lines };
}

describe('EventRecorder against the real API server', () => {
  let fx: ApiFixture;
  let client: ApiClient;
  let seq = 0;

  before(async () => {
    fx = await ApiFixture.start();
    client = fx.client({ timeoutMs: 5_000 });
  });
  after(() => fx?.destroy());

  async function newPod(): Promise<Pod> {
    const ns = `ev-${++seq}`;
    await client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    return client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: ns },
      spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'skiff/echo:1' }] },
    });
  }

  async function eventsOf(pod: Pod): Promise<Event[]> {
    const list = await client.list<Event>(EVENTS, { namespace: pod.metadata.namespace });
    return list.items.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  test('an event carries what kubectl describe shows', async () => {
    const pod = await newPod();
    const now = Date.UTC(2025, 4, 1, 10, 0, 0);
    const rec = new EventRecorder({ client, source: SOURCE, now: () => now });
    rec.record(
      pod,
      'Normal',
      'Pulled',
      'Container image "skiff/echo:1" already present on machine',
      'spec.containers{app}',
    );
    await rec.flush();
    const [e, ...rest] = await eventsOf(pod);
    assert.equal(rest.length, 0);
    assert.ok(e);
    assert.match(e.metadata.name ?? '', /^web\.[0-9a-f]+$/);
    assert.equal(e.metadata.namespace, pod.metadata.namespace);
    assert.deepEqual(e.involvedObject, {
      kind: 'Pod',
      namespace: pod.metadata.namespace,
      name: 'web',
      uid: pod.metadata.uid,
      apiVersion: 'v1',
      resourceVersion: pod.metadata.resourceVersion,
      fieldPath: 'spec.containers{app}',
    });
    assert.equal(e.type, 'Normal');
    assert.equal(e.reason, 'Pulled');
    assert.equal(e.message, 'Container image "skiff/echo:1" already present on machine');
    assert.deepEqual(e.source, SOURCE);
    assert.equal(e.reportingComponent, 'kubelet');
    assert.equal(e.reportingInstance, 'node-1');
    assert.equal(e.firstTimestamp, '2025-05-01T10:00:00Z');
    assert.equal(e.lastTimestamp, '2025-05-01T10:00:00Z');
    assert.equal(e.count, 1);
  });

  test('the same event again counts into one Event; another message is another Event', async () => {
    const pod = await newPod();
    let now = Date.UTC(2025, 4, 1, 10, 0, 0);
    const rec = new EventRecorder({ client, source: SOURCE, now: () => now });
    const backOff = () =>
      rec.record(
        pod,
        'Warning',
        'BackOff',
        'Back-off restarting failed container app',
        'spec.containers{app}',
      );
    backOff();
    await rec.flush();
    const [first] = await eventsOf(pod);
    now += 30_000;
    backOff();
    await rec.flush();
    // A burst before the sender gets to it: merged in the queue, counted all the same.
    now += 30_000;
    backOff();
    backOff();
    backOff();
    rec.record(
      pod,
      'Normal',
      'Pulled',
      'Container image "skiff/echo:1" already present on machine',
    );
    await rec.flush();
    const events = await eventsOf(pod);
    assert.equal(events.length, 2);
    const counted = events.find((e) => e.reason === 'BackOff');
    assert.equal(counted?.metadata.name, first?.metadata.name);
    assert.equal(counted?.count, 5);
    assert.equal(counted?.firstTimestamp, '2025-05-01T10:00:00Z');
    assert.equal(counted?.lastTimestamp, '2025-05-01T10:01:00Z');
    assert.equal(events.find((e) => e.reason === 'Pulled')?.count, 1);
  });

  test('an Event removed meanwhile is written anew with the running count', async () => {
    const pod = await newPod();
    const rec = new EventRecorder({ client, source: SOURCE });
    rec.record(pod, 'Normal', 'Started', 'Started container app');
    await rec.flush();
    const [first] = await eventsOf(pod);
    await client.delete(EVENTS, first?.metadata.name ?? '', { namespace: pod.metadata.namespace });
    rec.record(pod, 'Normal', 'Started', 'Started container app');
    await rec.flush();
    const [again, ...rest] = await eventsOf(pod);
    assert.equal(rest.length, 0);
    assert.equal(again?.metadata.name, first?.metadata.name);
    assert.equal(again?.count, 2);
  });

  test('events recorded while the API server is away arrive once it is back', async () => {
    const pod = await newPod();
    const { log, lines } = recordingLogger();
    const rec = new EventRecorder({
      client,
      source: SOURCE,
      log,
      retryBaseMs: 50,
      retryCapMs: 200,
      maxTries: 1000,
      maxQueued: 3,
    });
    await fx.stop();
    try {
      for (let i = 1; i <= 5; i++) rec.record(pod, 'Normal', 'Created', `created ${i}`);
      // The oldest waiting events gave way (the one being written stays).
      assert.ok(lines.some((l) => l.level === 'warn' && /queue full/.test(l.msg)));
      // A flush with a deadline returns while the server is still away.
      await rec.flush(300);
      assert.equal(await Promise.race([rec.flush(), Promise.resolve('pending')]), 'pending');
    } finally {
      await fx.restart();
    }
    await rec.flush();
    const messages = (await eventsOf(pod)).map((e) => e.message).sort();
    assert.deepEqual(messages, ['created 1', 'created 4', 'created 5']);
  });

  test('an event the server refuses is dropped with a log line; flush still resolves', async () => {
    const { log, lines } = recordingLogger();
    const rec = new EventRecorder({ client, source: SOURCE, log });
    const ghost: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ghost', namespace: 'no-such-namespace', uid: 'u-ghost' },
      spec: { containers: [] },
    };
    rec.record(ghost, 'Warning', 'Failed', 'nothing to see');
    await rec.flush();
    const line = lines.find((l) => /did not accept/.test(l.msg));
    assert.equal(line?.level, 'warn');
  });

  test('a Node event goes to the default namespace with the node name as UID; kubectl describe node lists it', async () => {
    const node = await client.create<KubeObject>(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-ev' },
    });
    const rec = new EventRecorder({ client, source: SOURCE });
    rec.record(node, 'Normal', 'NodeReady', 'Node node-ev status is now: NodeReady');
    await rec.flush();
    const list = await client.list<Event>(EVENTS, {
      namespace: 'default',
      fieldSelector: 'involvedObject.kind=Node',
    });
    const e = list.items.find((x) => x.involvedObject.name === 'node-ev');
    assert.deepEqual(e?.involvedObject, {
      kind: 'Node',
      name: 'node-ev',
      uid: 'node-ev',
      apiVersion: 'v1',
      resourceVersion: node.metadata.resourceVersion,
    });
    const out = await kubectl(['describe', 'node', 'node-ev'], writeKubeconfig(fx), fx.dir);
    assert.match(
      out,
      /^\s+Normal\s+NodeReady\s+\S+\s+kubelet\s+Node node-ev status is now: NodeReady$/m,
    );
  });

  test('kubectl describe pod lists the events: type, reason, age and count, from, message', async () => {
    const pod = await newPod();
    let now = Date.now() - 120_000;
    const rec = new EventRecorder({ client, source: SOURCE, now: () => now });
    rec.record(
      pod,
      'Normal',
      'Pulled',
      'Container image "skiff/echo:1" already present on machine',
      'spec.containers{app}',
    );
    rec.record(
      pod,
      'Warning',
      'BackOff',
      'Back-off restarting failed container app in pod web',
      'spec.containers{app}',
    );
    await rec.flush();
    now += 60_000;
    rec.record(
      pod,
      'Warning',
      'BackOff',
      'Back-off restarting failed container app in pod web',
      'spec.containers{app}',
    );
    await rec.flush();

    const kubeconfig = writeKubeconfig(fx);
    const out = await kubectl(
      ['describe', 'pod', 'web', '-n', pod.metadata.namespace ?? ''],
      kubeconfig,
      fx.dir,
    );
    assert.match(out, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message$/m);
    assert.match(
      out,
      /^\s+Normal\s+Pulled\s+2m\d*s?\s+kubelet\s+Container image "skiff\/echo:1" already present on machine$/m,
    );
    assert.match(
      out,
      /^\s+Warning\s+BackOff\s+\d+s \(x2 over 2m\d*s?\)\s+kubelet\s+Back-off restarting failed container app in pod web$/m,
    );
  });
});

/** A kubeconfig for the fixture's server, in its temp dir. */
function writeKubeconfig(fx: ApiFixture): string {
  const path = join(fx.dir, 'kubeconfig');
  writeFileSync(path, kubeconfigFor(fx.url));
  return path;
}

function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: t\n  cluster:\n    server: ${server}`,
    'users:',
    '- name: t\n  user: {}',
    'contexts:',
    '- name: t\n  context:\n    cluster: t\n    user: t',
    'current-context: t',
    '',
  ].join('\n');
}

function kubectl(args: string[], kubeconfig: string, dir: string): Promise<string> {
  const argv = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubectl-cache'), ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      argv,
      { timeout: 60_000, env: { ...process.env, TMPDIR: dir } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}
