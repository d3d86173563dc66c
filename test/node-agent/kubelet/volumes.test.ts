// The volume manager on real files in a temp dir. Mounts are recorded by a
// fake mounter, except one case that mounts a real tmpfs (the agent runs as
// root; so do these tests, see ENVIRONMENT.md).
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConfigMap, Secret, Volume } from '../../../control-plane/api/types.ts';
import { writePayload } from '../../../node-agent/kubelet/atomic-writer.ts';
import { checkHostPath } from '../../../node-agent/kubelet/host-path.ts';
import { ExecMounter, mountPoints, type Mounter } from '../../../node-agent/kubelet/mounter.ts';
import { podObjects } from '../../../node-agent/kubelet/pod-objects.ts';
import { isSyncError } from '../../../node-agent/kubelet/sync-error.ts';
import { configMapPayload, secretPayload } from '../../../node-agent/kubelet/volume-payload.ts';
import { MountError, VolumeManager } from '../../../node-agent/kubelet/volumes.ts';
import { container, pod } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'skiff-volumes-test-'));
after(async () => {
  await new ExecMounter().unmount(
    join(root, 'real', 'pods', 'tmpfs-pod', 'volumes', 'kubernetes.io~empty-dir', 'mem'),
  );
  await rm(root, { recursive: true, force: true });
});

class RecordingMounter implements Mounter {
  readonly mounted = new Map<string, number | undefined>();
  async mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
    this.mounted.set(dir, sizeBytes);
  }
  async unmount(dir: string): Promise<void> {
    this.mounted.delete(dir);
  }
  async isMountPoint(dir: string): Promise<boolean> {
    return this.mounted.has(dir);
  }
}

const cm = (data: Record<string, string>, binaryData?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg' },
  data,
  ...(binaryData ? { binaryData } : {}),
});
const secret: Secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds' },
  data: { token: Buffer.from('t0k3n').toString('base64') },
};
const addrs = { podIPs: ['10.244.1.7'], hostIPs: ['172.30.0.11'] };

const payloads: [
  string,
  () => Map<string, { data: Buffer; mode: number }>,
  Record<string, [string, number]> | string,
][] = [
  [
    'configMap: every key with the default mode',
    () => configMapPayload(undefined, cm({ a: '1', b: '2' }), 0o644),
    { a: ['1', 0o644], b: ['2', 0o644] },
  ],
  [
    'configMap: binaryData too',
    () =>
      configMapPayload(
        undefined,
        cm({ a: '1' }, { bin: Buffer.from([0, 1]).toString('base64') }),
        0o600,
      ),
    { a: ['1', 0o600], bin: ['\u0000\u0001', 0o600] },
  ],
  [
    'configMap: items pick keys, paths and modes',
    () => configMapPayload([{ key: 'a', path: 'conf/a.txt', mode: 0o400 }], cm({ a: '1', b: '2' })),
    { 'conf/a.txt': ['1', 0o400] },
  ],
  [
    'configMap: a missing item key',
    () => configMapPayload([{ key: 'zz', path: 'z' }], cm({ a: '1' })),
    'configmap references non-existent config key: zz',
  ],
  [
    'configMap: a missing optional item key is skipped',
    () => configMapPayload([{ key: 'zz', path: 'z' }], cm({ a: '1' }), 0o644, true),
    {},
  ],
  [
    'configMap: an item path escaping the volume',
    () => configMapPayload([{ key: 'a', path: '../x' }], cm({ a: '1' })),
    'invalid path "../x": must be relative, without ".." or empty elements',
  ],
  ['secret: base64 decoded', () => secretPayload(undefined, secret), { token: ['t0k3n', 0o644] }],
  [
    'secret: a missing item key',
    () => secretPayload([{ key: 'pw', path: 'pw' }], secret),
    'references non-existent secret key: pw',
  ],
];

for (const [name, make, want] of payloads) {
  test(`payload: ${name}`, () => {
    if (typeof want === 'string') {
      assert.throws(make, { message: want });
      return;
    }
    const got = Object.fromEntries(
      [...make()].map(([k, v]) => [k, [v.data.toString('latin1'), v.mode]]),
    );
    assert.deepEqual(got, want);
  });
}

