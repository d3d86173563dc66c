/**
 * The `skiff` dispatcher as a user meets it: help for the program and for
 * each command, and clear errors with exit code 2 for unknown commands and
 * flags.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { COMMANDS } from '../../../control-plane/cli/commands.ts';
import pkg from '../../../package.json' with { type: 'json' };

const SKIFF = new URL('../../../control-plane/cli/skiff.ts', import.meta.url).pathname;

function skiff(...args: string[]) {
  const r = spawnSync(process.execPath, [SKIFF, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('skiff --help lists every command with its summary', () => {
  const r = skiff('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: skiff <command> \[flags\]$/m);
  for (const c of COMMANDS) {
    assert.match(r.stdout, new RegExp(`^  ${c.name}\\s+${escape(c.summary)}$`, 'm'));
  }
});

test('skiff with no arguments prints the same help', () => {
  assert.equal(skiff().stdout, skiff('--help').stdout);
});

for (const entry of COMMANDS) {
  test(`skiff ${entry.name} --help shows its usage and every flag`, async () => {
    const cmd = await entry.load();
    for (const args of [
      [entry.name, '--help'],
      ['help', entry.name],
    ]) {
      const r = skiff(...args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: skiff ${entry.name} \\[flags\\]$`, 'm'));
      for (const flag of Object.keys(cmd.options)) {
        assert.match(r.stdout, new RegExp(`^  --${flag}\\b`, 'm'), `--${flag} missing`);
      }
    }
  });
}

test('an unknown command exits 2 and points to the help', () => {
  const r = skiff('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /skiff --help/);
});

test('an unknown flag exits 2 and names the command whose flags to read', () => {
  const name = COMMANDS[0]?.name ?? 'store-info';
  const r = skiff(name, '--no-such-flag');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--no-such-flag/);
  assert.match(r.stderr, new RegExp(`skiff ${name} --help`));
});

test('skiff --version prints the package version', () => {
  const r = skiff('--version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `skiff v${pkg.version}\n`);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
