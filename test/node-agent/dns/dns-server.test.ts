/**
 * The DNS server for real: a real API server in-process (SQLite store in a
 * temp dir), Services and Endpoints made through the API client, the DNS
 * server on 127.0.0.1 with a random port, and node:dns (c-ares) asking
 * it over UDP and TCP. Names outside the cluster go to a fake upstream
 * this test runs on loopback: nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Endpoints, Service } from '../../../control-plane/api/types.ts';
import {
  RCODE,
  RR_TYPE,
  emptyHeader,
  encodeMessage,
  parseMessage,
  type DnsMessage,
} from '../../../node-agent/dns/dns-message.ts';
import { DnsServer } from '../../../node-agent/dns/dns-server.ts';
import { ApiFixture, eventually, quietLogger } from '../../control-plane/api/client/api-fixture.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const D = 'svc.cluster.local';
const EXTERNAL_IP = '203.0.113.7';

/**
 * The fake upstream: A for *.example.test, silence for fail.example.test
 * (so the server times out), NXDOMAIN for the rest. Records every name asked.
 */
class FakeUpstream {
  readonly asked: string[] = [];
  private sock: UdpSocket | undefined;
  private tcp: Server | undefined;

  async start(): Promise<number> {
    const sock = createSocket('udp4');
    this.sock = sock;
    sock.on('message', (bytes, rinfo) => {
      const answer = this.answer(new Uint8Array(bytes));
      if (answer) sock.send(answer, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const port = sock.address().port;
    // TCP on the same port: one length-prefixed query per connection is all this fake needs.
    this.tcp = createServer((conn) => {
      conn.on('error', () => undefined);
      conn.once('data', (chunk) => {
        const answer = this.answer(new Uint8Array(chunk.subarray(2)));
        if (!answer) return void conn.destroy();
        const frame = Buffer.alloc(2 + answer.length);
        frame.writeUInt16BE(answer.length, 0);
        frame.set(answer, 2);
        conn.end(frame);
      });
    });
    await new Promise<void>((resolve) => this.tcp?.listen(port, '127.0.0.1', resolve));
    return port;
  }

  close(): void {
    this.sock?.close();
    this.tcp?.close();
  }

  private answer(bytes: Uint8Array): Uint8Array | undefined {
    const q = parseMessage(bytes);
    const name = q.questions[0]?.name ?? '';
    this.asked.push(name);
    if (name === 'fail.example.test') return undefined;
    const found = name.endsWith('.example.test') && q.questions[0]?.type === RR_TYPE.A;
    return encodeMessage({
      header: { ...q.header, qr: true, ra: true, rcode: found ? 0 : RCODE.NXDOMAIN },
      questions: q.questions,
      answers: found ? [{ name, ttl: 60, data: { type: 'A', address: EXTERNAL_IP } }] : [],
      authority: [],
      additional: [],
    });
  }
}

let fx: ApiFixture;
let client: ApiClient;
let dns: DnsServer;
let running: Promise<void> | undefined;
const upstream = new FakeUpstream();
const ac = new AbortController();

before(async () => {
  fx = await ApiFixture.start();
  client = fx.client({ timeoutMs: 5_000 });
  const upstreamPort = await upstream.start();
  dns = new DnsServer({
    client,
    host: '127.0.0.1',
    port: 0,
    upstreams: [`127.0.0.1:${upstreamPort}`],
    upstreamTimeoutMs: 300,
    informerBackoff: { initialMs: 50, maxMs: 500 },
    logger: quietLogger,
  });
  running = dns.start(ac.signal);
  await dns.ready;
});

after(async () => {
  ac.abort();
  await running?.catch(() => undefined);
  upstream.close();
  await fx?.destroy();
});

/** A new resolver each time: c-ares caches answers per channel, and the test watches changes. */
function resolver(): Resolver {
  const r = new Resolver({ timeout: 3_000, tries: 2 });
  r.setServers([`127.0.0.1:${dns.port}`]);
  return r;
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'resolved';
}

async function createService(ns: string, name: string, spec: Service['spec']): Promise<Service> {
  return client.create<Service>(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec,
  });
}

async function putEndpoints(ns: string, name: string, subsets: Endpoints['subsets']) {
  const body: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace: ns, name },
    subsets,
  };
  try {
    const old = await client.get<Endpoints>(ENDPOINTS, name, { namespace: ns });
    body.metadata.resourceVersion = old.metadata.resourceVersion;
    return await client.update<Endpoints>(ENDPOINTS, body);
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    return client.create<Endpoints>(ENDPOINTS, body);
  }
}

