import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Transport, TransportError } from '../../../../control-plane/api/client/transport.ts';
import { makeCertificates } from '../../../harness/etcd-tls.ts';

// A node:http server that echoes each request and counts the connections it accepted.
async function echoServer(
  opts: https.ServerOptions | undefined = undefined,
): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const status = Number(url.searchParams.get('status') ?? 200);
      const size = Number(url.searchParams.get('size') ?? 0);
      const peer = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
      const body = JSON.stringify({
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientCert: peer?.subject?.CN ?? null,
        pad: 'x'.repeat(size),
      });
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json');
      if (url.searchParams.has('close')) res.setHeader('Connection', 'close');
      // Large answers go out chunked, small ones with a Content-Length.
      if (size > 0) res.write(body.slice(0, 10));
      res.end(size > 0 ? body.slice(10) : body);
    });
  };
  const server = opts ? https.createServer(opts, handler) : http.createServer(handler);
  let n = 0;
  server.on('connection', () => n++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${opts ? 'https' : 'http'}://127.0.0.1:${port}`,
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// A raw TCP server whose answer to the n-th request on a connection is `answer(n, socket)`.
async function rawServer(
  answer: (n: number, s: net.Socket) => void,
): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let seen = 0;
    s.on('data', () => answer(++seen, s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const json = (body: Buffer): Record<string, unknown> =>
  JSON.parse(body.toString('utf8')) as Record<string, unknown>;

describe('Transport.send over kept-alive connections', () => {
  let srv: Awaited<ReturnType<typeof echoServer>>;
  before(async () => {
    srv = await echoServer();
  });
  after(() => srv.close());

  test('sends method, path, headers and a UTF-8 body; answers whatever the status', async () => {
    const t = new Transport({ server: srv.url + '/prefix/', token: 'tok' });
    try {
      const res = await t.send({
        method: 'POST',
        path: '/api/v1/x?status=422',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":"é"}',
        timeoutMs: 30_000,
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers['content-type'], 'application/json');
      const echo = json(res.body);
      assert.equal(echo.method, 'POST');
      assert.equal(echo.path, '/prefix/api/v1/x?status=422');
      assert.equal(echo.body, '{"name":"é"}');
      const h = echo.headers as Record<string, string>;
      assert.equal(h.authorization, 'Bearer tok');
      assert.equal(h['content-length'], String(Buffer.byteLength('{"name":"é"}')));
      assert.equal(h.host, new URL(srv.url).host);
      assert.equal(h.accept, 'application/json');
    } finally {
      t.close();
    }
  });

  test('sequential requests share one connection; concurrent ones get their own answers', async () => {
    const t = new Transport({ server: srv.url });
    try {
      const before = srv.connections();
      for (let i = 0; i < 5; i++) await t.send({ method: 'GET', path: `/seq/${i}` });
      assert.equal(srv.connections() - before, 1);
      const all = await Promise.all(
        Array.from({ length: 40 }, (_, i) => t.send({ method: 'GET', path: `/par/${i}` })),
      );
      all.forEach((res, i) => assert.equal(json(res.body).path, `/par/${i}`));
      assert.ok(srv.connections() - before <= 40);
    } finally {
      t.close();
    }
  });

  test('maxSockets bounds the connections; the rest wait their turn', async () => {
    const t = new Transport({ server: srv.url }, { maxSockets: 2 });
    try {
      const before = srv.connections();
      const all = await Promise.all(
        Array.from({ length: 12 }, (_, i) => t.send({ method: 'GET', path: `/lim/${i}` })),
      );
      all.forEach((res, i) => assert.equal(json(res.body).path, `/lim/${i}`));
      assert.equal(srv.connections() - before, 2);
    } finally {
      t.close();
    }
  });

  test('a large chunked answer arrives whole; Connection: close is honoured', async () => {
    const t = new Transport({ server: srv.url });
    try {
      const res = await t.send({ method: 'GET', path: '/big?size=1000000' });
      assert.equal((json(res.body).pad as string).length, 1_000_000);
      assert.equal(res.headers['transfer-encoding'], 'chunked');
      const before = srv.connections();
      await t.send({ method: 'GET', path: '/c?close=1' });
      await t.send({ method: 'GET', path: '/after-close' });
      assert.equal(srv.connections() - before, 1);
    } finally {
      t.close();
    }
  });

  test('header fields and paths node:http refuses are refused', async () => {
    const t = new Transport({ server: srv.url });
    try {
      await assert.rejects(
        t.send({ method: 'GET', path: '/x', headers: { 'X-A': 'a\r\nInjected: 1' } }),
        TypeError,
      );
      await assert.rejects(t.send({ method: 'GET', path: '/a b' }), TypeError);
      await assert.rejects(t.send({ method: 'G T', path: '/x' }), TypeError);
    } finally {
      t.close();
    }
  });
});

describe('Transport.send failures', () => {
  test('a reused connection the server closed: GET is sent again, POST fails ECONNRESET', async () => {
    // Each connection answers its first request and drops on the second, unanswered.
    const srv = await rawServer((n, s) => (n === 1 ? s.write(OK) : s.destroy()));
    const t = new Transport({ server: srv.url });
    try {
      await t.send({ method: 'GET', path: '/1' });
      const res = await t.send({ method: 'GET', path: '/2' });
      assert.equal(res.body.toString(), 'ok');
      assert.equal(srv.connections(), 2);
      await assert.rejects(t.send({ method: 'POST', path: '/3', body: '{}' }), (err: unknown) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.code, 'ECONNRESET');
        assert.match(err.message, /POST http:\/\/127\.0\.0\.1:\d+\/3 failed/);
        return true;
      });
    } finally {
      t.close();
      await srv.close();
    }
  });

  test('no answer within the deadline: Timeout; the transport keeps working', async () => {
    const srv = await rawServer((_n, s) => {
      if (srv.connections() > 1) s.write(OK); // only the first connection stays silent
    });
    const t = new Transport({ server: srv.url });
    try {
      await assert.rejects(t.send({ method: 'GET', path: '/slow', timeoutMs: 200 }), (err) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.code, 'Timeout');
        assert.match(err.message, /GET http:\/\/127\.0\.0\.1:\d+\/slow: no response within 200 ms/);
        return true;
      });
      assert.equal((await t.send({ method: 'GET', path: '/next' })).body.toString(), 'ok');
    } finally {
      t.close();
      await srv.close();
    }
  });

  test('an aborted signal ends the exchange at once, before or during it', async () => {
    const srv = await rawServer(() => undefined);
    const t = new Transport({ server: srv.url });
    try {
      const ac = new AbortController();
      const p = t.send({ method: 'GET', path: '/hang', signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(p, { name: 'AbortError' });
      await assert.rejects(t.send({ method: 'GET', path: '/x', signal: ac.signal }), {
        name: 'AbortError',
      });
    } finally {
      t.close();
      await srv.close();
    }
  });

  test('nothing listening: ECONNREFUSED naming the URL', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t = new Transport({ server: `http://127.0.0.1:${port}` });
    try {
      await assert.rejects(t.send({ method: 'GET', path: '/api' }), (err) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.code, 'ECONNREFUSED');
        assert.match(err.message, new RegExp(`GET http://127.0.0.1:${port}/api failed: .*running`));
        return true;
      });
    } finally {
      t.close();
    }
  });

  test('bytes that are not HTTP fail the request', async () => {
    const srv = await rawServer((_n, s) => s.write('SSH-2.0-nope\r\n\r\n'));
    const t = new Transport({ server: srv.url });
    try {
      await assert.rejects(t.send({ method: 'GET', path: '/' }), TransportError);
    } finally {
      t.close();
      await srv.close();
    }
  });
});

