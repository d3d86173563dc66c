/**
 * withSystemInformation: the package is there for the call and gone from
 * the module cache after it, whether the call succeeds or fails.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { withSystemInformation } from '../../../node-agent/node/system-information.ts';

const loaded = (): string[] =>
  Object.keys(createRequire(import.meta.url).cache).filter((k) =>
    k.includes('/node_modules/systeminformation/'),
  );

test('answers with the machine ID, then leaves no module of the package loaded', async () => {
  const uuid = await withSystemInformation(async (si) => {
    assert.ok(loaded().length > 0, 'loaded during the call');
    return si.uuid();
  });
  // si.uuid() reads /var/lib/dbus/machine-id, else /etc/machine-id.
  const file = ['/var/lib/dbus/machine-id', '/etc/machine-id'].find((f) => existsSync(f));
  if (file) assert.equal(uuid.os, readFileSync(file, 'utf8').trim().toLowerCase());
  assert.deepEqual(loaded(), []);
});

test('a failing call still unloads the package', async () => {
  await assert.rejects(
    withSystemInformation(async () => {
      throw new Error('reading failed');
    }),
    /reading failed/,
  );
  assert.deepEqual(loaded(), []);
});
