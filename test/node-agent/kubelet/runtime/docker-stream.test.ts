import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  DemuxStream,
  demuxBuffer,
  lines,
} from '../../../../node-agent/kubelet/runtime/docker-stream.ts';

/** One Docker multiplexing frame: stream type (1 stdout, 2 stderr), 3 zero bytes, length, payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const all = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err two\n'), frame(1, 'out three\n')]);

test('demuxBuffer strips the frame headers and keeps the order of stdout and stderr', () => {
  assert.equal(demuxBuffer(all).toString(), 'out one\nerr two\nout three\n');
  assert.equal(demuxBuffer(Buffer.alloc(0)).toString(), '');
});

const splits: [string, number[]][] = [
  ['whole', [all.length]],
  ['byte by byte', Array.from({ length: all.length }, () => 1)],
  ['inside a header', [3, 10, all.length - 13]],
  ['inside a payload', [12, 5, all.length - 17]],
];

for (const [name, sizes] of splits) {
  test(`DemuxStream reassembles frames split ${name}`, async () => {
    const chunks: Buffer[] = [];
    let at = 0;
    for (const size of sizes) {
      chunks.push(all.subarray(at, at + size));
      at += size;
    }
    let out = '';
    for await (const b of Readable.from(chunks).pipe(new DemuxStream())) out += String(b);
    assert.equal(out, 'out one\nerr two\nout three\n');
  });
}

test('lines splits NDJSON across chunks, skips blank lines and keeps a final partial line', async () => {
  const got: string[] = [];
  for await (const l of lines(Readable.from(['{"a":1}\n{"b"', ':2}\n\n  \n{"c":3}']))) got.push(l);
  assert.deepEqual(got, ['{"a":1}', '{"b":2}', '{"c":3}']);
});
