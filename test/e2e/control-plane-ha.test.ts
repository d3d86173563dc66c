/**
 * Acceptance: two control-plane replicas (two processes, each API server +
 * scheduler + controllers) on one real etcd. Exactly one leads and
 * schedules; after kill -9 of that one, the other takes over within the
 * lease duration, and no pod is ever bound twice. The test's own client
 * and the hollow nodes use a third API server (in this process) over the
 * same etcd, so they outlive either replica.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../control-plane/api/client/client.ts';
import { Informer } from '../../control-plane/api/client/informer.ts';
import { objectKey } from '../../control-plane/api/client/informer-cache.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Lease, Pod, ReplicaSet } from '../../control-plane/api/types.ts';
import { startApiServer, type ApiServer } from '../../control-plane/apiserver/server.ts';
import { SCHEDULER_LEASE } from '../../control-plane/cli/components.ts';
import { startHollowNodes, type HollowNodes } from '../../control-plane/hollow/hollow-nodes.ts';
import { openStore, type Store } from '../../control-plane/store/index.ts';
import { eventually, quietLogger } from '../control-plane/api/client/api-fixture.ts';
import { startEtcd, type EtcdCluster } from '../harness/etcd.ts';
import { ControlPlaneProcess, freePort } from '../harness/hollow-control-plane.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const RS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;
const LEASE_SECONDS = 4;
// A candidate retries every 2/15 of the lease, jittered up to ×2.2 (components.ts).
const MAX_RETRY_MS = ((LEASE_SECONDS * 1000 * 2) / 15) * 2.2;

const pod = (name: string): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { batch: name.split('-')[0] ?? '' } },
    spec: { containers: [{ name: 'c', image: 'example/app:1' }] },
  }) as Pod;

describe('two control-plane replicas on one etcd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cp-ha-'));
  const ac = new AbortController();
  let etcd: EtcdCluster | undefined;
  let store: Store | undefined;
  let api: ApiServer | undefined;
  let client: ApiClient;
  let hollow: HollowNodes | undefined;
  const replicas: ControlPlaneProcess[] = [];
  // Every nodeName each pod has had, as the watch saw them.
  const bindings = new Map<string, string[]>();
  let watching: Promise<void> = Promise.resolve();

  before(async () => {
    etcd = await startEtcd();
    const etcdEndpoints = etcd.endpoints;
    store = await openStore({ backend: 'etcd', endpoints: etcdEndpoints, logger: quietLogger });
    api = await startApiServer({ store, listen: '127.0.0.1:0', logger: quietLogger });
    await api.ready;
    client = new ApiClient({ server: api.url });
    for (const identity of ['replica-a', 'replica-b']) {
      replicas.push(
        await ControlPlaneProcess.start({
          dataDir: dir,
          port: await freePort(),
          etcdEndpoints,
          leaseSeconds: LEASE_SECONDS,
          identity,
        }),
      );
    }
    hollow = await startHollowNodes({
      client,
      names: ['hollow-0', 'hollow-1', 'hollow-2'],
      logger: quietLogger,
      signal: ac.signal,
    });
    const pods = new Informer<Pod>({
      client,
      resource: PODS,
      namespace: 'default',
      logger: quietLogger,
    });
    const record = (p: Pod): void => {
      const node = p.spec?.nodeName;
      if (!node) return;
      const seen = bindings.get(objectKey(p)) ?? [];
      if (seen[seen.length - 1] !== node) seen.push(node);
      bindings.set(objectKey(p), seen);
    };
    pods.on('add', record).on('update', (_o, p) => record(p));
    watching = pods.start(ac.signal);
    await pods.ready;
  });
  after(async () => {
    ac.abort();
    await hollow?.done;
    await watching;
    for (const r of replicas) await r.kill9();
    client?.close();
    await api?.close();
    await store?.close();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const leaderOf = (component: string) =>
    replicas.filter((r) => r.status.leading.includes(component));
  const allBound = async (prefix: string, n: number) => {
    const pods = (await client.list<Pod>(PODS, { namespace: 'default' })).items;
    const mine = pods.filter((p) => p.metadata.name?.startsWith(prefix));
    return mine.length === n && mine.every((p) => p.spec?.nodeName);
  };

  test('exactly one schedules; after kill -9 the other takes over and binds no pod twice', async () => {
    await eventually('one replica leads both components', async () => {
      const s = leaderOf('scheduler');
      return s.length === 1 && leaderOf('controllers').length === 1;
    });
    const [leader] = leaderOf('scheduler') as [ControlPlaneProcess];
    const other = replicas.find((r) => r !== leader) as ControlPlaneProcess;

    for (let i = 0; i < 30; i++) await client.create(PODS, pod(`first-${i}`));
    await eventually('30 pods bound', () => allBound('first-', 30));
    await eventually(
      'leader counted its binds',
      async () => (leader.status.scheduler?.bound ?? 0) >= 30,
    );
    assert.equal(other.status.scheduler, undefined, 'the other replica does not schedule');
    assert.deepEqual(other.status.leading, []);

    const held = await client.get<Lease>(LEASES, SCHEDULER_LEASE, { namespace: 'kube-system' });
    const lastRenew = Date.parse(held.spec?.renewTime ?? '');
    await leader.kill9();
    await eventually(
      'the other replica leads',
      async () => leaderOf('scheduler').includes(other),
      60_000,
    );
    const taken = await client.get<Lease>(LEASES, SCHEDULER_LEASE, { namespace: 'kube-system' });
    assert.equal(taken.spec?.holderIdentity, other === replicas[0] ? 'replica-a' : 'replica-b');
    const gap = Date.parse(taken.spec?.acquireTime ?? '') - lastRenew;
    // The lease duration after the last renewal, plus the candidate's polling (it sees
    // the last renewal up to one retry late and checks again one retry later), plus
    // 3 s for a loaded machine.
    const bound = LEASE_SECONDS * 1000 + 2 * MAX_RETRY_MS + 3_000;
    assert.ok(gap <= bound, `took over ${gap} ms after the last renewal (bound ${bound} ms)`);

    for (let i = 0; i < 30; i++) await client.create(PODS, pod(`second-${i}`));
    await eventually('30 more pods bound', () => allBound('second-', 30));
    await eventually(
      'the new leader bound them',
      async () => (other.status.scheduler?.bound ?? 0) >= 30,
    );
    // Its controllers run too: a ReplicaSet gets its pods.
    await client.create(RS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'after', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'after' } },
        template: {
          metadata: { labels: { app: 'after' } },
          spec: { containers: [{ name: 'c', image: 'example/app:1' }] },
        },
      },
    } as ReplicaSet);
    await eventually('3 pods of the ReplicaSet bound', () => allBound('after-', 3));

    const twice = [...bindings].filter(([, nodes]) => nodes.length > 1);
    assert.deepEqual(twice, [], 'no pod was bound twice');
    assert.equal(bindings.size, 63);
  });
});
