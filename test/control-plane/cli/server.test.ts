/**
 * `skiff server` run as operators run it (a separate process): it writes a
 * kubeconfig kubectl uses as it is, logs its startup order, stops cleanly
 * with exit code 0 on SIGTERM, and fails with a clear message and exit 1
 * for a store another server holds or an address in use.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

const SKIFF = fileURLToPath(new URL('../../../control-plane/cli/skiff.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'skiff-server-cli-test-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServer(...args: string[]): Running {
  const child = spawn(process.execPath, [SKIFF, 'server', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exitWithin(r: Running, ms = 60_000): Promise<number | null> {
  return Promise.race([
    r.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit within ${ms} ms: ${r.stderr()}`)), ms).unref(),
    ),
  ]);
}

describe('skiff server', () => {
  it('writes a kubeconfig kubectl uses, and exits 0 on SIGTERM', async () => {
    const dir = join(root, 'good');
    const r = startServer('--data-dir', dir, '--listen', '127.0.0.1:0');
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      await waitFor('the kubeconfig', () => existsSync(kubeconfig) || r.child.exitCode !== null);
      assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
      const cfg = parseYaml(readFileSync(kubeconfig, 'utf8')) as Record<string, unknown>;
      assert.equal(cfg['current-context'], 'skiff');
      const server = String((cfg.clusters as { cluster: { server: string } }[])[0]?.cluster.server);
      assert.match(server, /^http:\/\/127\.0\.0\.1:\d+$/);
      const { stdout } = await promisify(execFile)(
        'kubectl',
        ['--kubeconfig', kubeconfig, 'get', 'ns', '-o', 'name'],
        { timeout: 60_000 },
      );
      assert.deepEqual(stdout.trim().split('\n').sort(), [
        'namespace/default',
        'namespace/kube-node-lease',
        'namespace/kube-public',
        'namespace/kube-system',
      ]);
      r.child.kill('SIGTERM');
      assert.equal(await exitWithin(r), 0);
      const msgs = r
        .stderr()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
      const order = [
        'Opening the cluster store',
        'Starting the API server',
        'API server ready',
        'Wrote kubeconfig',
        'Shutting down',
        'Stopped',
      ];
      const at = order.map((m) => msgs.indexOf(m));
      assert.ok(
        at.every((i) => i >= 0),
        `missing startup/shutdown lines in: ${msgs.join(' | ')}`,
      );
      assert.deepEqual(
        [...at].sort((a, b) => a - b),
        at,
        'logged in order',
      );
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  it('a store another server holds ends with its message and exit 1', async () => {
    const dir = join(root, 'locked');
    const first = startServer('--data-dir', dir, '--listen', '127.0.0.1:0');
    try {
      await waitFor(
        'the first server',
        () => existsSync(join(dir, 'kubeconfig')) || first.child.exitCode !== null,
      );
      const second = startServer('--data-dir', dir, '--listen', '127.0.0.1:0');
      assert.equal(await exitWithin(second), 1);
      assert.match(second.stderr(), /skiff server: .*(lock|in use|another)/i);
    } finally {
      first.child.kill('SIGTERM');
      await exitWithin(first);
    }
  });

  it('an address in use ends with exit 1 naming it; a malformed --listen is a usage error (2)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = startServer('--data-dir', join(root, 'busy'), '--listen', `127.0.0.1:${port}`);
      assert.equal(await exitWithin(r), 1);
      assert.match(r.stderr(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
    } finally {
      blocker.close();
    }
    const bad = startServer('--data-dir', join(root, 'bad'), '--listen', 'nowhere');
    assert.equal(await exitWithin(bad), 2);
    assert.match(bad.stderr(), /listen address "nowhere" must be IP:PORT/);
  });
});
