import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, test } from 'node:test';
import {
  chooseNodeIp,
  defaultRouteInterface,
  validateNodeIp,
} from '../../../node-agent/node/node-ip.ts';

const HEADER =
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
const route = (...lines: string[]) => [HEADER, ...lines, ''].join('\n');
// Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
const DEFAULT_ETH0 = 'eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0';
const DEFAULT_ETH1_LOW = 'eth1\t00000000\t01010A0A\t0003\t0\t0\t50\t00000000\t0\t0\t0';
const DEFAULT_DOWN = 'eth2\t00000000\t01010A0A\t0002\t0\t0\t0\t00000000\t0\t0\t0';
const LINK_ETH0 = 'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0';

describe('defaultRouteInterface', () => {
  const cases: [string, string, string | undefined][] = [
    ['one default route', route(LINK_ETH0, DEFAULT_ETH0), 'eth0'],
    ['the lowest metric wins', route(DEFAULT_ETH0, DEFAULT_ETH1_LOW), 'eth1'],
    ['a route that is not up is ignored', route(DEFAULT_DOWN), undefined],
    ['only on-link routes (a test node)', route(LINK_ETH0), undefined],
    ['empty file', '', undefined],
  ];
  for (const [name, text, want] of cases) {
    test(name, () => assert.equal(defaultRouteInterface(text), want));
  }
});

const addr = (address: string, internal = false, family: 'IPv4' | 'IPv6' = 'IPv4') =>
  ({
    address,
    family,
    internal,
    netmask: '255.255.255.0',
    mac: '00:00:00:00:00:00',
    cidr: `${address}/24`,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  }) as NetworkInterfaceInfo;

const IFACES: NodeJS.Dict<NetworkInterfaceInfo[]> = {
  lo: [addr('127.0.0.1', true)],
  eth0: [addr('fe80::1', false, 'IPv6'), addr('192.0.2.2')],
  veth1: [addr('169.254.3.3'), addr('10.99.0.2')],
};

describe('chooseNodeIp', () => {
  const cases = [
    {
      name: '--node-ip wins',
      flag: '10.99.0.2',
      routes: route(DEFAULT_ETH0),
      want: { ip: '10.99.0.2', source: 'flag' },
    },
    {
      name: 'the default route interface',
      flag: undefined,
      routes: route(DEFAULT_ETH0),
      want: { ip: '192.0.2.2', source: 'default-route' },
    },
    {
      name: 'no default route: the first non-loopback, non-link-local IPv4',
      flag: undefined,
      routes: route(),
      want: { ip: '192.0.2.2', source: 'first-interface' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(chooseNodeIp(c.flag, c.routes, IFACES), c.want));
  }

  test('a test node: only a veth with a link-local and a private address', () => {
    const ifaces = { lo: IFACES.lo, veth1: IFACES.veth1 };
    assert.deepEqual(chooseNodeIp(undefined, route(LINK_ETH0), ifaces), {
      ip: '10.99.0.2',
      source: 'first-interface',
    });
  });

  test('nothing usable: tells the operator to pass --node-ip', () => {
    assert.throws(() => chooseNodeIp(undefined, route(), { lo: IFACES.lo }), /--node-ip/);
  });
});

test('validateNodeIp rejects what is not dotted IPv4', () => {
  for (const bad of ['', 'node-1', '10.0.0', '10.0.0.256', 'fe80::1']) {
    assert.throws(() => validateNodeIp(bad), /--node-ip/, bad);
  }
  assert.equal(validateNodeIp('10.0.0.5'), '10.0.0.5');
});
