/**
 * Acceptance: a Deployment on hollow nodes, driven by the real kubectl
 * against a real API server, with the real scheduler, ReplicaSet and
 * Deployment controllers:
 * - 10 replicas roll from v1 to v2 with maxSurge 1 / maxUnavailable 0 and,
 *   at every state a pod watch shows, never fewer than 10 available or
 *   more than 11 pods;
 * - `kubectl rollout status` returns when done, `rollout history` lists the
 *   revisions with their change-cause, `rollout undo` brings v1 back (also
 *   `--to-revision`), `kubectl scale` works, pause/resume holds a rollout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { Deployment, Pod, ReplicaSet } from '../../../../control-plane/api/types.ts';
import { HollowCluster } from '../../../harness/hollow-cluster.ts';
import { eventually } from '../../api/client/api-fixture.ts';
import { PodSampler } from './pod-sampler.ts';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const RS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

function deployment(name: string, image: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', annotations: { 'kubernetes.io/change-cause': 'v1' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

describe('Deployment rollout on hollow nodes with kubectl', () => {
  let c: HollowCluster;
  before(async () => {
    c = await HollowCluster.start({ nodes: 4 });
  });
  after(async () => {
    await c?.destroy();
  });

  const images = async (name: string) => {
    const pods = (await c.client.list<Pod>(PODS, { namespace: 'default' })).items;
    return pods
      .filter((p) => p.metadata.labels?.app === name && !p.metadata.deletionTimestamp)
      .map((p) => p.spec?.containers[0]?.image);
  };
  const getDeployment = (name: string) =>
    c.client.get<Deployment>(DEPLOYMENTS, name, { namespace: 'default' });

  test('rolls v1 → v2 within maxSurge 1 / maxUnavailable 0; rollout status, history, undo', async () => {
    await c.client.create(DEPLOYMENTS, deployment('web', 'example/web:v1', 10));
    const first = await c.kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
    assert.match(first, /deployment "web" successfully rolled out/);
    assert.deepEqual(await images('web'), Array(10).fill('example/web:v1'));

    const sampler = await PodSampler.start(c.client, 'default', { app: 'web' });
    try {
      // As users do: change the template, then say why (copied to the new ReplicaSet).
      await c.kubectl('set', 'image', 'deployment/web', 'app=example/web:v2');
      await c.kubectl('annotate', 'deployment/web', 'kubernetes.io/change-cause=v2', '--overwrite');
      const out = await c.kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
      assert.match(out, /deployment "web" successfully rolled out/);
      await eventually('only v2 pods', async () => {
        const imgs = await images('web');
        return imgs.length === 10 && imgs.every((i) => i === 'example/web:v2');
      });
    } finally {
      await sampler.stop();
    }
    assert.ok(sampler.events > 20, `the watch saw the rollout (${sampler.events} events)`);
    assert.ok(sampler.minAvailable >= 10, `available never below 10 (min ${sampler.minAvailable})`);
    assert.ok(sampler.maxPods <= 11, `never more than 11 pods (max ${sampler.maxPods})`);
    assert.ok(sampler.maxPods === 11, 'the rollout used its one surge pod');

    const d = await getDeployment('web');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(d.status?.updatedReplicas, 10);
    assert.equal(d.status?.availableReplicas, 10);
    const progressing = d.status?.conditions?.find((x) => x.type === 'Progressing');
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
    const available = d.status?.conditions?.find((x) => x.type === 'Available');
    assert.equal(available?.reason, 'MinimumReplicasAvailable');

    const history = await c.kubectl('rollout', 'history', 'deployment/web');
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+v1\n2\s+v2\n/);

    await c.kubectl('rollout', 'undo', 'deployment/web');
    await c.kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
    await eventually('v1 back', async () => {
      const imgs = await images('web');
      return imgs.length === 10 && imgs.every((i) => i === 'example/web:v1');
    });
    // The v1 ReplicaSet came back as revision 3, remembering it was 1.
    const rss = (await c.client.list<ReplicaSet>(RS, { namespace: 'default' })).items;
    const v1 = rss.find((r) => r.spec.template?.spec?.containers[0]?.image === 'example/web:v1');
    assert.equal(v1?.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(v1?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(v1?.spec.replicas, 10);
    assert.match(await c.kubectl('rollout', 'history', 'deployment/web'), /\n2\s+v2\n3\s+v1\n/);

    await c.kubectl('rollout', 'undo', 'deployment/web', '--to-revision=2');
    await c.kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
    assert.deepEqual(await images('web'), Array(10).fill('example/web:v2'));
  });

  test('kubectl scale resizes the deployment and its replica set', async () => {
    await c.client.create(DEPLOYMENTS, deployment('api', 'example/api:v1', 2));
    await c.kubectl('rollout', 'status', 'deployment/api', '--timeout=120s');
    await c.kubectl('scale', 'deployment/api', '--replicas=5');
    await c.kubectl('rollout', 'status', 'deployment/api', '--timeout=120s');
    await eventually('5 pods', async () => (await images('api')).length === 5);
    await c.kubectl('scale', 'deployment/api', '--replicas=1');
    await eventually('1 pod', async () => (await images('api')).length === 1);
    const rss = (await c.client.list<ReplicaSet>(RS, { namespace: 'default' })).items.filter(
      (r) => r.metadata.labels?.app === 'api',
    );
    assert.equal(rss.length, 1);
    assert.equal(rss[0]?.spec.replicas, 1);
    assert.equal(rss[0]?.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '1');
    assert.equal(rss[0]?.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '2');
  });

  test('Recreate: every old pod is gone before a new one exists', async () => {
    const d = deployment('recreate', 'example/r:v1', 3);
    d.spec.strategy = { type: 'Recreate' };
    await c.client.create(DEPLOYMENTS, d);
    await c.kubectl('rollout', 'status', 'deployment/recreate', '--timeout=120s');
    const mixed: string[] = [];
    const sampler = await PodSampler.start(c.client, 'default', { app: 'recreate' });
    // Terminating pods count too: Recreate waits until the old ones are gone.
    const watchMix = setInterval(() => {
      void c.client
        .list<Pod>(PODS, { namespace: 'default', labelSelector: 'app=recreate' })
        .then((l) => {
          const imgs = l.items.map((p) => p.spec?.containers[0]?.image ?? '');
          if (new Set(imgs).size > 1) mixed.push(imgs.join(','));
        });
    }, 20);
    try {
      await c.kubectl('set', 'image', 'deployment/recreate', 'app=example/r:v2');
      await c.kubectl('rollout', 'status', 'deployment/recreate', '--timeout=120s');
    } finally {
      clearInterval(watchMix);
      await sampler.stop();
    }
    assert.deepEqual(await images('recreate'), Array(3).fill('example/r:v2'));
    assert.equal(sampler.minAvailable, 0, 'Recreate takes the old pods down first');
    assert.ok(sampler.maxPods <= 3, `never more than 3 pods (max ${sampler.maxPods})`);
    assert.deepEqual(mixed, [], 'v1 and v2 pods never ran side by side');
  });

  test('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
    const d = deployment('hist', 'example/h:v1', 1);
    d.spec.revisionHistoryLimit = 1;
    await c.client.create(DEPLOYMENTS, d);
    for (const v of ['v2', 'v3', 'v4']) {
      await c.kubectl('rollout', 'status', 'deployment/hist', '--timeout=120s');
      await c.kubectl('set', 'image', 'deployment/hist', `app=example/h:${v}`);
    }
    await c.kubectl('rollout', 'status', 'deployment/hist', '--timeout=120s');
    await eventually('two ReplicaSets left: v4 and v3', async () => {
      const rss = (await c.client.list<ReplicaSet>(RS, { namespace: 'default' })).items.filter(
        (r) => r.metadata.labels?.app === 'hist',
      );
      const imgs = rss.map((r) => r.spec.template?.spec?.containers[0]?.image).sort();
      return JSON.stringify(imgs) === JSON.stringify(['example/h:v3', 'example/h:v4']);
    });
  });

  test('no progress within progressDeadlineSeconds: ProgressDeadlineExceeded, rollout status fails', async () => {
    const d = deployment('stuck', 'example/s:v1', 1);
    d.spec.progressDeadlineSeconds = 2;
    // Fits no node: its pod stays Pending, so the rollout cannot progress.
    (d.spec.template.spec as { nodeSelector?: Record<string, string> }).nodeSelector = {
      disk: 'none',
    };
    await c.client.create(DEPLOYMENTS, d);
    await eventually('timed out', async () => {
      const p = (await getDeployment('stuck')).status?.conditions?.find(
        (x) => x.type === 'Progressing',
      );
      return p?.status === 'False' && p.reason === 'ProgressDeadlineExceeded';
    });
    await assert.rejects(
      c.kubectl('rollout', 'status', 'deployment/stuck', '--timeout=60s'),
      /deployment "stuck" exceeded its progress deadline/,
    );
  });

  test('a paused deployment does not roll; resume rolls it', async () => {
    await c.client.create(DEPLOYMENTS, deployment('paused', 'example/p:v1', 2));
    await c.kubectl('rollout', 'status', 'deployment/paused', '--timeout=120s');
    await c.kubectl('rollout', 'pause', 'deployment/paused');
    await c.kubectl('set', 'image', 'deployment/paused', 'app=example/p:v2');
    await eventually('paused condition', async () => {
      const d = await getDeployment('paused');
      const p = d.status?.conditions?.find((x) => x.type === 'Progressing');
      return (
        p?.reason === 'DeploymentPaused' && d.status?.observedGeneration === d.metadata.generation
      );
    });
    assert.deepEqual(await images('paused'), ['example/p:v1', 'example/p:v1']);
    await c.kubectl('rollout', 'resume', 'deployment/paused');
    await c.kubectl('rollout', 'status', 'deployment/paused', '--timeout=120s');
    assert.deepEqual(await images('paused'), ['example/p:v2', 'example/p:v2']);
  });
});
