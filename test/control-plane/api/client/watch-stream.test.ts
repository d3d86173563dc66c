import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../../../control-plane/api/errors.ts';
import {
  LineSplitter,
  parseWatchLine,
  readWatchEvents,
} from '../../../../control-plane/api/client/watch-stream.ts';

const pod = (name: string, rv: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: rv, labels: { note: 'café ☕' } },
});
const events = [
  { type: 'ADDED', object: pod('a', '1') },
  { type: 'MODIFIED', object: pod('a', '2') },
  {
    type: 'BOOKMARK',
    object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '5' } },
  },
  { type: 'DELETED', object: pod('a', '6') },
];
const wire = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));

// Every way to cut the stream: one chunk, byte by byte, and cuts inside the multi-byte characters.
function chunkings(buf: Buffer): { name: string; chunks: Buffer[] }[] {
  const every = (n: number) => {
    const out: Buffer[] = [];
    for (let i = 0; i < buf.length; i += n) out.push(buf.subarray(i, i + n));
    return out;
  };
  const cafe = buf.indexOf(Buffer.from('é'));
  return [
    { name: 'one chunk', chunks: [buf] },
    { name: 'one byte a chunk', chunks: every(1) },
    { name: 'seven bytes a chunk', chunks: every(7) },
    {
      name: 'cut inside a UTF-8 character',
      chunks: [buf.subarray(0, cafe + 1), buf.subarray(cafe + 1)],
    },
  ];
}

async function* fromChunks(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

async function collect(chunks: Buffer[]) {
  const out = [];
  for await (const ev of readWatchEvents(fromChunks(chunks), 'test')) out.push(ev);
  return out;
}

describe('watch stream', () => {
  for (const tc of chunkings(wire)) {
    test(`parses every event whatever the chunking: ${tc.name}`, async () => {
      assert.deepEqual(await collect(tc.chunks), events);
    });
  }

  test('LineSplitter keeps a partial line until it is finished and skips blank lines', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('{"a":1}\n\n{"b"'), ['{"a":1}']);
    assert.deepEqual(s.push(':2}\n  \n'), ['{"b":2}']);
    assert.deepEqual(s.push('{"c"'), []);
    assert.equal(s.end(), '{"c"');
  });

  test('an ERROR event ends the stream with its Status as an ApiError', async () => {
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 5 (10)',
      reason: 'Expired',
      code: 410,
    };
    const lines = [events[0], { type: 'ERROR', object: status }, events[1]];
    const buf = Buffer.from(lines.map((e) => JSON.stringify(e) + '\n').join(''));
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of readWatchEvents(fromChunks([buf]), 'test')) seen.push(ev.type);
      })(),
      (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 410);
        assert.equal(err.reason, 'Expired');
        assert.equal(err.message, status.message);
        return true;
      },
    );
    assert.deepEqual(seen, ['ADDED']);
  });

  test('a line cut off by a dropped connection is not an event', async () => {
    const cut = Buffer.concat([wire, Buffer.from('{"type":"ADDED","obj')]);
    assert.deepEqual(await collect([cut]), events);
  });

  const bad = [
    { name: 'not JSON', line: 'hello', message: /not JSON: hello/ },
    { name: 'unknown type', line: '{"type":"CHANGED","object":{}}', message: /not a watch event/ },
    { name: 'no object', line: '{"type":"ADDED"}', message: /not a watch event/ },
    { name: 'an array', line: '[1]', message: /not a watch event/ },
  ];
  for (const tc of bad) {
    test(`rejects a malformed line: ${tc.name}`, () => {
      assert.throws(() => parseWatchLine(tc.line, 'GET /api/v1/pods'), {
        message: new RegExp(
          `^watch GET /api/v1/pods: received a line that is ${tc.message.source}`,
        ),
      });
    });
  }
});
