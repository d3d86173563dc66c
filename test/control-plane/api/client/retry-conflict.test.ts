import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { retryOnConflict } from '../../../../control-plane/api/client/retry.ts';
import { findResource, type ResourceInfo } from '../../../../control-plane/api/resources.ts';
import type { ConfigMap } from '../../../../control-plane/api/types.ts';
import { ApiFixture } from './api-fixture.ts';

const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const WRITERS = 20;

let fx: ApiFixture;
before(async () => {
  fx = await ApiFixture.start();
});
after(() => fx?.destroy());

test(`retryOnConflict: ${WRITERS} concurrent read-modify-write increments all land`, async () => {
  const client = fx.client();
  await client.create(CONFIGMAPS, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'counter', namespace: 'default' },
    data: { n: '0' },
  } satisfies ConfigMap);

  let attempts = 0;
  const increment = () =>
    retryOnConflict(
      async () => {
        attempts++;
        const c = await client.get<ConfigMap>(CONFIGMAPS, 'counter', { namespace: 'default' });
        const next = Number(c.data?.n ?? '0') + 1;
        return client.update(CONFIGMAPS, { ...c, data: { n: String(next) } });
      },
      // Enough attempts that even the unluckiest writer of twenty gets through.
      { steps: 40 },
    );
  const results = await Promise.all(Array.from({ length: WRITERS }, increment));

  // Each successful write saw a different count: no increment was lost.
  const written = results.map((c) => Number(c.data?.n)).sort((a, b) => a - b);
  assert.deepEqual(
    written,
    Array.from({ length: WRITERS }, (_, i) => i + 1),
  );
  const final = await client.get<ConfigMap>(CONFIGMAPS, 'counter', { namespace: 'default' });
  assert.equal(final.data?.n, String(WRITERS));
  assert.ok(attempts >= WRITERS);
});
