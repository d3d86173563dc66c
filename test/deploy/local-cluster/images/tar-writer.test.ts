// The tar writer is checked against GNU tar, the real reader.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tarBuffer } from '../../../../deploy/local-cluster/images/tar-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'skifft-tar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
const entries = [
  { path: 'bin', type: 'dir' as const, mode: 0o755, size: 0 },
  {
    path: 'bin/tool',
    type: 'file' as const,
    mode: 0o755,
    size: 0,
    data: Buffer.from('#!/bin/sh\necho hi\n'),
  },
  { path: 'bin/alias', type: 'symlink' as const, mode: 0o777, size: 0, linkname: 'tool' },
  { path: 'tmp', type: 'dir' as const, mode: 0o1777, size: 0 },
  { path: longDir, type: 'dir' as const, mode: 0o755, size: 0 },
  {
    path: `${longDir}/file.txt`,
    type: 'file' as const,
    mode: 0o644,
    size: 0,
    data: Buffer.alloc(513, 7),
  },
];

test('GNU tar extracts what the writer produced, with modes, links and long paths', () => {
  const archive = join(dir, 'a.tar');
  writeFileSync(archive, tarBuffer(entries));
  const out = join(dir, 'out');
  execFileSync('mkdir', ['-p', out]);
  execFileSync('tar', ['-xpf', archive, '-C', out]);
  assert.equal(readFileSync(join(out, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
  assert.equal(statSync(join(out, 'bin/tool')).mode & 0o7777, 0o755);
  assert.equal(readlinkSync(join(out, 'bin/alias')), 'tool');
  assert.equal(statSync(join(out, 'tmp')).mode & 0o7777, 0o1777);
  assert.deepEqual(readFileSync(join(out, longDir, 'file.txt')), Buffer.alloc(513, 7));
  const listing = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
  assert.match(listing, /root\/root|0\/0/);
  assert.match(listing, /1970-01-01/);
});

test('the same entries give the same bytes', () => {
  assert.deepEqual(tarBuffer(entries), tarBuffer(entries));
});
