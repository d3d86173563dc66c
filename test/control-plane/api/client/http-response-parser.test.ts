import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  HttpParseError,
  ResponseParser,
  type ParsedResponse,
} from '../../../../control-plane/api/client/http-response-parser.ts';

// Raw responses, each parsed by node:http (the oracle) and by ResponseParser.
const CASES: { name: string; raw: string; method?: string; keepAlive: boolean }[] = [
  {
    name: 'Content-Length body',
    raw: 'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"é!"}',
    keepAlive: true,
  },
  {
    name: 'chunked body with extensions and trailers',
    raw:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n' +
      '4;ext=1\r\n{"a"\r\nA\r\n:[1,2,3,4]\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n',
    keepAlive: true,
  },
  {
    name: 'informational responses before the real one',
    raw: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    keepAlive: true,
  },
  {
    name: 'repeated fields: joined, set-cookie listed, single-valued kept first',
    raw:
      'HTTP/1.1 200 OK\r\nWarning: 299 - "a"\r\nwarning: 299 - "b"\r\nSet-Cookie: x=1\r\nSet-Cookie: y=2\r\n' +
      'Content-Type: text/plain\r\nContent-Type: text/html\r\nX-Empty:\r\nX-Pad:   v  \r\nContent-Length: 0\r\n\r\n',
    keepAlive: true,
  },
  {
    name: 'Connection: close',
    raw: 'HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc',
    keepAlive: false,
  },
  {
    name: 'HTTP/1.0 without keep-alive',
    raw: 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc',
    keepAlive: false,
  },
  {
    name: 'HTTP/1.0 with keep-alive and a timeout hint',
    raw: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\nabc',
    keepAlive: true,
  },
  {
    name: '204 has no body',
    raw: 'HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n',
    keepAlive: true,
  },
  {
    name: 'HEAD: no body whatever Content-Length says',
    raw: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n',
    method: 'HEAD',
    keepAlive: true,
  },
  {
    name: 'no length: the body runs to the end of the connection',
    raw: 'HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nboom, and more',
    keepAlive: false,
  },
];

// What node:http makes of `raw` served on a fresh connection that closes after it.
async function viaNode(
  port: number,
  method: string,
): Promise<Omit<ParsedResponse, 'keepAlive' | 'keepAliveTimeoutMs'>> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = { ...res.headers } as Record<string, string | string[]>;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end();
  });
}

// Feeds `raw` in pieces of `size` bytes, then ends the connection if needed.
function parse(raw: Buffer, size: number, method = 'GET'): ParsedResponse {
  const p = new ResponseParser(method === 'HEAD');
  for (let i = 0; i < raw.length; i += size) {
    const done = p.push(raw.subarray(i, i + size));
    if (done) {
      assert.equal(done.extra.length, raw.length - Math.min(raw.length, i + size));
      return done.response;
    }
  }
  const res = p.end();
  assert.ok(res, 'the response never completed');
  return res;
}

describe('ResponseParser agrees with node:http', () => {
  let server: net.Server;
  let current = Buffer.alloc(0);
  before(async () => {
    server = net.createServer((s) => {
      s.once('data', () => s.end(current));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => server.close());

  for (const tc of CASES) {
    test(tc.name, async () => {
      const raw = Buffer.from(tc.raw, 'utf8');
      current = raw;
      const port = (server.address() as net.AddressInfo).port;
      const want = await viaNode(port, tc.method ?? 'GET');
      // Whole, then byte by byte, then in uneven pieces: chunk borders must not matter.
      for (const size of [raw.length, 1, 7]) {
        const got = parse(raw, size, tc.method);
        assert.equal(got.status, want.status);
        assert.deepEqual(got.headers, want.headers);
        assert.equal(got.body.toString('latin1'), want.body.toString('latin1'));
        assert.equal(got.keepAlive, tc.keepAlive);
      }
    });
  }
});

describe('ResponseParser edges', () => {
  test('the Keep-Alive timeout hint in ms', () => {
    const raw = Buffer.from(
      'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n',
    );
    assert.equal(parse(raw, raw.length).keepAliveTimeoutMs, 5_000);
  });

  test('bytes after the response come back as extra', () => {
    const p = new ResponseParser();
    const done = p.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1'));
    assert.equal(done?.response.body.toString(), 'x');
    assert.equal(done?.extra.toString(), 'HTTP/1.1');
  });

  test('a response cut short is no response', () => {
    for (const raw of [
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab',
      'HTTP/1.1 200 OK\r\nContent-Le',
    ]) {
      const p = new ResponseParser();
      assert.equal(p.push(Buffer.from(raw)), undefined);
      assert.equal(p.started, true);
      assert.equal(p.end(), undefined, raw);
    }
    assert.equal(new ResponseParser().started, false);
  });

  for (const [name, raw] of [
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    [
      'chunk data longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
    ],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n'],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
  ] as const) {
    test(`throws on ${name}`, () => {
      assert.throws(() => new ResponseParser().push(Buffer.from(raw)), HttpParseError);
    });
  }
});
