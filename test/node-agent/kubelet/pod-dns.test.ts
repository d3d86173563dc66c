// A pod's resolv.conf as the kubelet forms it (PodDns, real files in a
// temp dir), and the real PodSyncer handing it to every container it
// creates (FakeRuntime recording each create's config). Expected texts
// follow the kubelet's rules (pkg/kubelet/network/dns/dns.go).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../../control-plane/api/log.ts';
import type { Container, Pod, PodSpec } from '../../../control-plane/api/types.ts';
import { Backoff } from '../../../node-agent/kubelet/backoff.ts';
import type { KubeletEvent } from '../../../node-agent/kubelet/image.ts';
import { PodDns, type PodDnsConfig } from '../../../node-agent/kubelet/pod-dns.ts';
import { podObjects } from '../../../node-agent/kubelet/pod-objects.ts';
import { PodSyncer } from '../../../node-agent/kubelet/pod-sync.ts';
import type { ContainerRunConfig } from '../../../node-agent/kubelet/runtime/runtime.ts';
import { isSyncError } from '../../../node-agent/kubelet/sync-error.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { FakeRuntime } from '../../fakes/fake-runtime.ts';
import { container, pod, unmountedVolumes } from './fixtures.ts';

const quiet = createLogger({}, { level: 'error' });
const root = mkdtempSync(join(tmpdir(), 'skiff-pod-dns-'));
after(() => rmSync(root, { recursive: true, force: true }));

const nodeResolvConf = join(root, 'node-resolv.conf');
writeFileSync(
  nodeResolvConf,
  '# the node\nnameserver 203.0.113.53\nnameserver 203.0.113.54\nsearch corp.example\noptions timeout:2\n',
);
const CONFIG: PodDnsConfig = {
  clusterDns: ['10.96.0.10'],
  clusterDomain: 'cluster.local',
  resolvConfPath: nodeResolvConf,
};

function podIn(ns: string, spec: Partial<PodSpec>): Pod {
  return pod('web', [container('app')], spec, { namespace: ns });
}

const cases: { name: string; pod: Pod; config?: PodDnsConfig; want: string }[] = [
  {
    name: 'ClusterFirst: the cluster nameserver, the three cluster searches, then the node searches; ndots:5',
    pod: podIn('shop', { dnsPolicy: 'ClusterFirst' }),
    want:
      'nameserver 10.96.0.10\n' +
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n' +
      'options ndots:5\n',
  },
  {
    name: 'no dnsPolicy is ClusterFirst',
    pod: podIn('default', { dnsPolicy: undefined }),
    want:
      'nameserver 10.96.0.10\n' +
      'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\n' +
      'options ndots:5\n',
  },
  {
    name: 'another cluster domain',
    pod: podIn('shop', {}),
    config: { ...CONFIG, clusterDomain: 'k.example' },
    want:
      'nameserver 10.96.0.10\n' +
      'search shop.svc.k.example svc.k.example k.example corp.example\n' +
      'options ndots:5\n',
  },
  {
    name: "Default: the node's resolv.conf",
    pod: podIn('shop', { dnsPolicy: 'Default' }),
    want: 'nameserver 203.0.113.53\nnameserver 203.0.113.54\nsearch corp.example\noptions timeout:2\n',
  },
  {
    name: 'ClusterFirst with hostNetwork falls back to Default',
    pod: podIn('shop', { dnsPolicy: 'ClusterFirst', hostNetwork: true }),
    want: 'nameserver 203.0.113.53\nnameserver 203.0.113.54\nsearch corp.example\noptions timeout:2\n',
  },
  {
    name: 'ClusterFirstWithHostNet keeps the cluster DNS',
    pod: podIn('shop', { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }),
    want:
      'nameserver 10.96.0.10\n' +
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n' +
      'options ndots:5\n',
  },
  {
    name: 'None: only dnsConfig',
    pod: podIn('shop', {
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['10.0.0.2'],
        searches: ['a.example'],
        options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
      },
    }),
    want: 'nameserver 10.0.0.2\nsearch a.example\noptions ndots:2 edns0\n',
  },
  {
    name: 'ClusterFirst with dnsConfig: appended, options overridden by name',
    pod: podIn('shop', {
      dnsConfig: { nameservers: ['10.0.0.2'], options: [{ name: 'ndots', value: '1' }] },
    }),
    want:
      'nameserver 10.96.0.10\nnameserver 10.0.0.2\n' +
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n' +
      'options ndots:1\n',
  },
  {
    name: 'Default with --resolv-conf "": an empty file',
    pod: podIn('shop', { dnsPolicy: 'Default' }),
    config: { ...CONFIG, resolvConfPath: '' },
    want: '',
  },
];
for (const [i, tc] of cases.entries()) {
  test(`PodDns.write: ${tc.name}`, async () => {
    const dns = new PodDns({ config: tc.config ?? CONFIG, log: quiet });
    const dir = join(root, `case-${i}`);
    const written = await dns.write(tc.pod, dir);
    assert.equal(written.path, join(dir, 'resolv.conf'));
    assert.equal(readFileSync(written.path, 'utf8'), tc.want);
    assert.equal(statSync(written.path).mode & 0o777, 0o644);
    assert.deepEqual(written.warnings, []);
  });
}