test('the atomic writer swaps ..data, links top-level names and removes stale ones', async () => {
  const dir = join(root, 'atomic');
  const first = configMapPayload(undefined, cm({ a: '1', b: '2' }));
  assert.equal(await writePayload(dir, first), true);
  const target1 = readlinkSync(join(dir, '..data'));
  assert.equal(readlinkSync(join(dir, 'a')), join('..data', 'a'));
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o644);

  assert.equal(await writePayload(dir, first), false, 'same content: nothing written');
  assert.equal(readlinkSync(join(dir, '..data')), target1);

  const second = configMapPayload([{ key: 'a', path: 'sub/a', mode: 0o600 }], cm({ a: 'changed' }));
  assert.equal(await writePayload(dir, second), true);
  assert.notEqual(readlinkSync(join(dir, '..data')), target1);
  assert.equal(existsSync(join(dir, target1)), false, 'the old generation is removed');
  assert.equal(readFileSync(join(dir, 'sub', 'a'), 'utf8'), 'changed');
  assert.equal(statSync(join(dir, 'sub', 'a')).mode & 0o777, 0o600);
  assert.equal(existsSync(join(dir, 'a')), false, 'a name no longer in the payload is unlinked');
  assert.equal(existsSync(join(dir, 'b')), false);
  assert.deepEqual(
    readdirSync(dir).filter((n) => !n.startsWith('..')),
    ['sub'],
  );
});

test('hostPath types are checked (and created) as the kubelet does', async () => {
  const base = join(root, 'hostpath');
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'file'), 'x');
  await checkHostPath(join(base, 'newdir'), 'DirectoryOrCreate');
  assert.ok(statSync(join(base, 'newdir')).isDirectory());
  await checkHostPath(join(base, 'newfile'), 'FileOrCreate');
  assert.ok(statSync(join(base, 'newfile')).isFile());
  await checkHostPath(join(base, 'file'), 'File');
  await checkHostPath(base, 'Directory');
  await checkHostPath(join(base, 'anything'), '');
  await checkHostPath('/dev/null', 'CharDevice');
  const cases: [string, string, string][] = [
    [
      join(base, 'file'),
      'Directory',
      `hostPath type check failed: ${join(base, 'file')} is not a directory`,
    ],
    [
      join(base, 'file'),
      'DirectoryOrCreate',
      `hostPath type check failed: ${join(base, 'file')} is not a directory`,
    ],
    [
      join(base, 'missing'),
      'Directory',
      `hostPath type check failed: ${join(base, 'missing')} is not a directory`,
    ],
    [base, 'File', `hostPath type check failed: ${base} is not a file`],
    [
      join(base, 'file'),
      'Socket',
      `hostPath type check failed: ${join(base, 'file')} is not a socket file`,
    ],
    [
      join(base, 'file'),
      'BlockDevice',
      `hostPath type check failed: ${join(base, 'file')} is not a block device`,
    ],
    [join(base, 'file'), 'Bogus', 'Bogus is an invalid volume type'],
    ['relative/path', '', 'invalid HostPath `relative/path`: must be absolute'],
  ];
  for (const [path, type, message] of cases) {
    await assert.rejects(checkHostPath(path, type), { message }, `${path} ${type}`);
  }
  await assert.rejects(checkHostPath(join(base, 'no', 'parent'), 'FileOrCreate'), /ENOENT/);
});

