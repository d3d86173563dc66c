/**
 * trimDockerode in a fresh process (the hook is process-wide): dockerode
 * loads without @grpc/grpc-js, protobufjs and ssh2, still builds requests
 * for unix:// and tcp:// engines, and the two parts it leaves out fail
 * with a clear error if ever used. standInFor is checked directly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { standInFor } from '../../node-agent/trim-dockerode.ts';

const TRIM = new URL('../../node-agent/trim-dockerode.ts', import.meta.url).href;

// Runs in the child: install the hook, load dockerode, report what loaded and how the parts fail.
const CHILD = `
import { createRequire } from 'node:module';
const { trimDockerode } = await import(${JSON.stringify(TRIM)});
if (process.env.TRIM === '1') trimDockerode();
const require = createRequire(${JSON.stringify(import.meta.url)});
const Docker = require('dockerode');
const packages = [...new Set(Object.keys(require.cache)
  .map((k) => /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k)?.[1]).filter(Boolean))];
const docker = new Docker({ socketPath: '/nonexistent/docker.sock' });
const unix = await docker.version().then(() => 'answered', (e) => e.code ?? e.message);
const build = await new Promise((resolve) =>
  docker.buildImage({ context: '/nonexistent', src: [] }, { version: '2' }, (err) => resolve(err?.message)));
const ssh = await new Docker({ protocol: 'ssh', host: '127.0.0.1', port: 1 }).version()
  .then(() => 'answered', (e) => e.message);
console.log(JSON.stringify({ packages, unix, build, ssh }));
`;

function child(trim: boolean) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRIM: trim ? '1' : '' },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    packages: string[];
    unix: string;
    build: string;
    ssh: string;
  };
}

test('without the hook dockerode loads gRPC, protobufjs and ssh2 (what the hook is for)', () => {
  const r = child(false);
  for (const p of ['@grpc/grpc-js', 'protobufjs', 'ssh2']) assert.ok(r.packages.includes(p), p);
});

test('with the hook they stay out, and unix:// still reaches the socket', () => {
  const r = child(true);
  for (const p of ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'ssh2']) {
    assert.equal(r.packages.includes(p), false, `${p} loaded: ${r.packages.join(' ')}`);
  }
  assert.ok(r.packages.includes('docker-modem'));
  // The request went to the socket path (which does not exist), not to a stand-in.
  assert.equal(r.unix, 'ENOENT');
  assert.match(r.build, /BuildKit sessions .* not available in skiff agent/);
  assert.match(r.ssh, /ssh:\/\/ Docker hosts are not supported by skiff agent/);
});

const cases = [
  { url: 'file:///opt/skiff/node_modules/dockerode/lib/session.js', standIn: true },
  { url: 'file:///opt/skiff/node_modules/docker-modem/lib/ssh.js', standIn: true },
  { url: 'file:///opt/skiff/node_modules/dockerode/lib/docker.js', standIn: false },
  { url: 'file:///opt/skiff/node_modules/ssh2/lib/index.js', standIn: false },
  { url: 'file:///opt/skiff/node-agent/session.js', standIn: false },
];
for (const tc of cases) {
  test(`standInFor ${tc.url}: ${tc.standIn ? 'a stand-in' : 'none'}`, () => {
    assert.equal(standInFor(tc.url) !== undefined, tc.standIn);
  });
}