test('PodDns.write leaves an unchanged file alone and replaces a changed one whole', async () => {
  const dir = join(root, 'rewrite');
  const p = podIn('shop', {});
  const first = await new PodDns({ config: CONFIG, log: quiet }).write(p, dir);
  const ino = statSync(first.path).ino;
  await new PodDns({ config: CONFIG, log: quiet }).write(p, dir);
  assert.equal(statSync(first.path).ino, ino, 'not rewritten');
  await new PodDns({ config: { ...CONFIG, clusterDns: ['10.96.0.11'] }, log: quiet }).write(p, dir);
  assert.notEqual(statSync(first.path).ino, ino, 'a new file renamed into place');
  assert.match(readFileSync(first.path, 'utf8'), /^nameserver 10\.96\.0\.11\n/);
});

test('an unreadable node resolv.conf gives Default pods no servers; an unknown dnsPolicy fails the start', async () => {
  const missing = { ...CONFIG, resolvConfPath: join(root, 'no-such-file') };
  const dns = new PodDns({ config: missing, log: quiet });
  const w = await dns.write(podIn('shop', { dnsPolicy: 'Default' }), join(root, 'missing'));
  assert.equal(readFileSync(w.path, 'utf8'), '');
  await assert.rejects(
    dns.write(podIn('shop', { dnsPolicy: 'Sometimes' }), join(root, 'bad')),
    (err: unknown) =>
      isSyncError(err) &&
      err.reason === 'CreateContainerConfigError' &&
      /dnsPolicy "Sometimes"/.test(err.message),
  );
});

/** FakeRuntime that keeps the config of every container it creates. */
class RecordingRuntime extends FakeRuntime {
  readonly configs = new Map<string, ContainerRunConfig>();
  override createContainer(
    p: Pod,
    c: Container,
    sandboxId: string,
    attempt: number,
    config: ContainerRunConfig,
  ): Promise<string> {
    this.configs.set(c.name, config);
    return super.createContainer(p, c, sandboxId, attempt, config);
  }
}

function syncer(rt: FakeRuntime, dataDir: string, events: KubeletEvent[]): PodSyncer {
  const clock = new FakeClock();
  const backoff = { clock, baseMs: 10_000, capMs: 300_000 };
  return new PodSyncer({
    runtime: rt,
    volumes: unmountedVolumes(dataDir),
    objects: () => Promise.resolve(podObjects()),
    probes: {
      liveness: () => undefined,
      startup: () => undefined,
      readiness: () => undefined,
      sync: () => undefined,
    },
    hooks: { check: () => Promise.resolve({ outcome: 'success', output: '' }) },
    restarts: new Backoff(backoff),
    pulls: new Backoff(backoff),
    clock,
    network: 'skiff-pods',
    hostIPs: ['172.30.0.11'],
    dns: new PodDns({ config: CONFIG, log: quiet }),
    event: (_p, e) => events.push(e),
    log: quiet,
  });
}

test('the sync pass writes the resolv.conf into the pod dir and gives it to every container, init ones too', async () => {
  const rt = new RecordingRuntime({ clock: new FakeClock() });
  const events: KubeletEvent[] = [];
  const dataDir = join(root, 'agent');
  const s = syncer(rt, dataDir, events);
  const p = pod('web', [container('app'), container('side')], {
    initContainers: [container('init')],
  });
  // Init container first, then the app containers (a pass each once the init one has exited).
  for (let i = 0; i < 4 && rt.configs.size < 3; i++) {
    await s.sync(p);
    for (const c of await rt.listContainers({ podUid: p.metadata.uid ?? '' }))
      if (c.containerName === 'init' && c.state === 'running') rt.exit(c.id, 0);
  }
  const want = join(dataDir, 'pods', p.metadata.uid ?? '', 'resolv.conf');
  assert.deepEqual([...rt.configs].map(([name, c]) => [name, c.resolvConf]).sort(), [
    ['app', want],
    ['init', want],
    ['side', want],
  ]);
  assert.match(readFileSync(want, 'utf8'), /^nameserver 10\.96\.0\.10\n/);
  assert.equal(
    events.find((e) => e.reason === 'DNSConfigForming'),
    undefined,
  );
});

test('more nameservers than resolvers take: the first three, and a DNSConfigForming warning', async () => {
  const rt = new RecordingRuntime({ clock: new FakeClock() });
  const events: KubeletEvent[] = [];
  const s = syncer(rt, join(root, 'agent-limits'), events);
  const p = pod('web', [container('app')], {
    dnsConfig: { nameservers: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] },
  });
  await s.sync(p);
  const path = rt.configs.get('app')?.resolvConf ?? '';
  assert.match(
    readFileSync(path, 'utf8'),
    /^nameserver 10\.96\.0\.10\nnameserver 10\.0\.0\.2\nnameserver 10\.0\.0\.3\nsearch /,
  );
  const warning = events.find((e) => e.reason === 'DNSConfigForming');
  assert.equal(warning?.type, 'Warning');
  assert.match(warning?.message ?? '', /nameserver limit exceeded/);
});
