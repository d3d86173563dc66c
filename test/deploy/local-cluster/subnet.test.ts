import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeCandidates } from '../../../deploy/local-cluster/host-network.ts';
import { parseIpAddrJson, parseIpRouteJson } from '../../../deploy/local-cluster/host-subnets.ts';
import {
  addressAt,
  cidrsOverlap,
  formatCidr,
  parseCidr,
  pickFreeSubnet,
} from '../../../deploy/local-cluster/subnet.ts';

const overlaps: { a: string; b: string; want: boolean }[] = [
  { a: '172.30.0.0/24', b: '172.30.0.0/16', want: true },
  { a: '172.30.0.0/24', b: '172.30.1.0/24', want: false },
  { a: '10.96.0.0/16', b: '10.96.255.1/32', want: true },
  { a: '192.0.2.0/24', b: '192.0.3.0/24', want: false },
  { a: '0.0.0.0/0', b: '8.8.8.8/32', want: true },
];
for (const tc of overlaps) {
  test(`cidrsOverlap(${tc.a}, ${tc.b}) is ${tc.want}`, () => {
    assert.equal(cidrsOverlap(parseCidr(tc.a), parseCidr(tc.b)), tc.want);
    assert.equal(cidrsOverlap(parseCidr(tc.b), parseCidr(tc.a)), tc.want);
  });
}

test('parseCidr clears host bits and rejects garbage', () => {
  assert.equal(formatCidr(parseCidr('172.30.0.1/24')), '172.30.0.0/24');
  assert.equal(formatCidr(parseCidr('10.0.0.7')), '10.0.0.7/32');
  for (const bad of ['10.0.0/24', '10.0.0.256/24', '10.0.0.0/33', 'x/8', '']) {
    assert.throws(() => parseCidr(bad), /not an IPv4/, bad);
  }
});

test('addressAt stays within the hosts of the network', () => {
  const net = parseCidr('172.30.4.0/24');
  assert.equal(addressAt(net, 1), '172.30.4.1');
  assert.equal(addressAt(net, 254), '172.30.4.254');
  assert.throws(() => addressAt(net, 0), /outside/);
  assert.throws(() => addressAt(net, 255), /outside/);
});

test('pickFreeSubnet skips candidates the host uses', () => {
  const used = ['192.0.2.0/24', '172.30.0.0/24', '172.30.1.5/32'];
  assert.equal(
    pickFreeSubnet(['172.30.0.0/24', '172.30.1.0/24', '172.30.2.0/24'], used),
    '172.30.2.0/24',
  );
  assert.equal(pickFreeSubnet(['192.0.2.128/25'], used), undefined);
});

test('the host subnets come from ip -j output, without the default route', () => {
  const addr = JSON.stringify([
    { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
    {
      ifname: 'eth0',
      addr_info: [
        { family: 'inet6', local: 'fd00::2', prefixlen: 64 },
        { family: 'inet', local: '192.0.2.2', prefixlen: 24 },
      ],
    },
  ]);
  assert.deepEqual(parseIpAddrJson(addr), ['127.0.0.1/8', '192.0.2.2/24']);
  const routes = JSON.stringify([
    { dst: 'default', gateway: '192.0.2.1' },
    { dst: '192.0.2.0/24' },
    { type: 'local', dst: '192.0.2.2' },
  ]);
  assert.deepEqual(parseIpRouteJson(routes), ['192.0.2.0/24', '192.0.2.2/32']);
});

test('bridge candidates start at 172.30.0.0/24 for skiff and elsewhere for other prefixes', () => {
  assert.equal(bridgeCandidates('skiff')[0], '172.30.0.0/24');
  for (const prefix of ['skifft', 'skiftk', 'abc']) {
    const list = bridgeCandidates(prefix);
    assert.notEqual(list[0], '172.30.0.0/24', prefix);
    assert.deepEqual([...list].sort(), [...bridgeCandidates('skiff')].sort(), 'same set, rotated');
  }
});
