// Docker inspect/list/event answers (fixtures shaped like engine 20.10's)
// → the runtime's observed types, through the schemas first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContainerInspect,
  ContainerList,
  EngineEvent,
  checkDocker,
} from '../../../../node-agent/kubelet/runtime/docker-schemas.ts';
import {
  dockerTime,
  fromEngineEvent,
  fromListEntry,
  imageRefOf,
  statusFromInspect,
} from '../../../../node-agent/kubelet/runtime/docker-status.ts';

const ZERO = '0001-01-01T00:00:00Z';
const IMAGE_ID = `sha256:${'b'.repeat(64)}`;
const LABELS = {
  'io.skiff.pod.uid': 'u-1',
  'io.skiff.pod.namespace': 'default',
  'io.skiff.pod.name': 'web',
  'io.skiff.container.name': 'app',
  'io.skiff.container.attempt': '3',
  'io.skiff.node.name': 'n1',
  'io.skiff.container.hash': 'abcd',
  'io.skiff.container.hash-version': '1',
};

function inspect(state: Record<string, unknown>, labels: Record<string, string> | null = LABELS) {
  return {
    Id: 'c0ffee',
    Created: '2025-01-01T00:00:00.123456789Z',
    Image: IMAGE_ID,
    State: {
      Status: 'exited',
      Running: false,
      OOMKilled: false,
      ExitCode: 0,
      Error: '',
      StartedAt: ZERO,
      FinishedAt: ZERO,
      ...state,
    },
    Config: { Image: 'skiff/echo:1', Labels: labels, Tty: false },
    HostConfig: { NetworkMode: 'container:sb' },
    NetworkSettings: { Networks: {} },
  };
}

const T1 = '2025-01-01T00:00:01.5Z';
const T2 = '2025-01-01T00:00:09.25Z';

interface StateCase {
  name: string;
  state: Record<string, unknown>;
  want: Record<string, unknown>;
}

const states: StateCase[] = [
  {
    name: 'running',
    state: { Status: 'running', Running: true, StartedAt: T1 },
    want: { state: 'running', startedAt: Date.parse(T1) },
  },
  {
    name: 'exited 0 → Completed',
    state: { StartedAt: T1, FinishedAt: T2 },
    want: {
      state: 'exited',
      exitCode: 0,
      reason: 'Completed',
      startedAt: Date.parse(T1),
      finishedAt: Date.parse(T2),
    },
  },
  {
    name: 'exited 1 → Error',
    state: { ExitCode: 1, StartedAt: T1, FinishedAt: T2 },
    want: { state: 'exited', exitCode: 1, reason: 'Error' },
  },
  {
    name: 'OOM-killed with exit code 0 is still OOMKilled',
    state: { OOMKilled: true, ExitCode: 0, StartedAt: T1, FinishedAt: T2 },
    want: { state: 'exited', exitCode: 0, reason: 'OOMKilled' },
  },
  {
    name: 'OOM-killed 137',
    state: { OOMKilled: true, ExitCode: 137, StartedAt: T1, FinishedAt: T2 },
    want: { state: 'exited', exitCode: 137, reason: 'OOMKilled' },
  },
  {
    name: 'never started with a non-zero code → ContainerCannotRun at creation time',
    state: { Status: 'created', ExitCode: 127, Error: 'exec: "/x": no such file or directory' },
    want: {
      state: 'exited',
      exitCode: 127,
      reason: 'ContainerCannotRun',
      message: 'exec: "/x": no such file or directory',
      startedAt: Date.parse('2025-01-01T00:00:00.123Z'),
      finishedAt: Date.parse('2025-01-01T00:00:00.123Z'),
    },
  },
  {
    name: 'created, not started',
    state: { Status: 'created' },
    want: { state: 'created', exitCode: undefined, reason: undefined },
  },
];

for (const tc of states) {
  test(`statusFromInspect: ${tc.name}`, () => {
    const info = checkDocker(ContainerInspect, inspect(tc.state), 'test');
    const s = statusFromInspect(info, 'docker://x');
    assert.ok(s);
    for (const [k, v] of Object.entries(tc.want)) {
      assert.deepEqual((s as unknown as Record<string, unknown>)[k], v, k);
    }
    assert.equal(s.containerName, 'app');
    assert.equal(s.attempt, 3);
    assert.equal(s.image, 'skiff/echo:1');
    assert.equal(s.imageId, IMAGE_ID);
  });
}

test('a container without skiff labels (or null labels) is not ours', () => {
  for (const labels of [null, {}, { ...LABELS, 'io.skiff.container.attempt': 'x' }]) {
    const info = checkDocker(ContainerInspect, inspect({}, labels), 'test');
    assert.equal(statusFromInspect(info, 'docker://x'), undefined);
  }
});

