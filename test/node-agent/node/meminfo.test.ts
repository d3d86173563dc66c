/**
 * parseMeminfo on /proc/meminfo texts (pure), and readMemory against this
 * machine's /proc/meminfo.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseMeminfo, readMemory } from '../../../node-agent/node/meminfo.ts';

const FALLBACK = { totalBytes: 7, availableBytes: 3 };
const KIB = 1024;

const cases: {
  name: string;
  text: string;
  want: { totalBytes: number; availableBytes: number };
}[] = [
  {
    name: 'MemTotal and MemAvailable, in kB',
    text: 'MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n',
    want: { totalBytes: 24000000 * KIB, availableBytes: 20000000 * KIB },
  },
  {
    name: 'no MemAvailable (kernels before 3.14): free + buffers + cached + slab',
    text: 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\nSwapCached: 5 kB\nSlab: 30 kB\n',
    want: { totalBytes: 1000 * KIB, availableBytes: 340 * KIB },
  },
  {
    name: 'an empty text: the fallback',
    text: '',
    want: FALLBACK,
  },
  {
    name: 'MemTotal of 0: the fallback total',
    text: 'MemTotal: 0 kB\nMemAvailable: 5 kB\n',
    want: { totalBytes: FALLBACK.totalBytes, availableBytes: 5 * KIB },
  },
];

for (const tc of cases) {
  test(`parseMeminfo: ${tc.name}`, () => {
    assert.deepEqual(parseMeminfo(tc.text, FALLBACK), tc.want);
  });
}

test('readMemory: this machine, as /proc/meminfo says', async () => {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(text)?.[1]) * KIB;
  const m = await readMemory();
  assert.equal(m.totalBytes, total);
  assert.ok(m.availableBytes > 0 && m.availableBytes <= total, String(m.availableBytes));
});
