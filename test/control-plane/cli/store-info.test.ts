/**
 * `skiff store-info` run as operators run it (a separate process): it
 * prints the revision and key count of a healthy store, and fails with a
 * clear message, leaving the file alone, for a damaged file, a file a
 * running server owns, and a data directory that is not there.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../control-plane/api/log.ts';
import { openSqliteStore } from '../../../control-plane/store/sqlite/sqlite-store.ts';
import { fileHash, startChild } from '../store/fixtures/child.ts';

const SKIFF = fileURLToPath(new URL('../../../control-plane/cli/skiff.ts', import.meta.url));
const WRITER = fileURLToPath(new URL('../store/fixtures/sqlite-writer.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'skiff-store-info-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
const logger = createLogger({}, { level: 'error' });

/** Runs `skiff store-info ...args` to completion. */
async function storeInfo(
  ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
  const child = startChild(SKIFF, ['store-info', ...args]);
  try {
    const { code } = await Promise.race([
      child.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('store-info did not exit within 60 s')), 60_000).unref(),
      ),
    ]);
    return { code, out: child.lines.join('\n'), err: child.stderr() };
  } finally {
    await child.kill();
  }
}

function newDataDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

describe('skiff store-info', () => {
  it('prints the revision and key count of a healthy store', async () => {
    const dir = newDataDir('good');
    const store = await openSqliteStore({ backend: 'sqlite', path: join(dir, 'state.db'), logger });
    for (let i = 0; i < 5; i++) await store.create(`/registry/configmaps/default/c${i}`, '{}');
    await store.delete('/registry/configmaps/default/c0');
    const revision = await store.currentRevision();
    await store.close();

    const res = await storeInfo('--data-dir', dir);
    assert.equal(res.code, 0, res.err);
    assert.match(res.out, /^backend: +sqlite$/m);
    assert.match(res.out, new RegExp(`^revision: +${revision}$`, 'm'));
    assert.match(res.out, /^keys: +4$/m);
  });

  it('fails with a clear message for a corrupt file and leaves it alone', async () => {
    const dir = newDataDir('corrupt');
    const path = join(dir, 'state.db');
    writeFileSync(path, randomBytes(32 * 1024));
    const before = fileHash(path);
    const res = await storeInfo('--data-dir', dir);
    assert.equal(res.code, 1);
    assert.match(res.err, new RegExp(`store file ${path} is damaged`));
    assert.match(res.err, /restore it from a backup, or move it away/);
    assert.equal(fileHash(path), before);
  });

  it('fails with a clear message for a store a running process owns', async () => {
    const dir = newDataDir('owned');
    const holder = startChild(WRITER, ['hold', join(dir, 'state.db')]);
    try {
      await holder.waitFor((l) => l === 'ready');
      const res = await storeInfo('--data-dir', dir);
      assert.equal(res.code, 1);
      assert.match(
        res.err,
        new RegExp(`in use by another skiff server \\(pid ${holder.proc.pid}\\)`),
      );
      assert.match(res.err, /stop it or choose another --data-dir/);
    } finally {
      await holder.kill();
    }
  });

  it('fails for a data directory without a store, creating nothing', async () => {
    const empty = newDataDir('empty');
    const res = await storeInfo('--data-dir', empty);
    assert.equal(res.code, 1);
    assert.match(res.err, /no store/);
    assert.equal(fileHash(join(empty, 'state.db')), 'absent');

    const missing = join(root, 'missing');
    const res2 = await storeInfo('--data-dir', missing);
    assert.equal(res2.code, 1);
    assert.match(res2.err, /does not exist/);
    assert.equal(fileHash(missing), 'absent');
  });
});
