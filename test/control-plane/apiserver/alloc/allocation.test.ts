/**
 * The pure parts of service allocation: CIDR and port-range parsing,
 * address offsets and the bitmap's allocation policy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Bitmap,
  ipStaticBand,
  portStaticBand,
} from '../../../../control-plane/apiserver/alloc/bitmap.ts';
import {
  ipAt,
  ipOffset,
  parseCidr,
  parsePortRange,
} from '../../../../control-plane/apiserver/alloc/cidr.ts';

describe('parseCidr', () => {
  const good: [string, string, number][] = [
    ['10.96.0.0/16', '10.96.0.0/16', 65534],
    ['10.0.0.0/24', '10.0.0.0/24', 254],
    ['192.168.4.0/30', '192.168.4.0/30', 2],
  ];
  for (const [text, cidr, count] of good) {
    it(`${text} has ${count} allocatable addresses`, () => {
      const r = parseCidr(text);
      assert.equal(r.cidr, cidr);
      assert.equal(r.count, count);
    });
  }
  const bad: [string, RegExp][] = [
    ['10.96.0.0', /not an IPv4 CIDR/],
    ['10.96.0.0/31', /not an IPv4 CIDR/],
    ['300.1.1.1/16', /not an IPv4 CIDR/],
    ['10.96.1.0/16', /host bits set; use 10\.96\.0\.0\/16/],
    ['fd00::/64', /not an IPv4 CIDR/],
  ];
  for (const [text, message] of bad)
    it(`refuses ${text}`, () => assert.throws(() => parseCidr(text), message));

  it('maps offsets to addresses and back, excluding network and broadcast', () => {
    const r = parseCidr('10.96.0.0/16');
    assert.equal(ipAt(r, 0), '10.96.0.1');
    assert.equal(ipAt(r, 9), '10.96.0.10');
    assert.equal(ipAt(r, 65533), '10.96.255.254');
    assert.equal(ipOffset(r, '10.96.0.1'), 0);
    assert.equal(ipOffset(r, '10.96.255.254'), 65533);
    for (const outside of ['10.96.0.0', '10.96.255.255', '10.97.0.1', 'nope', '10.96.01.1']) {
      assert.equal(ipOffset(r, outside), undefined, outside);
    }
  });
});

describe('parsePortRange', () => {
  it('parses A-B inclusive', () =>
    assert.deepEqual(parsePortRange('30000-32767'), {
      text: '30000-32767',
      base: 30000,
      count: 2768,
    }));
  for (const bad of ['30000', '32767-30000', '0-10', '1-70000']) {
    it(`refuses ${bad}`, () =>
      assert.throws(() => parsePortRange(bad), /must look like 30000-32767/));
  }
});

describe('Bitmap', () => {
  it('round-trips through base64', () => {
    const b = new Bitmap(100);
    for (const o of [0, 7, 8, 99]) b.set(o);
    const c = Bitmap.fromBase64(100, b.toBase64());
    assert.deepEqual(
      [0, 7, 8, 99, 50].map((o) => c.has(o)),
      [true, true, true, true, false],
    );
    assert.equal(c.used(), 4);
  });

  it('picks from the upper band first, then the lower band, then reports full', () => {
    const b = new Bitmap(40);
    const band = ipStaticBand(40); // 16: offsets 16..39 first
    const picked: number[] = [];
    for (let i = 0; i < 40; i++) {
      const o = b.pickFree(band, () => 0.5);
      assert.notEqual(o, undefined);
      b.set(o as number);
      picked.push(o as number);
    }
    assert.ok(
      picked.slice(0, 24).every((o) => o >= 16),
      'upper band first',
    );
    assert.ok(
      picked.slice(24).every((o) => o < 16),
      'then the lower band',
    );
    assert.equal(new Set(picked).size, 40);
    assert.equal(b.pickFree(band), undefined);
  });

  it('static bands follow Kubernetes: 256 addresses of a /16, 86 ports of 30000-32767', () => {
    assert.equal(ipStaticBand(65534), 256);
    assert.equal(ipStaticBand(254), 16);
    assert.equal(ipStaticBand(2046), 127);
    assert.equal(portStaticBand(2768), 86);
    assert.equal(portStaticBand(100), 16);
    assert.equal(portStaticBand(20000), 128);
    assert.equal(portStaticBand(10), 10);
  });
});
