/**
 * The controller manager and runWhileLeading against a real API server:
 * controllers share one informer per resource, reconcile only after the
 * informers synced, run their extra loops, and stop on abort; of two
 * candidates one leads, and a leader whose work fails gives the Lease up.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { ConfigMap } from '../../../control-plane/api/types.ts';
import {
  runWhileLeading,
  startControllerManager,
} from '../../../control-plane/controllers/manager.ts';
import { enqueueObject } from '../../../control-plane/controllers/runtime/handlers.ts';
import type { ControllerSpec } from '../../../control-plane/controllers/runtime/spec.ts';
import { eventually, quietLogger } from '../api/client/api-fixture.ts';
import { useControllerFixture } from './controller-fixture.ts';

const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;

const cm = (name: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { a: 'b' },
});

describe('controller manager', () => {
  const f = useControllerFixture();

  test('shares informers, reconciles keys after the sync, runs extra loops, stops on abort', async () => {
    await f.client.create(CONFIGMAPS, cm('before'));
    const informers: unknown[] = [];
    const seen: string[][] = [[], []];
    let loopRan = false;
    const spec = (i: number): ControllerSpec => ({
      name: `toy-${i}`,
      setup(ctx) {
        const inf = ctx.informer<ConfigMap>(CONFIGMAPS);
        informers.push(inf);
        const h = enqueueObject<ConfigMap>(ctx.queue);
        inf.on('add', h.add).on('update', h.update).on('delete', h.delete);
        return {
          reconcile: async (key) => {
            assert.ok(inf.hasSynced(), 'no reconcile before the informer synced');
            seen[i]?.push(key);
          },
          ...(i === 0
            ? {
                run: async (signal: AbortSignal) => {
                  loopRan = true;
                  await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
                },
              }
            : {}),
        };
      },
    });
    const ac = new AbortController();
    const cm1 = startControllerManager({
      client: f.client,
      controllers: [spec(0), spec(1)],
      logger: quietLogger,
      signal: ac.signal,
    });
    await cm1.ready;
    assert.equal(informers.length, 2);
    assert.equal(informers[0], informers[1], 'one informer per resource');
    await f.client.create(CONFIGMAPS, cm('after'));
    await eventually('both saw both keys', () =>
      seen.every((s) => s.includes('default/before') && s.includes('default/after')),
    );
    assert.ok(loopRan);
    ac.abort();
    await cm1.done;
  });

  test('of two candidates one leads; a leader whose work fails gives the lease up', async () => {
    const ac = new AbortController();
    const leading = new Set<string>();
    const failFirst = { armed: true };
    let terms = 0;
    const candidate = (identity: string) =>
      runWhileLeading({
        client: f.client,
        leaseName: 'toy-manager',
        identity,
        leaseDurationMs: 2_000,
        logger: quietLogger,
        signal: ac.signal,
        lead: async (signal) => {
          terms++;
          leading.add(identity);
          try {
            if (failFirst.armed) {
              failFirst.armed = false;
              await new Promise((r) => setTimeout(r, 300));
              throw new Error('work failed');
            }
            await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
          } finally {
            leading.delete(identity);
          }
        },
      });
    const runs = [candidate('a'), candidate('b')];
    // The first leader fails: the lease is released and somebody leads again, alone.
    await eventually('a leader after the failure', () => terms === 2 && leading.size === 1);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(terms, 2, 'the second leader keeps the lease');
    assert.equal(leading.size, 1, 'never two leaders');
    ac.abort();
    await Promise.all(runs);
    assert.equal(leading.size, 0);
  });
});
