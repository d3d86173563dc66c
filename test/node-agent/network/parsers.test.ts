import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portsWithoutHairpin } from '../../../node-agent/network/hairpin.ts';
import { parseIpRoutes } from '../../../node-agent/network/ip-routes.ts';
import { sysctlWarnings } from '../../../node-agent/network/sysctls.ts';

test('parseIpRoutes keeps dst, gateway and protocol, fills in /32 and "boot"', () => {
  const json = JSON.stringify([
    { dst: 'default', gateway: '192.0.2.1', dev: 'eth0', flags: [] },
    { dst: '10.244.7.0/24', gateway: '172.31.250.9', dev: 'v0', protocol: '177', flags: [] },
    { dst: '10.1.2.3', dev: 'v0', protocol: 'static', scope: 'link', flags: [] },
    { type: 'broadcast' },
  ]);
  assert.deepEqual(parseIpRoutes(json), [
    { dst: 'default', via: '192.0.2.1', protocol: 'boot' },
    { dst: '10.244.7.0/24', via: '172.31.250.9', protocol: '177' },
    { dst: '10.1.2.3/32', protocol: 'static' },
  ]);
  assert.deepEqual(parseIpRoutes(''), []);
  assert.throws(() => parseIpRoutes('{}'), /JSON array/);
});

test('portsWithoutHairpin lists the bridge ports whose hairpin flag is not on', () => {
  const port = (ifname: string, hairpin?: boolean) => ({
    ifname,
    linkinfo: {
      info_slave_kind: 'bridge',
      info_slave_data: hairpin === undefined ? {} : { hairpin },
    },
  });
  const json = JSON.stringify([port('veth1', true), port('veth2', false), port('veth3')]);
  assert.deepEqual(portsWithoutHairpin(json), ['veth2', 'veth3']);
  assert.deepEqual(portsWithoutHairpin('[]'), []);
});

const sysctlCases = [
  { ipForward: true, bridgeNfCallIptables: true, want: [] },
  { ipForward: false, bridgeNfCallIptables: true, want: [/ip_forward is off/] },
  {
    ipForward: true,
    bridgeNfCallIptables: undefined,
    want: [/bridge-nf-call-iptables is missing.*modprobe br_netfilter/],
  },
  { ipForward: true, bridgeNfCallIptables: false, want: [/bridge-nf-call-iptables is off/] },
];

for (const tc of sysctlCases) {
  test(`sysctlWarnings: ip_forward=${String(tc.ipForward)} bridge-nf=${String(tc.bridgeNfCallIptables)}`, () => {
    const got = sysctlWarnings(tc);
    assert.equal(got.length, tc.want.length);
    for (const [i, re] of tc.want.entries()) assert.match(got[i] ?? '', re);
  });
}
