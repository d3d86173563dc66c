import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../../../../control-plane/api/types.ts';
import { HASH_VERSION, hashContainer } from '../../../../node-agent/kubelet/container-hash.ts';
import {
  containerCreateOptions,
  containerResources,
  cpuQuota,
  cpuShares,
  podHostname,
  sandboxCreateOptions,
} from '../../../../node-agent/kubelet/runtime/container-config.ts';
import { parseContainerLabels } from '../../../../node-agent/kubelet/runtime/labels.ts';
import { container, pod } from '../fixtures.ts';

const shares: [number, number][] = [
  [0, 2],
  [1, 2],
  [100, 102],
  [250, 256],
  [1000, 1024],
  [1500, 1536],
  [1_000_000, 262_144],
];
for (const [milli, want] of shares) {
  test(`cpuShares(${milli}m) = ${want}`, () => assert.equal(cpuShares(milli), want));
}

const quotas: [number, number][] = [
  [0, 0],
  [5, 1000],
  [100, 10_000],
  [500, 50_000],
  [2000, 200_000],
];
for (const [milli, want] of quotas) {
  test(`cpuQuota(${milli}m) = ${want}`, () => assert.equal(cpuQuota(milli), want));
}

const resources: [string, Container['resources'], Record<string, number>][] = [
  ['nothing set: minimum shares only', undefined, { CpuShares: 2 }],
  [
    'requests and limits',
    { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
    {
      CpuShares: 256,
      CpuQuota: 100_000,
      CpuPeriod: 100_000,
      Memory: 134_217_728,
      MemorySwap: 134_217_728,
    },
  ],
  [
    'a limit without a request requests the limit',
    { limits: { cpu: '0.5' } },
    { CpuShares: 512, CpuQuota: 50_000, CpuPeriod: 100_000 },
  ],
  ['fractional millicores round up', { requests: { cpu: '0.0001' } }, { CpuShares: 2 }],
  ['decimal memory', { limits: { memory: '1G' } }, { CpuShares: 2, Memory: 1e9, MemorySwap: 1e9 }],
];
for (const [name, r, want] of resources) {
  test(`containerResources: ${name}`, () => {
    assert.deepEqual(containerResources(container('app', r ? { resources: r } : {})), want);
  });
}

test('an app container joins the sandbox and carries command, args, env, user and mounts', () => {
  const c = container('app', {
    command: ['/bin/server', '--port=$(PORT)'],
    args: ['--name', '$(POD_NAME)', '$$(KEEP)'],
    workingDir: '/srv',
    ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }],
    securityContext: {
      runAsUser: 1000,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    resources: { limits: { memory: '64Mi' } },
  });
  const p = pod('web', [c], { securityContext: { runAsGroup: 3000, fsGroup: 2000 } });
  const opts = containerCreateOptions({
    pod: p,
    container: c,
    sandboxId: 'sb123',
    attempt: 2,
    nodeName: 'n1',
    config: {
      image: 'skiff/echo:1',
      env: [
        { name: 'PORT', value: '8080' },
        { name: 'POD_NAME', value: 'web' },
      ],
      mounts: [
        { hostPath: '/var/lib/skiff/pods/u/volumes/x', containerPath: '/data', readOnly: false },
        { hostPath: '/etc/cfg', containerPath: '/cfg', readOnly: true },
      ],
    },
  });
  const uid8 = (p.metadata.uid ?? '').replace(/-/g, '').slice(0, 8);
  assert.equal(opts.name, `skiff_app_web_default_${uid8}_2`);
  assert.equal(opts.Image, 'skiff/echo:1');
  assert.deepEqual(opts.Entrypoint, ['/bin/server', '--port=8080']);
  assert.deepEqual(opts.Cmd, ['--name', 'web', '$(KEEP)']);
  assert.deepEqual(opts.Env, ['PORT=8080', 'POD_NAME=web']);
  assert.equal(opts.WorkingDir, '/srv');
  assert.equal(opts.User, '1000:3000');
  // Docker refuses exposed ports on a container that joins another's network.
  assert.equal(opts.ExposedPorts, undefined);
  const hc = opts.HostConfig ?? {};
  assert.equal(hc.NetworkMode, 'container:sb123');
  assert.equal(hc.IpcMode, 'container:sb123');
  assert.equal(hc.PidMode, undefined);
  assert.deepEqual(hc.Binds, ['/var/lib/skiff/pods/u/volumes/x:/data', '/etc/cfg:/cfg:ro']);
  assert.deepEqual(hc.RestartPolicy, { Name: 'no' });
  assert.equal(hc.Memory, 64 * 1024 * 1024);
  assert.deepEqual(hc.CapDrop, ['ALL']);
  assert.equal(hc.ReadonlyRootfs, true);
  assert.deepEqual(hc.GroupAdd, ['2000']);
  const id = parseContainerLabels(opts.Labels);
  assert.deepEqual(id, {
    podUid: p.metadata.uid,
    podNamespace: 'default',
    podName: 'web',
    containerName: 'app',
    attempt: 2,
    nodeName: 'n1',
    hash: hashContainer(c),
    hashVersion: HASH_VERSION,
  });
});