describe('cluster names', () => {
  let web: Service;
  before(async () => {
    await client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'apps' },
    });
    web = await createService('default', 'web', {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'metrics', port: 9100, protocol: 'TCP' },
      ],
    });
    await createService('apps', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] });
    await putEndpoints('apps', 'db', [
      {
        addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.7' }],
        notReadyAddresses: [{ ip: '10.244.3.9' }],
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      },
    ]);
    await createService('default', 'ext', {
      type: 'ExternalName',
      externalName: 'db.example.test',
    });
    await eventually(
      'the DNS index to hold the new services',
      () =>
        dns.index.lookup(`ext.default.${D}`, RR_TYPE.CNAME)?.answers.length === 1 &&
        (dns.index.lookup(`db.apps.${D}`, RR_TYPE.A)?.answers.length ?? 0) === 2,
    );
  });

  test('A of a ClusterIP service is its allocated ClusterIP', async () => {
    assert.match(web.spec.clusterIP ?? '', /^10\.96\./);
    assert.deepEqual(await resolver().resolve4(`web.default.${D}`), [web.spec.clusterIP]);
  });

  test('AAAA of an existing name is NODATA; an unknown name is NXDOMAIN', async () => {
    assert.equal(await failure(resolver().resolve6(`web.default.${D}`)), 'ENODATA');
    assert.equal(await failure(resolver().resolve4(`nope.default.${D}`)), 'ENOTFOUND');
    assert.equal(await failure(resolver().resolve4(`web.nowhere.${D}`)), 'ENOTFOUND');
    assert.deepEqual(
      upstream.asked.filter((n) => n.endsWith('cluster.local')),
      [],
    );
  });

  test('SRV of a named port', async () => {
    assert.deepEqual(await resolver().resolveSrv(`_metrics._tcp.web.default.${D}`), [
      { name: `web.default.${D}`, port: 9100, priority: 0, weight: 100, type: 'SRV' },
    ]);
  });

  test('a headless service answers its ready endpoints, each with its own name', async () => {
    assert.deepEqual((await resolver().resolve4(`db.apps.${D}`)).sort(), [
      '10.244.1.5',
      '10.244.2.7',
    ]);
    assert.deepEqual(await resolver().resolve4(`db-0.db.apps.${D}`), ['10.244.1.5']);
    const srv = await resolver().resolveSrv(`_pg._tcp.db.apps.${D}`);
    assert.deepEqual(srv.map((s) => `${s.name}:${s.port}`).sort(), [
      `10-244-2-7.db.apps.${D}:5432`,
      `db-0.db.apps.${D}:5432`,
    ]);
  });

  test('PTR of a ClusterIP', async () => {
    const reversed = (web.spec.clusterIP ?? '').split('.').reverse().join('.');
    assert.deepEqual(await resolver().resolvePtr(`${reversed}.in-addr.arpa`), [`web.default.${D}`]);
  });

  test('ExternalName: CNAME, and A through the upstream', async () => {
    assert.deepEqual(await resolver().resolveCname(`ext.default.${D}`), ['db.example.test']);
    assert.deepEqual(await resolver().resolve4(`ext.default.${D}`), [EXTERNAL_IP]);
    assert.ok(upstream.asked.includes('db.example.test'));
  });

  test('an answer too big for UDP comes truncated and c-ares gets it over TCP', async () => {
    const addresses = Array.from({ length: 120 }, (_, i) => ({
      ip: `10.244.${10 + (i >> 6)}.${i & 63}`,
    }));
    await createService('apps', 'big', { clusterIP: 'None' });
    await putEndpoints('apps', 'big', [{ addresses }]);
    await eventually(
      'the big service in the index',
      () => dns.index.lookup(`big.apps.${D}`, RR_TYPE.A)?.answers.length === 120,
    );
    const udp = await rawQuery(`big.apps.${D}`, RR_TYPE.A);
    assert.equal(udp.header.tc, true);
    assert.equal(udp.answers.length, 0);
    const all = await resolver().resolve4(`big.apps.${D}`);
    assert.deepEqual(all.sort(), addresses.map((a) => a.ip).sort());
  });

  test('changes reach the index: a port renamed, a service deleted, endpoints moved', async () => {
    const current = await client.get<Service>(SERVICES, 'web', { namespace: 'default' });
    current.spec.ports = [{ name: 'https', port: 443, protocol: 'TCP' }];
    await client.update(SERVICES, current);
    await eventually('the renamed port', async () => {
      const srv = await resolver()
        .resolveSrv(`_https._tcp.web.default.${D}`)
        .catch(() => []);
      return srv.length === 1 && srv[0]?.port === 443;
    });
    assert.equal(await failure(resolver().resolveSrv(`_http._tcp.web.default.${D}`)), 'ENOTFOUND');

    await putEndpoints('apps', 'db', [{ addresses: [{ ip: '10.244.4.4' }] }]);
    await eventually('the moved endpoint', async () => {
      const ips = await resolver()
        .resolve4(`db.apps.${D}`)
        .catch(() => []);
      return ips.length === 1 && ips[0] === '10.244.4.4';
    });

    await client.delete(SERVICES, 'ext', { namespace: 'default' });
    await eventually('the deleted service to be NXDOMAIN', async () => {
      return (await failure(resolver().resolveCname(`ext.default.${D}`))) === 'ENOTFOUND';
    });
  });

  test('the index keeps answering while the API server is away', async () => {
    const ip = (await client.get<Service>(SERVICES, 'web', { namespace: 'default' })).spec
      .clusterIP;
    await fx.stop();
    try {
      assert.deepEqual(await resolver().resolve4(`web.default.${D}`), [ip]);
      assert.equal(await failure(resolver().resolve4(`nope.default.${D}`)), 'ENOTFOUND');
    } finally {
      await fx.restart();
    }
  });
});

