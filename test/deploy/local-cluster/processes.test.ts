// livePidFromFile against real processes: a live child named by its
// pidfile, a mark its command line lacks (a reused PID), a dead PID, and
// files that hold no PID.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { livePidFromFile } from '../../../deploy/local-cluster/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-processes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a pidfile names a live process only when its command line has every mark', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'skiff-mark'], {
    stdio: 'ignore',
  });
  try {
    const pid = child.pid ?? 0;
    const file = join(dir, 'live.pid');
    writeFileSync(file, `${pid}\n`);
    assert.equal(livePidFromFile(file, 'skiff-mark'), pid);
    assert.equal(livePidFromFile(file, 'skiff-mark', process.execPath), pid);
    assert.equal(livePidFromFile(file, 'another-program'), undefined, 'a reused PID');
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  const dead = join(dir, 'dead.pid');
  writeFileSync(dead, `${child.pid ?? 0}\n`);
  assert.equal(livePidFromFile(dead, 'skiff-mark'), undefined, 'a process that is gone');
  for (const [name, text] of [
    ['empty', ''],
    ['words', 'not a pid'],
    ['zero', '0'],
  ]) {
    const f = join(dir, `${name ?? ''}.pid`);
    writeFileSync(f, text ?? '');
    assert.equal(livePidFromFile(f), undefined, name);
  }
  assert.equal(livePidFromFile(join(dir, 'missing.pid')), undefined);
});
