/**
 * control-plane/cli/skiff-bin.js, the `skiff` executable: it runs skiff.ts
 * unchanged, and gives `skiff agent` a compile cache in its data dir, so
 * that a second start loads every TypeScript file from the cache and never
 * instantiates Node's type stripper (amaro); a cold start fills the cache
 * and restarts itself warm (node-agent/warm-restart.ts). Real processes;
 * the agent fails fast here on a kubeconfig that does not exist, after
 * loading the same modules it loads to run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pkg from '../../../package.json' with { type: 'json' };

const BIN = new URL('../../../control-plane/cli/skiff-bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'skiff-bin-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Printed at exit by a plain-JavaScript preload: did the process image that
// ran to the end load amaro, and is it the image of a warm restart?
const REPORT =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("amaro loaded: "+' +
  'process.moduleLoadList.some((m)=>m.includes("internal/deps/amaro"))+' +
  '" restarted: "+(process.env.SKIFF_AGENT_WARM_RESTART==="1")+"\\n"))';
const REPORT_LINE = /amaro loaded: (true|false) restarted: (true|false)\n/;

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.NODE_COMPILE_CACHE;
  delete e.NODE_DISABLE_COMPILE_CACHE;
  delete e.SKIFF_AGENT_WARM_RESTART;
  const r = spawnSync(process.execPath, ['--import', REPORT, BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...e, ...env },
  });
  const m = REPORT_LINE.exec(r.stderr);
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr.replace(REPORT_LINE, ''),
    amaro: m?.[1],
    restarted: m?.[2],
  };
}

const cacheEntries = (dataDir: string): number =>
  readdirSync(join(dataDir, 'compile-cache'), { recursive: true }).length;

function agent(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const kubeconfig = join(dir, 'missing-kubeconfig');
  return run(
    ['agent', '--data-dir', dataDir, '--kubeconfig', kubeconfig, '--node-name', 'n1'],
    env,
  );
}

test('skiff-bin.js runs the dispatcher: --version', () => {
  const r = run(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `skiff v${pkg.version}\n`);
});

test('skiff agent: a cold start fills <data-dir>/compile-cache and restarts itself warm', () => {
  const dataDir = join(dir, 'agent');
  const first = agent(dataDir);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /missing-kubeconfig/);
  assert.deepEqual([first.amaro, first.restarted], ['false', 'true']);
  assert.equal(
    statSync(dataDir).mode & 0o777,
    0o700,
    'the data dir is private, as the agent makes it',
  );
  assert.ok(cacheEntries(dataDir) > 10, `cache entries: ${cacheEntries(dataDir)}`);

  const second = agent(dataDir);
  assert.equal(second.code, 1, second.stderr);
  assert.equal(second.stderr, first.stderr);
  assert.deepEqual([second.amaro, second.restarted], ['false', 'false'], 'warm: no restart');
});

test('the restarted image never restarts again: cold runs on, and fills the cache', () => {
  const dataDir = join(dir, 'agent-once');
  const r = agent(dataDir, { SKIFF_AGENT_WARM_RESTART: '1' });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.amaro, 'true');
  assert.ok(cacheEntries(dataDir) > 10, `cache entries: ${cacheEntries(dataDir)}`);
});

test('NODE_DISABLE_COMPILE_CACHE=1 turns the cache and the restart off', () => {
  const dataDir = join(dir, 'agent-nocache');
  for (let i = 0; i < 2; i++) {
    const r = agent(dataDir, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual([r.amaro, r.restarted], ['true', 'false']);
  }
  assert.equal(cacheEntries(dataDir), 0);
});

test('other commands and agent --help create no data dir', () => {
  const dataDir = join(dir, 'agent-help');
  const r = run(['agent', '--help', '--data-dir', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: skiff agent/m);
  assert.equal(existsSync(dataDir), false);
});