test('setUpPod prepares every kind of volume and mountsFor maps volumeMounts', async () => {
  const mounter = new RecordingMounter();
  const vm = new VolumeManager({ dataDir: join(root, 'data'), mounter });
  const host = join(root, 'host-data');
  mkdirSync(host, { recursive: true });
  const volumes: Volume[] = [
    { name: 'scratch', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    { name: 'host', hostPath: { path: host, type: 'Directory' } },
    { name: 'config', configMap: { name: 'cfg', defaultMode: 0o644 } },
    { name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } },
    {
      name: 'info',
      downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] },
    },
    {
      name: 'all',
      projected: {
        sources: [
          { configMap: { name: 'cfg', items: [{ key: 'a', path: 'cfg-a' }] } },
          { secret: { name: 'creds' } },
          { downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } },
        ],
      },
    },
  ];
  const app = container('app', {
    volumeMounts: [
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'mem', mountPath: '/mem', readOnly: true },
      { name: 'host', mountPath: '/host', subPath: 'sub/dir' },
      { name: 'config', mountPath: '/etc/cfg' },
      { name: 'config', mountPath: '/etc/a.conf', subPath: 'a' },
      { name: 'creds', mountPath: '/run/creds' },
    ],
  });
  const p = pod('vols', [app], { volumes }, { uid: 'vol-pod' });
  const objects = podObjects([cm({ a: '1' })], [secret]);
  const prepared = await vm.setUpPod(p, { ...addrs, objects });
  const dir = (plugin: string, name: string) =>
    join(root, 'data', 'pods', 'vol-pod', 'volumes', `kubernetes.io~${plugin}`, name);

  assert.equal(statSync(dir('empty-dir', 'scratch')).mode & 0o777, 0o777);
  assert.deepEqual(
    [...mounter.mounted],
    [
      [dir('empty-dir', 'mem'), 16 * 1024 * 1024],
      [dir('secret', 'creds'), undefined],
    ],
  );
  assert.equal(readFileSync(join(dir('configmap', 'config'), 'a'), 'utf8'), '1');
  assert.equal(readFileSync(join(dir('secret', 'creds'), 'token'), 'utf8'), 't0k3n');
  assert.equal(statSync(join(dir('secret', 'creds'), 'token')).mode & 0o777, 0o400);
  assert.equal(readFileSync(join(dir('downward-api', 'info'), 'name'), 'utf8'), 'vols');
  assert.deepEqual(
    ['cfg-a', 'token', 'ip'].map((f) => readFileSync(join(dir('projected', 'all'), f), 'utf8')),
    ['1', 't0k3n', '10.244.1.7'],
  );

  const mounts = await vm.mountsFor(app, prepared);
  assert.deepEqual(mounts, [
    { hostPath: dir('empty-dir', 'scratch'), containerPath: '/scratch', readOnly: false },
    { hostPath: dir('empty-dir', 'mem'), containerPath: '/mem', readOnly: true },
    { hostPath: join(host, 'sub', 'dir'), containerPath: '/host', readOnly: false },
    { hostPath: dir('configmap', 'config'), containerPath: '/etc/cfg', readOnly: true },
    {
      hostPath: join(
        dir('configmap', 'config'),
        readlinkSync(join(dir('configmap', 'config'), '..data')),
        'a',
      ),
      containerPath: '/etc/a.conf',
      readOnly: true,
    },
    { hostPath: dir('secret', 'creds'), containerPath: '/run/creds', readOnly: true },
  ]);
  assert.ok(statSync(join(host, 'sub', 'dir')).isDirectory(), 'subPath dirs are created');

  // An update of the ConfigMap reaches the volume on the next setUp.
  await vm.setUpPod(p, { ...addrs, objects: podObjects([cm({ a: '2' })], [secret]) });
  assert.equal(readFileSync(join(dir('configmap', 'config'), 'a'), 'utf8'), '2');

  assert.deepEqual(await vm.podsOnDisk(), ['vol-pod']);
  await vm.tearDownPod('vol-pod');
  assert.equal(existsSync(vm.podDir('vol-pod')), false);
  assert.equal(mounter.mounted.size, 0, 'tmpfs volumes were unmounted');
  await vm.tearDownPod('vol-pod');
});

const failures: [string, Volume, string][] = [
  [
    'a missing configMap',
    { name: 'c', configMap: { name: 'nope' } },
    'MountVolume.SetUp failed for volume "c" : configmap "nope" not found',
  ],
  [
    'a missing secret',
    { name: 's', secret: { secretName: 'nope' } },
    'MountVolume.SetUp failed for volume "s" : secret "nope" not found',
  ],
  [
    'a missing key',
    { name: 'c', configMap: { name: 'cfg', items: [{ key: 'x', path: 'x' }] } },
    'MountVolume.SetUp failed for volume "c" : configmap references non-existent config key: x',
  ],
  [
    'a hostPath of the wrong type',
    { name: 'h', hostPath: { path: '/dev/null', type: 'Directory' } },
    'MountVolume.SetUp failed for volume "h" : hostPath type check failed: /dev/null is not a directory',
  ],
  [
    'an unsupported type',
    { name: 'p', persistentVolumeClaim: { claimName: 'x' } },
    'MountVolume.SetUp failed for volume "p" : volume type "persistentVolumeClaim" is not supported by skiff yet',
  ],
];