describe('other names', () => {
  test('are forwarded to the upstream', async () => {
    assert.deepEqual(await resolver().resolve4('www.example.test'), [EXTERNAL_IP]);
    assert.ok(upstream.asked.includes('www.example.test'));
    assert.equal(await failure(resolver().resolve4('nothing.invalid')), 'ENOTFOUND');
  });

  test('a TCP query is forwarded over TCP', async () => {
    const reply = await tcpQuery('tcp.example.test', RR_TYPE.A);
    assert.deepEqual(
      reply.answers.map((a) => a.data),
      [{ type: 'A', address: EXTERNAL_IP }],
    );
    assert.ok(upstream.asked.includes('tcp.example.test'));
  });

  test('an upstream that does not answer gives SERVFAIL', async () => {
    assert.equal(await failure(resolver().resolve4('fail.example.test')), 'ESERVFAIL');
  });

  test('garbage gets FORMERR or nothing, and the server keeps answering', async () => {
    const garbage = [
      Uint8Array.from([1, 2, 3]),
      Uint8Array.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]),
      Uint8Array.from([0xab, 0xce, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]),
    ];
    const replies = await Promise.all(garbage.map((g) => rawSend(g, 500)));
    assert.equal(replies[0], undefined);
    assert.equal(replies[1] && parseMessage(replies[1]).header.rcode, RCODE.FORMERR);
    assert.equal(replies[1] && parseMessage(replies[1]).header.id, 0xabcd);
    assert.equal(replies[2], undefined, 'a response is never answered');
    assert.equal((await rawQuery(`web.default.${D}`, RR_TYPE.A)).header.rcode, RCODE.NOERROR);
  });
});

/** One UDP query without EDNS (512-byte limit), parsed. */
async function rawQuery(name: string, type: number): Promise<DnsMessage> {
  const q = encodeMessage({
    header: { ...emptyHeader(0x4242), rd: true },
    questions: [{ name, type, class: 1 }],
    answers: [],
    authority: [],
    additional: [],
  });
  const reply = await rawSend(q, 5_000);
  assert.ok(reply, `no answer to ${name}`);
  return parseMessage(reply);
}

/** Sends bytes to the server over UDP; the reply, or undefined after `waitMs`. */
function rawSend(bytes: Uint8Array, waitMs: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, waitMs);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(new Uint8Array(msg));
    });
    sock.send(bytes, dns.port, '127.0.0.1');
  });
}

/** One query over TCP to the server, parsed. */
function tcpQuery(name: string, type: number): Promise<DnsMessage> {
  const q = encodeMessage({
    header: { ...emptyHeader(0x5151), rd: true },
    questions: [{ name, type, class: 1 }],
    answers: [],
    authority: [],
    additional: [],
  });
  return new Promise((resolve, reject) => {
    const conn = connect({ host: '127.0.0.1', port: dns.port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => conn.destroy(new Error(`no TCP answer to ${name}`)), 5_000);
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      clearTimeout(timer);
      conn.destroy();
      resolve(parseMessage(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)))));
    });
    const frame = Buffer.alloc(2 + q.length);
    frame.writeUInt16BE(q.length, 0);
    frame.set(q, 2);
    conn.write(frame);
  });
}
