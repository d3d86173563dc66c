// The default cluster DNS address: the tenth address of the service CIDR,
// where skiff's API server puts kube-dns (kube-dns-service.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipAt, parseCidr } from '../../../control-plane/apiserver/alloc/cidr.ts';
import { kubeDnsIP } from '../../../control-plane/apiserver/kube-dns-service.ts';
import { clusterDnsAddress } from '../../../node-agent/dns/cluster-dns-address.ts';

const cidrs: [string, string][] = [
  ['10.96.0.0/16', '10.96.0.10'],
  ['10.100.8.0/22', '10.100.8.10'],
  ['172.20.0.0/28', '172.20.0.10'],
  ['10.96.7.7/16', '10.96.0.10'],
];
for (const [cidr, want] of cidrs) {
  test(`clusterDnsAddress(${cidr}) = ${want}`, () => assert.equal(clusterDnsAddress(cidr), want));
}
for (const bad of ['10.96.0.0', '10.96.0.0/29', 'ten/16', '10.96.0.256/16']) {
  test(`clusterDnsAddress(${bad}) names the flag`, () =>
    assert.throws(() => clusterDnsAddress(bad), /--service-cidr/));
}

test('the agent and the API server agree on the address for every prefix they both accept', () => {
  for (let bits = 8; bits <= 28; bits++) {
    const cidr = `10.0.0.0/${bits}`;
    assert.equal(clusterDnsAddress(cidr), kubeDnsIP(parseCidr(cidr)), cidr);
  }
  assert.equal(ipAt(parseCidr('10.96.0.0/16'), 9), clusterDnsAddress('10.96.0.0/16'));
});
