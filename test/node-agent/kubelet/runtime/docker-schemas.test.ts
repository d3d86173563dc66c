// Docker answers as engine 20.10 (API 1.41) and 28 (API 1.48) send them pass
// the shape checks unchanged; wrong ones are rejected naming the call and
// the offending field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContainerInspect,
  ContainerList,
  EngineEvent,
  EngineVersion,
  ExecInspect,
  ImageInspect,
  NetworkInspect,
  PullLine,
  checkDocker,
  type Shape,
} from '../../../../node-agent/kubelet/runtime/docker-schemas.ts';

const ZERO = '0001-01-01T00:00:00Z';
const IMAGE_ID = `sha256:${'b'.repeat(64)}`;
const LABELS = { 'io.skiff.pod.uid': 'u-1', 'io.skiff.container.name': 'app' };

/** GET /containers/{id}/json from 20.10: Labels null, no Networks under container:… mode. */
const inspect2010 = {
  Id: 'c0ffee',
  Created: '2025-01-01T00:00:00.123456789Z',
  Path: 'sh',
  Args: ['-c', 'sleep 1'],
  Image: IMAGE_ID,
  State: {
    Status: 'running',
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 4242,
    ExitCode: 0,
    Error: '',
    StartedAt: '2025-01-01T00:00:01.5Z',
    FinishedAt: ZERO,
  },
  Config: { Hostname: 'c0ffee', Image: 'skiff/echo:1', Labels: null, Tty: false, Env: null },
  HostConfig: { NetworkMode: 'container:sb', RestartPolicy: { Name: '', MaximumRetryCount: 0 } },
  NetworkSettings: { Bridge: '', SandboxID: '', Ports: {} },
  Mounts: [],
};

/** The same call from 28: labels set, Networks present, fields 20.10 lacked. */
const inspect28 = {
  ...inspect2010,
  ImageManifestDescriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  State: {
    ...inspect2010.State,
    Status: 'exited',
    Running: false,
    ExitCode: 137,
    Error: undefined,
  },
  Config: { Image: 'skiff/echo:1', Labels: LABELS },
  NetworkSettings: {
    Networks: { 'skiff-pods': { IPAddress: '10.244.1.9', NetworkID: 'n1', MacAddress: '' } },
  },
};

const listEntry2010 = {
  Id: 'sb1',
  Names: ['/k8s_POD_web'],
  Image: 'skiff/pause:1',
  ImageID: IMAGE_ID,
  Command: '/pause',
  Created: 1735689600,
  Ports: [],
  Labels: LABELS,
  State: 'running',
  Status: 'Up 2 minutes',
  HostConfig: { NetworkMode: 'skiff-pods' },
  NetworkSettings: { Networks: { 'skiff-pods': { IPAddress: '10.244.1.9', Gateway: '' } } },
  Mounts: [],
};
const listEntry28 = {
  ...listEntry2010,
  Id: 'c1',
  ImageManifestDescriptor: { digest: 'sha256:cc' },
  Labels: {},
  HostConfig: { NetworkMode: 'container:sb1', Annotations: { a: 'b' } },
  NetworkSettings: { Networks: {} },
};

const version2010 = {
  Platform: { Name: '' },
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
  MinAPIVersion: '1.12',
  Os: 'linux',
};
const version28 = {
  Platform: { Name: 'Docker Engine - Community' },
  Components: [{ Name: 'Engine', Version: '28.3.0', Details: {} }],
  Version: '28.3.0',
  ApiVersion: '1.48',
  MinAPIVersion: '1.24',
};

const network2010 = {
  Name: 'skiff-pods',
  Id: 'n1',
  Driver: 'bridge',
  IPAM: {
    Driver: 'default',
    Options: null,
    Config: [{ Subnet: '10.244.1.0/24', Gateway: '10.244.1.1' }],
  },
  Options: {},
  Labels: {},
};

