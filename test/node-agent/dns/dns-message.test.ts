/**
 * The wire format, pure: round trips of every record type, name
 * compression, truncation, and untrusted bytes (hand-made malformed
 * messages and seeded random mutations) rejected with DnsFormatError only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  RCODE,
  RR_TYPE,
  emptyHeader,
  encodeMessage,
  encodeWithin,
  parseMessage,
  type DnsMessage,
  type ResourceRecord,
} from '../../../node-agent/dns/dns-message.ts';
import { DnsFormatError, nameLabels } from '../../../node-agent/dns/dns-wire.ts';

const rr = (name: string, data: ResourceRecord['data'], ttl = 5): ResourceRecord => ({
  name,
  class: 1,
  ttl,
  data,
});

function message(over: Partial<DnsMessage> = {}): DnsMessage {
  return {
    header: { ...emptyHeader(0x1234), qr: true, aa: true, rd: true, ra: true },
    questions: [{ name: 'web.default.svc.cluster.local', type: RR_TYPE.A, class: 1 }],
    answers: [],
    authority: [],
    additional: [],
    ...over,
  };
}

const soa = rr('cluster.local', {
  type: 'SOA',
  mname: 'ns.dns.cluster.local',
  rname: 'hostmaster.cluster.local',
  serial: 4_000_000_000,
  refresh: 7200,
  retry: 1800,
  expire: 86400,
  minimum: 5,
});

describe('round trips', () => {
  const cases: { name: string; msg: DnsMessage }[] = [
    { name: 'a bare query', msg: message({ header: { ...emptyHeader(7), rd: true } }) },
    {
      name: 'A answers',
      msg: message({
        answers: [
          rr('web.default.svc.cluster.local', { type: 'A', address: '10.96.0.12' }),
          rr('web.default.svc.cluster.local', { type: 'A', address: '255.0.0.1' }, 2 ** 31),
        ],
      }),
    },
    {
      name: 'CNAME, PTR and NS',
      msg: message({
        answers: [
          rr('ext.default.svc.cluster.local', { type: 'CNAME', target: 'example.test' }),
          rr('12.0.96.10.in-addr.arpa', { type: 'PTR', target: 'web.default.svc.cluster.local' }),
          rr('cluster.local', { type: 'NS', target: 'ns.dns.cluster.local' }),
        ],
      }),
    },
    {
      name: 'SRV with glue and SOA authority',
      msg: message({
        questions: [{ name: '_http._tcp.web.default.svc.cluster.local', type: 33, class: 1 }],
        answers: [
          rr('_http._tcp.web.default.svc.cluster.local', {
            type: 'SRV',
            priority: 0,
            weight: 100,
            port: 8080,
            target: 'web.default.svc.cluster.local',
          }),
        ],
        authority: [soa],
        additional: [rr('web.default.svc.cluster.local', { type: 'A', address: '10.96.0.12' })],
      }),
    },
    {
      name: 'an unknown type kept as bytes, and EDNS',
      msg: message({
        header: { ...emptyHeader(0xffff), qr: true, rcode: RCODE.NXDOMAIN, cd: true, ad: true },
        answers: [rr('x.test', { type: 'RAW', code: 28, rdata: new Uint8Array(16).fill(0xab) })],
        edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: true },
      }),
    },
    {
      name: 'escaped label bytes',
      msg: message({ questions: [{ name: 'a\\.b.\\000\\255x.test', type: 1, class: 1 }] }),
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const bytes = encodeMessage(tc.msg);
      assert.deepEqual(parseMessage(bytes), tc.msg);
      // And bytes → message → bytes is stable.
      assert.deepEqual(encodeMessage(parseMessage(bytes)), bytes);
    });
  }
});

describe('name compression', () => {
  test('repeated suffixes become pointers, case-insensitively', () => {
    const names = [
      'web.default.svc.cluster.local',
      'WEB.default.svc.cluster.local',
      'db.default.svc.cluster.local',
    ];
    const msg = message({ answers: names.map((n) => rr(n, { type: 'A', address: '10.0.0.1' })) });
    const bytes = encodeMessage(msg);
    const full = 1 + 'web.default.svc.cluster.local'.length + 1;
    // Header 12, the question's full name + 4; each A record has 14 bytes after its owner name,
    // which is a pointer to the question (2) for both web names and "db" + a pointer (3 + 2).
    assert.equal(bytes.length, 12 + full + 4 + (2 + 14) + (2 + 14) + (5 + 14));
    assert.deepEqual(
      parseMessage(bytes).answers.map((a) => a.name),
      ['web.default.svc.cluster.local', 'web.default.svc.cluster.local', names[2]],
    );
  });

  test('an SRV target is never compressed (RFC 2782)', () => {
    const target = 'web.default.svc.cluster.local';
    const msg = message({
      answers: [rr(target, { type: 'SRV', priority: 0, weight: 1, port: 80, target })],
    });
    const bytes = encodeMessage(msg);
    const tail = bytes.subarray(bytes.length - (target.length + 2));
    assert.deepEqual(Buffer.from(tail).subarray(1, 4).toString(), 'web');
    assert.equal(tail[tail.length - 1], 0);
  });
});

test('an answer over the limit is truncated to the question with TC set', () => {
  const answers = Array.from({ length: 60 }, (_, i) =>
    rr('big.default.svc.cluster.local', { type: 'A', address: `10.0.0.${i}` }),
  );
  const msg = message({
    answers,
    edns: { udpSize: 512, extendedRcode: 0, version: 0, dnssecOk: false },
  });
  assert.ok(encodeMessage(msg).length > 512);
  const cut = parseMessage(encodeWithin(msg, 512));
  assert.equal(cut.header.tc, true);
  assert.deepEqual(cut.answers, []);
  assert.deepEqual(cut.questions, msg.questions);
  assert.deepEqual(cut.edns, msg.edns);
  assert.deepEqual(parseMessage(encodeWithin(msg, 65_535)).answers.length, 60);
});

describe('malformed input is a DnsFormatError', () => {
  const header = (qd: number, an = 0, ar = 0) => [
    0x12,
    0x34,
    0x01,
    0x00,
    0,
    qd,
    0,
    an,
    0,
    0,
    0,
    ar,
  ];
  const q = (...name: number[]) => [...header(1), ...name, 0, 1, 0, 1];
  const cases: { name: string; input: unknown }[] = [
    { name: 'not bytes', input: 'hello' },
    { name: 'a plain array', input: header(0) },
    { name: 'shorter than a header', input: new Uint8Array(11) },
    { name: 'longer than 65535', input: new Uint8Array(65_536) },
    { name: 'counts beyond the bytes', input: Uint8Array.from([...header(0, 0xffff)]) },
    { name: 'a name running past the end', input: Uint8Array.from(q(5, 0x61)) },
    { name: 'a pointer to itself', input: Uint8Array.from(q(0xc0, 12)) },
    { name: 'a forward pointer', input: Uint8Array.from(q(0xc0, 40)) },
    { name: 'a truncated pointer', input: Uint8Array.from([...header(1), 0xc0]) },
    { name: 'label type 0x40', input: Uint8Array.from(q(0x41, 0x61)) },
    {
      name: 'a name over 255 octets',
      input: Uint8Array.from(
        q(...Array.from({ length: 5 }, () => [63, ...new Array(63).fill(0x61)]).flat()),
      ),
    },
    { name: 'bytes after the last record', input: Uint8Array.from([...q(0), 0]) },
    {
      name: 'an A record of 5 bytes',
      input: Uint8Array.from([...header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 5, 1, 2, 3, 4, 5]),
    },
    {
      name: 'an OPT record in the answer section',
      input: Uint8Array.from([...header(0, 1), 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0]),
    },
    {
      name: 'two OPT records',
      input: Uint8Array.from([
        ...header(0, 0, 2),
        ...[0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0],
        ...[0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0],
      ]),
    },
    {
      name: 'record data past the end',
      input: Uint8Array.from([...header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2]),
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => assert.throws(() => parseMessage(tc.input), DnsFormatError));
  }

  // Question "a" at 12; answer 1 (type 99) holds `n` pointers, each to the one before it (the first
  // to "a"); answer 2's owner points at the last, so reading it follows all n.
  const pointerChain = (n: number): Uint8Array => {
    const bytes = [...header(1, 2), 1, 0x61, 0, 0, 1, 0, 1];
    bytes.push(1, 0x62, 0, 0, 99, 0, 1, 0, 0, 0, 5, (2 * n) >> 8, (2 * n) & 0xff);
    let prev = 12;
    for (let i = 0; i < n; i++) {
      const at = bytes.length;
      bytes.push(0xc0 | (prev >> 8), prev & 0xff);
      prev = at;
    }
    bytes.push(0xc0 | (prev >> 8), prev & 0xff, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 0, 0, 1);
    return Uint8Array.from(bytes);
  };

  test('pointer chains are followed up to 127 jumps, and no further', () => {
    assert.equal(parseMessage(pointerChain(100)).answers[1]?.name, 'a');
    assert.throws(() => parseMessage(pointerChain(200)), /too many compression pointers/);
  });

  test('seeded random mutations of valid messages throw DnsFormatError or parse', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed % n;
    };
    const base = encodeMessage(
      message({
        answers: [rr('web.default.svc.cluster.local', { type: 'A', address: '10.96.0.12' })],
        authority: [soa],
        edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false },
      }),
    );
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from(base).subarray(0, rand(base.length + 1));
      for (let k = 0, n = 1 + rand(4); k < n && b.length; k++) b[rand(b.length)] = rand(256);
      try {
        parseMessage(b);
        parsed++;
      } catch (err) {
        assert.ok(err instanceof DnsFormatError, `mutation ${i}: ${String(err)}`);
      }
    }
    assert.ok(parsed > 0 && parsed < 3000, `parsed ${parsed} of 3000 mutations`);
  });
});

describe('names', () => {
  test('labels over 63 octets, empty labels and names over 255 are refused on output', () => {
    assert.throws(() => nameLabels('a'.repeat(64) + '.test'), DnsFormatError);
    assert.throws(() => nameLabels('a..test'), DnsFormatError);
    assert.throws(() => nameLabels(Array(130).fill('ab').join('.')), DnsFormatError);
    assert.deepEqual(nameLabels('web.test.').length, 2);
    assert.deepEqual(nameLabels(''), []);
  });
});
