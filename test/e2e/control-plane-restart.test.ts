/**
 * Acceptance: kill -9 the control plane (API server, scheduler and
 * controllers in one child process over a SQLite file) halfway through a
 * rolling update on hollow nodes, start it again: the rollout completes,
 * with never more than replicas + maxSurge pods and no pod created beyond
 * what the rollout needs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Deployment, Pod, ReplicaSet } from '../../control-plane/api/types.ts';
import { startHollowNodes, type HollowNodes } from '../../control-plane/hollow/hollow-nodes.ts';
import { eventually, quietLogger } from '../control-plane/api/client/api-fixture.ts';
import { PodSampler } from '../control-plane/controllers/deployment/pod-sampler.ts';
import { ControlPlaneProcess, freePort } from '../harness/hollow-control-plane.ts';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const RS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const REPLICAS = 10;

describe('control plane killed with SIGKILL in the middle of a rollout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cp-restart-'));
  const ac = new AbortController();
  let cp: ControlPlaneProcess | undefined;
  let client: ApiClient;
  let hollow: HollowNodes | undefined;
  before(async () => {
    cp = await ControlPlaneProcess.start({ dataDir: dir, port: await freePort(), leaseSeconds: 4 });
    client = new ApiClient({ server: cp.url, timeoutMs: 10_000 });
    hollow = await startHollowNodes({
      client,
      names: ['hollow-0', 'hollow-1', 'hollow-2'],
      logger: quietLogger,
      signal: ac.signal,
    });
  });
  after(async () => {
    ac.abort();
    await hollow?.done;
    client?.close();
    await cp?.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  const podsOf = async () =>
    (await client.list<Pod>(PODS, { namespace: 'default', labelSelector: 'app=web' })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const ready = (p: Pod) =>
    p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const image = (p: Pod) => p.spec?.containers[0]?.image;

  test('the rollout completes after the restart, within its bounds', async () => {
    await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        // A slower rollout, so that "halfway" lasts long enough to hit.
        minReadySeconds: 1,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'example/web:v1' }] },
        },
      },
    } as Deployment);
    await eventually('10 ready v1 pods', async () => {
      const pods = await podsOf();
      return pods.length === REPLICAS && pods.every(ready);
    });
    const v1Names = new Set((await podsOf()).map((p) => p.metadata.name));
    const sampler = await PodSampler.start(client, 'default', { app: 'web' }, quietLogger);
    try {
      await client.patch(
        DEPLOYMENTS,
        'web',
        {
          spec: { template: { spec: { containers: [{ name: 'app', image: 'example/web:v2' }] } } },
        },
        { type: 'strategic', namespace: 'default' },
      );
      await eventually('halfway: 4 or more v2 pods ready', async () => {
        const v2 = (await podsOf()).filter((p) => image(p) === 'example/web:v2' && ready(p));
        return v2.length >= 4;
      });
      const before = (await podsOf()).filter((p) => image(p) === 'example/web:v2').length;
      assert.ok(before < REPLICAS, `killed before the rollout finished (${before} v2 pods)`);
      await (cp as ControlPlaneProcess).restart();
      await eventually(
        'rollout complete after restart',
        async () => {
          const pods = await podsOf();
          return (
            pods.length === REPLICAS && pods.every((p) => image(p) === 'example/web:v2' && ready(p))
          );
        },
        120_000,
      );
      await eventually('deployment status complete', async () => {
        const d = await client.get<Deployment>(DEPLOYMENTS, 'web', { namespace: 'default' });
        const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
        return (
          d.status?.updatedReplicas === REPLICAS && progressing?.reason === 'NewReplicaSetAvailable'
        );
      });
    } finally {
      await sampler.stop();
    }
    assert.ok(sampler.maxPods <= REPLICAS + 1, `never more than 11 pods (max ${sampler.maxPods})`);
    assert.ok(
      sampler.minAvailable >= REPLICAS,
      `never fewer than 10 ready (min ${sampler.minAvailable})`,
    );
    // Exactly the pods a 10-pod rollout needs: 10 v1 before, 10 v2 made during it.
    const created = [...sampler.seen].filter((n) => !v1Names.has(n));
    assert.equal(created.length, REPLICAS, `v2 pods created: ${created.join(' ')}`);
    const rss = (await client.list<ReplicaSet>(RS, { namespace: 'default' })).items;
    assert.equal(rss.length, 2, 'one old and one new ReplicaSet, no duplicate');
  });
});