const event2010 = {
  status: 'die',
  id: 'c1',
  from: 'skiff/echo:1',
  Type: 'container',
  Action: 'die',
  Actor: { ID: 'c1', Attributes: { ...LABELS, exitCode: '4', image: 'skiff/echo:1' } },
  scope: 'local',
  time: 1735689600,
  timeNano: 1735689600123456789,
};

interface Case {
  name: string;
  shape: Shape<unknown>;
  value: unknown;
  /** The problem expected after "unexpected Docker answer to WHAT: ", or none. */
  problem?: string;
}

const WHAT = 'GET /containers/x/json';

const cases: Case[] = [
  // Accepted, as engines send them.
  { name: 'inspect 20.10 (Labels null)', shape: ContainerInspect, value: inspect2010 },
  { name: 'inspect 28', shape: ContainerInspect, value: inspect28 },
  {
    name: 'inspect without HostConfig and NetworkSettings',
    shape: ContainerInspect,
    value: { ...inspect2010, HostConfig: undefined, NetworkSettings: undefined },
  },
  {
    name: 'inspect with Networks null',
    shape: ContainerInspect,
    value: { ...inspect2010, NetworkSettings: { Networks: null } },
  },
  { name: 'list 20.10 and 28', shape: ContainerList, value: [listEntry2010, listEntry28] },
  { name: 'empty list', shape: ContainerList, value: [] },
  {
    name: 'list entry with Labels null, no HostConfig',
    shape: ContainerList,
    value: [{ Id: 'o', Image: 'x', ImageID: 'y', Created: 1, State: 'created', Labels: null }],
  },
  {
    name: 'image pulled (digests) and loaded (digests null)',
    shape: ImageInspect,
    value: { Id: IMAGE_ID, RepoDigests: null, RepoTags: ['skiff/echo:1'], Size: 1 },
  },
  { name: 'image with neither list', shape: ImageInspect, value: { Id: IMAGE_ID } },
  { name: 'version 20.10', shape: EngineVersion, value: version2010 },
  { name: 'version 28', shape: EngineVersion, value: version28 },
  { name: 'network 20.10', shape: NetworkInspect, value: network2010 },
  {
    name: 'network with IPAM.Config null',
    shape: NetworkInspect,
    value: { ...network2010, IPAM: { Driver: 'default', Config: null } },
  },
  { name: 'event 20.10 (legacy status/id/from)', shape: EngineEvent, value: event2010 },
  {
    name: 'event 28 without Attributes or time',
    shape: EngineEvent,
    value: { Type: 'network', Action: 'connect', Actor: { ID: 'n1' }, scope: 'local' },
  },
  {
    name: 'pull progress line',
    shape: PullLine,
    value: {
      status: 'Downloading',
      progressDetail: { current: 1, total: 2 },
      progress: '[=>]',
      id: 'a',
    },
  },
  {
    name: 'pull error line',
    shape: PullLine,
    value: { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' },
  },
  { name: 'exec running', shape: ExecInspect, value: { Running: true, ExitCode: null, Pid: 9 } },
  { name: 'exec done', shape: ExecInspect, value: { Running: false, ExitCode: 2 } },

  // Rejected, naming the field.
  {
    name: 'ExitCode not an integer',
    shape: ContainerInspect,
    value: { ...inspect2010, State: { ...inspect2010.State, ExitCode: 1.5 } },
    problem: 'State.ExitCode is not an integer (got 1.5)',
  },
  {
    name: 'ExitCode a string',
    shape: ContainerInspect,
    value: { ...inspect2010, State: { ...inspect2010.State, ExitCode: '0' } },
    problem: 'State.ExitCode is not an integer (got "0")',
  },
  {
    name: 'State missing',
    shape: ContainerInspect,
    value: { ...inspect2010, State: undefined },
    problem: 'State is missing',
  },
  {
    name: 'Labels a string',
    shape: ContainerInspect,
    value: { ...inspect2010, Config: { Image: 'i', Labels: 'a=b' } },
    problem: 'Config.Labels is not an object or null (got "a=b")',
  },
  {
    name: 'a label value not a string',
    shape: ContainerInspect,
    value: { ...inspect2010, Config: { Image: 'i', Labels: { 'io.skiff.pod.uid': 7 } } },
    problem: 'Config.Labels["io.skiff.pod.uid"] is not a string (got 7)',
  },
  {
    name: 'Networks an array',
    shape: ContainerInspect,
    value: { ...inspect2010, NetworkSettings: { Networks: [] } },
    problem: 'NetworkSettings.Networks is not an object or null (got an array)',
  },
  {
    name: 'a network IPAddress null',
    shape: ContainerInspect,
    value: { ...inspect2010, NetworkSettings: { Networks: { 'skiff-pods': { IPAddress: null } } } },
    problem: 'NetworkSettings.Networks["skiff-pods"].IPAddress is not a string (got null)',
  },
  {
    name: 'not an object',
    shape: ContainerInspect,
    value: 'oops',
    problem: 'the answer is not an object (got "oops")',
  },
  {
    name: 'null answer',
    shape: ContainerInspect,
    value: null,
    problem: 'the answer is not an object (got null)',
  },
  {
    name: 'list not an array',
    shape: ContainerList,
    value: { message: 'page not found' },
    problem: 'the answer is not an array (got an object)',
  },
  {
    name: 'second list entry without Id',
    shape: ContainerList,
    value: [listEntry2010, { ...listEntry28, Id: undefined }],
    problem: '[1].Id is missing',
  },
  {
    name: 'list Created as a date string',
    shape: ContainerList,
    value: [{ ...listEntry2010, Created: '2025-01-01' }],
    problem: '[0].Created is not a number (got "2025-01-01")',
  },
  {
    name: 'RepoDigests holding a number',
    shape: ImageInspect,
    value: { Id: IMAGE_ID, RepoDigests: ['a', 5] },
    problem: 'RepoDigests[1] is not a string (got 5)',
  },
  {
    name: 'version without ApiVersion',
    shape: EngineVersion,
    value: { Version: '28.3.0' },
    problem: 'ApiVersion is missing',
  },
  {
    name: 'IPAM Config entry with numeric Subnet',
    shape: NetworkInspect,
    value: { ...network2010, IPAM: { Config: [{ Subnet: 10 }] } },
    problem: 'IPAM.Config[0].Subnet is not a string (got 10)',
  },
  {
    name: 'event Actor without ID',
    shape: EngineEvent,
    value: { ...event2010, Actor: { Attributes: {} } },
    problem: 'Actor.ID is missing',
  },
  {
    name: 'pull errorDetail a string',
    shape: PullLine,
    value: { error: 'x', errorDetail: 'x' },
    problem: 'errorDetail is not an object (got "x")',
  },
  {
    name: 'exec ExitCode missing',
    shape: ExecInspect,
    value: { Running: false },
    problem: 'ExitCode is missing',
  },
];

for (const c of cases) {
  test(`checkDocker: ${c.name}`, () => {
    if (c.problem === undefined) {
      // Accepted answers come back as they are: the check copies nothing.
      assert.equal(checkDocker(c.shape, c.value, WHAT), c.value);
      return;
    }
    assert.throws(
      () => checkDocker(c.shape, c.value, WHAT),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        const prefix = `unexpected Docker answer to ${WHAT}: `;
        assert.ok(e.message.startsWith(prefix), e.message);
        assert.equal(e.message.slice(prefix.length).split('; ')[0], c.problem);
        return true;
      },
    );
  });
}

test('checkDocker: a long wrong value is cut to 40 characters', () => {
  const long = { Id: 'i', Name: 'n', IPAM: { Config: 'z'.repeat(100) } };
  assert.throws(() => checkDocker(NetworkInspect, long, 'GET /networks/n'), {
    message: new RegExp(`IPAM\\.Config is not an array or null \\(got "${'z'.repeat(39)}…\\)`),
  });
});

test('checkDocker: the error tells the operator which engine API versions the agent knows', () => {
  assert.throws(() => checkDocker(ExecInspect, {}, 'GET /exec/e/json'), {
    message: /this agent knows Docker API 1\.41 to 1\.48/,
  });
});
