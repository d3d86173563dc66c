/**
 * `skiff agent` stopped by SIGTERM during start-up, while the API server
 * cannot be reached and the node is still being registered: the process
 * ends by itself, soon, with code 0, because start-up stops what it had
 * started (no retry timer or loop keeps it alive until a SIGKILL). A real
 * process on a test node (a network namespace with its own dockerd,
 * deploy/local-cluster; prefix "skiffg"), where nothing listens on the
 * kubeconfig's address.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubeconfigFor } from '../../control-plane/cli/server.ts';
import { createTestNodes, type LocalNodes } from '../../deploy/local-cluster/index.ts';

const SKIFF = new URL('../../control-plane/cli/skiff.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'skiff-agent-command-'));
let cluster: LocalNodes | undefined;

before(async () => {
  cluster = await createTestNodes({
    count: 1,
    prefix: 'skiffg',
    dataDir: join(dir, 'nodes'),
    registry: false,
  });
});
after(async () => {
  await cluster?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('SIGTERM while the node is being registered: the agent exits by itself, code 0', async () => {
  const kubeconfig = join(dir, 'kubeconfig');
  const node = cluster?.nodes[0];
  assert.ok(node, 'the test node exists');
  // Port 9 (discard): nothing listens on it in the node's namespace; every request is refused.
  writeFileSync(kubeconfig, kubeconfigFor('http://127.0.0.1:9'), { mode: 0o600 });
  const args = ['agent', '--kubeconfig', kubeconfig, '--node-name', 'interrupted'];
  args.push('--node-ip', node.ip, '--data-dir', join(dir, 'data'));
  args.push('--docker-host', `unix://${node.dockerSocket}`);
  const argv = [`--net=${node.netnsPath}`, '--', process.execPath, SKIFF, ...args];
  const child = spawn('nsenter', argv, {
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const seen = (re: RegExp, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms:\n${output}`)), ms);
      const check = (b?: Buffer): void => {
        if (b) output += b.toString();
        if (!re.test(output)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
    });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await seen(/Unable to register node with API server, retrying/, 60_000);
    const t = performance.now();
    child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000)),
    ]);
    assert.equal(code, 0, output);
    assert.match(output, /Stopped during start-up; pods keep running/);
    assert.ok(performance.now() - t < 15_000);
  } finally {
    child.kill('SIGKILL');
  }
});
