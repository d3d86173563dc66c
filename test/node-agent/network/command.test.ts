/**
 * The agent's exec adapter on real processes: exit codes and output,
 * stdin, a command that exits without reading its input, the timeout kill,
 * a program that cannot start, and the run inside a network namespace
 * (one this test creates and deletes). The proxy's Exec view of it
 * maps the same outcomes to codes, never rejecting.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { execRunner, runOk } from '../../../node-agent/network/command.ts';
import { execCommand } from '../../../node-agent/proxy/exec-command.ts';

const run = execRunner();

test('exit code, stdout and stderr come back; input reaches stdin', async () => {
  const r = await run.run('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hello' });
  assert.deepEqual(r, { code: 3, stdout: 'hello', stderr: 'oops\n' });
});

test('a command that exits without reading a large input reports its exit code', async () => {
  const r = await run.run('sh', ['-c', 'exit 2'], { input: 'x'.repeat(4 << 20) });
  assert.equal(r.code, 2);
});

test('output larger than any buffer cap comes back whole', async () => {
  const r = await run.run('head', ['-c', String(80 << 20), '/dev/zero']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.length, 80 << 20);
});

test('a command past its timeout is killed: code null, the kill named in stderr', async () => {
  const t = performance.now();
  const r = await run.run('sleep', ['30'], { timeoutMs: 200 });
  assert.equal(r.code, null);
  assert.match(r.stderr, /killed after 200 ms/);
  // A process the command left behind keeps the pipes open: the timeout still ends the run.
  const left = await run.run('sh', ['-c', 'sleep 5 & exec sleep 30'], { timeoutMs: 200 });
  assert.equal(left.code, null);
  assert.ok(performance.now() - t < 4_000, `${performance.now() - t} ms`);
});

test('a program that cannot start rejects, naming it', async () => {
  await assert.rejects(run.run('skiff-no-such-program', []), /cannot run skiff-no-such-program/);
});

test('runOk returns stdout, or throws with the command line, exit code and stderr', async () => {
  assert.equal(await runOk(run, 'echo', ['a', 'b']), 'a b\n');
  await assert.rejects(
    runOk(run, 'sh', ['-c', 'echo broken >&2; exit 4']),
    /sh -c echo broken >&2; exit 4 failed \(exit 4\): broken/,
  );
});

test('with a namespace path the command runs in that network namespace', async () => {
  const ns = `skiffcmd-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const inside = await execRunner(`/run/netns/${ns}`).run('readlink', ['/proc/self/ns/net']);
    assert.equal(inside.code, 0, inside.stderr);
    assert.equal(inside.stdout.trim(), `net:[${statSync(`/run/netns/${ns}`).ino}]`);
    assert.notEqual(inside.stdout.trim(), readlinkSync('/proc/self/ns/net'));
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});

test("the proxy's Exec: codes for every outcome, never a rejection", async () => {
  const exec = execCommand({ timeoutMs: 200 });
  assert.deepEqual(await exec(['sh', '-c', 'cat'], 'in'), { code: 0, stdout: 'in', stderr: '' });
  const killed = await exec(['sleep', '30']);
  assert.equal(killed.code, -1);
  assert.match(killed.stderr, /killed after 200 ms/);
  const missing = await exec(['skiff-no-such-program']);
  assert.equal(missing.code, -1);
  assert.match(missing.stderr, /cannot run skiff-no-such-program/);
});
