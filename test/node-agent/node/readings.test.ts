/**
 * SystemReadings on this machine, checked against independent sources:
 * df for the data dir's filesystem, /proc/meminfo, /etc/os-release, uname.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, networkInterfaces, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SystemReadings } from '../../../node-agent/node/readings.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-readings-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  dataDir: dir,
  kubeletPort: 10250,
  maxPods: 110,
  kubeletVersion: 'v1.32.0+skiff0.1.0',
  runtimeVersion: async () => 'docker://20.10.24',
};

function meminfoKiB(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(m?.[1]);
}

describe('readings of this machine', async () => {
  const r = await new SystemReadings(base).read();

  test('CPU, memory and kernel as node:os and /proc/meminfo see them', () => {
    assert.equal(r.cpuCount, cpus().length);
    assert.equal(r.memoryBytes, meminfoKiB('MemTotal') * 1024);
    assert.ok(r.memoryAvailableBytes > 0 && r.memoryAvailableBytes <= r.memoryBytes);
    assert.equal(r.kernelVersion, release());
    assert.equal(r.operatingSystem, 'linux');
    assert.equal(r.architecture, process.arch === 'x64' ? 'amd64' : r.architecture);
  });

  test('the data dir filesystem as df reports it', () => {
    const out = execFileSync('df', ['-B1', '--output=size,avail', dir], { encoding: 'utf8' });
    const [size, avail] = (out.trim().split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
    assert.equal(r.ephemeralStorageBytes, size);
    // Free space moves while other work writes: within one percentage point.
    assert.ok(Math.abs(r.diskAvailablePercent - ((avail ?? 0) / (size ?? 1)) * 100) < 1);
  });

  test('OS image is PRETTY_NAME of /etc/os-release', () => {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    assert.equal(r.osImage, m?.[1]);
  });

  test('machine ID, boot ID and PIDs are real', () => {
    if (existsSync('/etc/machine-id')) {
      assert.equal(r.machineID, readFileSync('/etc/machine-id', 'utf8').trim());
    }
    assert.equal(r.bootID, readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    assert.ok(r.pidsInUse > 0 && r.pidsInUse < r.pidMax, `${r.pidsInUse} of ${r.pidMax}`);
  });

  test('the node IP is an address of this machine', () => {
    const mine = Object.values(networkInterfaces())
      .flat()
      .map((a) => a?.address);
    assert.ok(mine.includes(r.nodeIp), r.nodeIp);
  });

  test('configuration passes through', () => {
    assert.equal(r.containerRuntimeVersion, 'docker://20.10.24');
    assert.equal(r.kubeletPort, 10250);
    assert.equal(r.maxPods, 110);
    assert.equal(r.kubeletVersion, 'v1.32.0+skiff0.1.0');
  });
});

test('--node-ip is taken as given', async () => {
  const r = await new SystemReadings({ ...base, nodeIp: '10.99.0.2' }).read();
  assert.equal(r.nodeIp, '10.99.0.2');
});

test('a malformed --node-ip is an error naming the flag', async () => {
  await assert.rejects(new SystemReadings({ ...base, nodeIp: 'node-1' }).read(), /--node-ip/);
});

test('a missing data dir is an error naming the flag', async () => {
  const missing = join(dir, 'missing');
  await assert.rejects(new SystemReadings({ ...base, dataDir: missing }).read(), /--data-dir/);
});

test('the runtime version stays as last seen while the runtime does not answer', async () => {
  let answer: string | Error = new Error('connect ENOENT /run/docker.sock');
  const readingsOf = new SystemReadings({
    ...base,
    runtimeVersion: async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  assert.equal((await readingsOf.read()).containerRuntimeVersion, 'docker://Unknown');
  answer = 'docker://28.0.1';
  assert.equal((await readingsOf.read()).containerRuntimeVersion, 'docker://28.0.1');
  answer = new Error('connect ENOENT /run/docker.sock');
  assert.equal((await readingsOf.read()).containerRuntimeVersion, 'docker://28.0.1');
});