describe('Transport.send over TLS', () => {
  let dir: string;
  let srv: Awaited<ReturnType<typeof echoServer>>;
  const file = (name: string) => readFileSync(join(dir, name));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-transport-tls-'));
    makeCertificates(dir);
    srv = await echoServer({
      key: file('server.key'),
      cert: file('server.crt'),
      ca: file('ca.crt'),
      requestCert: true,
      rejectUnauthorized: false,
    });
  });
  after(async () => {
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the CA verifies the server; the client certificate is presented', async () => {
    const t = new Transport({
      server: srv.url,
      ca: file('ca.crt'),
      cert: file('client.crt'),
      key: file('client.key'),
    });
    try {
      const res = await t.send({ method: 'GET', path: '/secure' });
      assert.equal(json(res.body).clientCert, 'skiff-test-client');
    } finally {
      t.close();
    }
  });

  test('an unknown CA is refused unless verification is skipped', async () => {
    const strict = new Transport({ server: srv.url });
    const lax = new Transport({ server: srv.url, insecureSkipTlsVerify: true });
    try {
      await assert.rejects(strict.send({ method: 'GET', path: '/' }), TransportError);
      assert.equal((await lax.send({ method: 'GET', path: '/lax' })).status, 200);
    } finally {
      strict.close();
      lax.close();
    }
  });
});