const resolvConfCases: {
  name: string;
  mounts: { hostPath: string; containerPath: string; readOnly: boolean }[];
  resolvConf?: string;
  want: string[];
}[] = [
  {
    name: "the pod's resolv.conf is mounted read-only at /etc/resolv.conf after the volumes",
    mounts: [{ hostPath: '/v/x', containerPath: '/data', readOnly: false }],
    resolvConf: '/var/lib/skiff/agent/pods/u/resolv.conf',
    want: ['/v/x:/data', '/var/lib/skiff/agent/pods/u/resolv.conf:/etc/resolv.conf:ro'],
  },
  {
    name: 'without one, Docker keeps its own',
    mounts: [{ hostPath: '/v/x', containerPath: '/data', readOnly: false }],
    want: ['/v/x:/data'],
  },
  {
    name: 'a volumeMount at /etc/resolv.conf wins',
    mounts: [{ hostPath: '/v/cm/resolv', containerPath: '/etc//resolv.conf', readOnly: true }],
    resolvConf: '/var/lib/skiff/agent/pods/u/resolv.conf',
    want: ['/v/cm/resolv:/etc//resolv.conf:ro'],
  },
];
for (const tc of resolvConfCases) {
  test(`containerCreateOptions: ${tc.name}`, () => {
    const c = container('app');
    const opts = containerCreateOptions({
      pod: pod('web', [c]),
      container: c,
      sandboxId: 'sb1',
      attempt: 0,
      nodeName: 'n1',
      config: {
        image: 'skiff/echo:1',
        env: [],
        mounts: tc.mounts,
        ...(tc.resolvConf ? { resolvConf: tc.resolvConf } : {}),
      },
    });
    assert.deepEqual(opts.HostConfig?.Binds, tc.want);
  });
}

test('without command the image entrypoint stays; without args the image CMD stays', () => {
  const p = pod('web', [container('app')]);
  const opts = containerCreateOptions({
    pod: p,
    container: container('app'),
    sandboxId: 's',
    attempt: 0,
    nodeName: 'n1',
    config: { image: 'skiff/echo:1', env: [], mounts: [] },
  });
  assert.equal('Entrypoint' in opts, false);
  assert.equal('Cmd' in opts, false);
  assert.equal('User' in opts, false);
});

test('shareProcessNamespace joins the sandbox PID namespace', () => {
  const p = pod('web', [container('app')], { shareProcessNamespace: true });
  const opts = containerCreateOptions({
    pod: p,
    container: container('app'),
    sandboxId: 's',
    attempt: 0,
    nodeName: 'n1',
    config: { image: 'i:1', env: [], mounts: [] },
  });
  assert.equal(opts.HostConfig?.PidMode, 'container:s');
});

test('the sandbox owns the pod network and a shareable IPC namespace, named and labelled POD', () => {
  const p = pod('web', [container('app')], {
    hostAliases: [{ ip: '10.0.0.9', hostnames: ['db', 'db.local'] }],
  });
  const opts = sandboxCreateOptions({
    pod: p,
    config: {
      network: 'skiff-pods',
      attempt: 1,
      dns: {
        servers: ['10.96.0.10'],
        searches: ['default.svc.cluster.local'],
        options: ['ndots:5'],
      },
    },
    nodeName: 'n1',
    image: 'skiff/pause:1',
  });
  assert.match(opts.name ?? '', /^skiff_POD_web_default_[0-9a-f]{8}_1$/);
  assert.equal(opts.Image, 'skiff/pause:1');
  assert.equal(opts.Hostname, 'web');
  const hc = opts.HostConfig ?? {};
  assert.equal(hc.NetworkMode, 'skiff-pods');
  assert.equal(hc.IpcMode, 'shareable');
  assert.deepEqual(hc.Dns, ['10.96.0.10']);
  assert.deepEqual(hc.DnsSearch, ['default.svc.cluster.local']);
  assert.deepEqual(hc.DnsOptions, ['ndots:5']);
  assert.deepEqual(hc.ExtraHosts, ['db:10.0.0.9', 'db.local:10.0.0.9']);
  const id = parseContainerLabels(opts.Labels);
  assert.equal(id?.containerName, 'POD');
  assert.equal(id?.attempt, 1);
});

test('a host-network sandbox uses the host network and no hostname of its own', () => {
  const p = pod('agent', [container('app')], { hostNetwork: true, hostPID: true });
  const opts = sandboxCreateOptions({
    pod: p,
    config: { network: 'skiff-pods', attempt: 0 },
    nodeName: 'n1',
    image: 'skiff/pause:1',
  });
  assert.equal(opts.HostConfig?.NetworkMode, 'host');
  assert.equal(opts.HostConfig?.PidMode, 'host');
  assert.equal(opts.Hostname, undefined);
});

const hostnames: [string, string | undefined, string][] = [
  ['web-1', undefined, 'web-1'],
  ['web-1', 'custom', 'custom'],
  [`${'a'.repeat(62)}-b`, undefined, 'a'.repeat(62)],
];
for (const [name, hostname, want] of hostnames) {
  test(`podHostname(${name.slice(0, 20)}, ${hostname ?? '-'}) = ${want.slice(0, 20)}`, () => {
    const p = pod(name, [container('app')], hostname ? { hostname } : {});
    assert.equal(podHostname(p), want);
  });
}