test('an answer missing a field the adapter reads is rejected with its path', () => {
  const bad = inspect({});
  delete (bad.State as Record<string, unknown>).ExitCode;
  assert.throws(
    () => checkDocker(ContainerInspect, bad, 'GET /containers/c0ffee/json'),
    /unexpected Docker answer to GET \/containers\/c0ffee\/json: State\.ExitCode is missing/,
  );
  assert.throws(() => checkDocker(ContainerInspect, 'oops', 'x'), /unexpected Docker answer to x/);
});

test('dockerTime: zero time and garbage are undefined; nanoseconds parse', () => {
  assert.equal(dockerTime(ZERO), undefined);
  assert.equal(dockerTime(''), undefined);
  assert.equal(dockerTime('yesterday'), undefined);
  assert.equal(
    dockerTime('2025-01-01T00:00:00.999999999Z'),
    Date.parse('2025-01-01T00:00:00.999Z'),
  );
});

test('imageRefOf: pulled images by digest, loaded ones by ID', () => {
  assert.equal(
    imageRefOf(IMAGE_ID, { Id: IMAGE_ID, RepoDigests: ['reg:5000/echo@sha256:cc'], RepoTags: [] }),
    'docker-pullable://reg:5000/echo@sha256:cc',
  );
  assert.equal(imageRefOf(IMAGE_ID, { Id: IMAGE_ID, RepoDigests: null }), `docker://${IMAGE_ID}`);
  assert.equal(imageRefOf(IMAGE_ID, undefined), `docker://${IMAGE_ID}`);
});

test('list entries become sandboxes (with their IP on the pod network) and containers', () => {
  const list = checkDocker(
    ContainerList,
    [
      {
        Id: 'sb1',
        Image: 'skiff/pause:1',
        ImageID: IMAGE_ID,
        Created: 1735689600,
        State: 'running',
        Labels: { ...LABELS, 'io.skiff.container.name': 'POD', 'io.skiff.container.attempt': '0' },
        HostConfig: { NetworkMode: 'skiff-pods' },
        NetworkSettings: { Networks: { 'skiff-pods': { IPAddress: '10.244.1.9' } } },
      },
      {
        Id: 'c1',
        Image: 'skiff/echo:1',
        ImageID: IMAGE_ID,
        Created: 1735689601,
        State: 'exited',
        Labels: LABELS,
        HostConfig: { NetworkMode: 'container:sb1' },
        NetworkSettings: { Networks: {} },
      },
      { Id: 'other', Image: 'x', ImageID: 'y', Created: 1, State: 'running', Labels: null },
    ],
    'test',
  );
  const [sb, c, other] = list.map(fromListEntry);
  assert.ok(sb && 'sandbox' in sb);
  assert.deepEqual(
    [sb.sandbox.id, sb.sandbox.state, sb.sandbox.ip, sb.sandbox.network, sb.sandbox.createdAt],
    ['sb1', 'ready', '10.244.1.9', 'skiff-pods', 1735689600_000],
  );
  assert.ok(c && 'container' in c);
  assert.deepEqual([c.container.id, c.container.state, c.container.attempt], ['c1', 'exited', 3]);
  assert.equal(other, undefined);
});

test('engine events carry the action, container identity and exit code', () => {
  const die = fromEngineEvent(
    checkDocker(
      EngineEvent,
      {
        Type: 'container',
        Action: 'die',
        Actor: { ID: 'c1', Attributes: { ...LABELS, exitCode: '4', image: 'skiff/echo:1' } },
        time: 1735689600,
        timeNano: 1735689600123456789,
      },
      'test',
    ),
  );
  assert.equal(die?.action, 'die');
  assert.equal(die?.containerId, 'c1');
  assert.equal(die?.exitCode, 4);
  assert.equal(die?.podUid, 'u-1');
  assert.equal(die?.containerName, 'app');
  assert.equal(Math.floor((die?.time ?? 0) / 1000), 1735689600);
  const exec = fromEngineEvent(
    checkDocker(
      EngineEvent,
      { Type: 'container', Action: 'exec_start: sh -c true', Actor: { ID: 'c1' }, time: 1 },
      'test',
    ),
  );
  assert.equal(exec?.action, 'exec_start');
  assert.equal(exec?.time, 1000);
  const network = fromEngineEvent(
    checkDocker(EngineEvent, { Type: 'network', Action: 'connect', Actor: { ID: 'n' } }, 'test'),
  );
  assert.equal(network, undefined);
});