for (const [name, volume, message] of failures) {
  test(`setUpPod fails like FailedMount for ${name}`, async () => {
    const vm = new VolumeManager({ dataDir: join(root, 'fail'), mounter: new RecordingMounter() });
    const p = pod('f', [container('app')], { volumes: [volume] });
    await assert.rejects(
      vm.setUpPod(p, { ...addrs, objects: podObjects([cm({ a: '1' })]) }),
      (err: unknown) => {
        assert.ok(err instanceof MountError);
        assert.equal(err.message, message);
        assert.equal(err.volume, volume.name);
        return true;
      },
    );
  });
}

test('optional missing objects give empty volumes', async () => {
  const vm = new VolumeManager({
    dataDir: join(root, 'optional'),
    mounter: new RecordingMounter(),
  });
  const p = pod('o', [container('app')], {
    volumes: [{ name: 'c', configMap: { name: 'nope', optional: true } }],
  });
  const prepared = await vm.setUpPod(p, { ...addrs, objects: podObjects() });
  const dir = prepared.get('c')?.hostPath ?? '';
  assert.deepEqual(
    readdirSync(dir).filter((n) => !n.startsWith('..')),
    [],
  );
});

test('subPath may not escape its volume, not even through a symlink', async () => {
  const vm = new VolumeManager({ dataDir: join(root, 'escape'), mounter: new RecordingMounter() });
  const p = pod('e', [container('app')], { volumes: [{ name: 'v', emptyDir: {} }] });
  const prepared = await vm.setUpPod(p, { ...addrs, objects: podObjects() });
  const volDir = prepared.get('v')?.hostPath ?? '';
  symlinkSync('/etc', join(volDir, 'evil'));
  assert.ok(lstatSync(join(volDir, 'evil')).isSymbolicLink());
  for (const [subPath, why] of [
    ['evil', /subPath escapes the volume \(\/etc\)/],
    ['../x', /invalid path "\.\.\/x"/],
    ['/abs', /invalid path "\/abs"/],
  ] as const) {
    const c = container('app', { volumeMounts: [{ name: 'v', mountPath: '/m', subPath }] });
    await assert.rejects(vm.mountsFor(c, prepared), (err: unknown) => {
      assert.ok(isSyncError(err, 'CreateContainerConfigError'));
      assert.match(
        err.message,
        /^failed to prepare subPath for volumeMount "v" of container "app": /,
      );
      assert.match(err.message, why);
      return true;
    });
  }
  const unknown = container('app', { volumeMounts: [{ name: 'nope', mountPath: '/m' }] });
  await assert.rejects(vm.mountsFor(unknown, prepared), /cannot find volume "nope"/);
});

test('a Memory emptyDir is a real tmpfs shared by the pod, unmounted on teardown', async () => {
  const mounter = new ExecMounter();
  const vm = new VolumeManager({ dataDir: join(root, 'real'), mounter });
  const p = pod(
    't',
    [container('app')],
    { volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }] },
    { uid: 'tmpfs-pod' },
  );
  const prepared = await vm.setUpPod(p, { ...addrs, objects: podObjects() });
  const dir = prepared.get('mem')?.hostPath ?? '';
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === dir);
  assert.ok(line, 'mounted');
  assert.match(line, / - tmpfs tmpfs .*size=8192k/);
  await vm.setUpPod(p, { ...addrs, objects: podObjects() }); // idempotent: no second mount
  assert.equal(
    mountPoints(readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => m === dir).length,
    1,
  );
  await vm.tearDownPod('tmpfs-pod');
  assert.equal(await mounter.isMountPoint(dir), false);
  assert.equal(existsSync(dir), false);
});

test('mountPoints decodes octal escapes of mountinfo', () => {
  const info =
    '36 35 98:0 /mnt1 /mnt\\040with\\040space rw - ext3 /dev/root rw\n37 35 0:1 / /proc rw - proc proc rw\n';
  assert.deepEqual(mountPoints(info), ['/mnt with space', '/proc']);
});
