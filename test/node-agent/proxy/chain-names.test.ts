import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_CHAIN_NAME,
  base32,
  endpointChain,
  externalChain,
  serviceChain,
} from '../../../node-agent/proxy/chain-names.ts';

test('base32 follows RFC 4648 (test vectors of section 10, without padding)', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  for (const [input, want] of cases) assert.equal(base32(Buffer.from(input)), want, input);
});

test('chain hashes match kube-proxy (proxier_test.go: ns1/svc1:p80 tcp, endpoint 10.180.0.1:80)', () => {
  assert.equal(serviceChain('ns1/svc1:p80', 'TCP'), 'SKIFF-SVC-XPGD46QRK7WJZT7O');
  assert.equal(endpointChain('ns1/svc1:p80', 'TCP', '10.180.0.1:80'), 'SKIFF-SEP-SXIVWICOYRO3J4NJ');
  assert.equal(externalChain('ns1/svc1:p80', 'tcp'), 'SKIFF-EXT-XPGD46QRK7WJZT7O');
});

test('names differ by protocol and endpoint and fit the 28-character limit', () => {
  const long = 'a-very-long-namespace-name-of-sixty-three-characters-xxxxxxxxxxx/svc:port';
  const names = [
    serviceChain(long, 'TCP'),
    serviceChain(long, 'UDP'),
    endpointChain(long, 'TCP', '10.244.1.1:80'),
    endpointChain(long, 'TCP', '10.244.1.2:80'),
  ];
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.ok(n.length <= MAX_CHAIN_NAME, n);
});
