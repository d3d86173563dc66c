import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bridgeNameFor,
  parsePodCidr,
  podNetworkOptions,
  usesGatewayMode,
} from '../../../../node-agent/kubelet/runtime/docker-network.ts';
import {
  compareVersions,
  dockerConnection,
  negotiateApiVersion,
} from '../../../../node-agent/kubelet/runtime/docker-version.ts';

const negotiations: [string, string, string | undefined, string][] = [
  ['Debian 20.10', '1.41', '1.12', '1.41'],
  ['Docker 27', '1.47', '1.24', '1.47'],
  ['Docker 28', '1.48', '1.24', '1.48'],
  ['Docker 29 (newer than skiff knows): capped', '1.52', '1.44', '1.48'],
];
for (const [name, api, min, want] of negotiations) {
  test(`negotiateApiVersion: ${name} → ${want}`, () => {
    assert.equal(negotiateApiVersion(api, min), want);
  });
}

test('negotiateApiVersion refuses engines older than 20.10 and ones needing a newer API', () => {
  assert.throws(
    () => negotiateApiVersion('1.40'),
    /older than 1\.41 \(Docker 20\.10\): upgrade the engine/,
  );
  assert.throws(
    () => negotiateApiVersion('1.60', '1.50'),
    /requires API 1\.50 or newer .* upgrade skiff/,
  );
});

test('compareVersions compares numerically', () => {
  assert.equal(compareVersions('1.9', '1.41'), -1);
  assert.equal(compareVersions('28.0.0', '28'), 0);
  assert.equal(compareVersions('20.10.24+dfsg1', '28.0.0'), -1);
  assert.equal(compareVersions('28.3.1', '28.0.0'), 1);
});

const engines: [string, boolean][] = [
  ['20.10.24+dfsg1', false],
  ['27.5.1', false],
  ['28.0.0', true],
  ['29.1.2', true],
];
for (const [version, routed] of engines) {
  test(`pod network on Docker ${version}: gateway mode ${routed ? 'routed' : 'not set'}`, () => {
    assert.equal(usesGatewayMode(version), routed);
    const opts = podNetworkOptions(version, 'skiff0');
    assert.equal(
      opts['com.docker.network.bridge.gateway_mode_ipv4'],
      routed ? 'routed' : undefined,
    );
    assert.equal(opts['com.docker.network.bridge.name'], 'skiff0');
  });
}

const cidrs: [string, string, string][] = [
  ['10.244.1.0/24', '10.244.1.0/24', '10.244.1.1'],
  ['10.244.1.77/24', '10.244.1.0/24', '10.244.1.1'],
  ['10.244.0.0/16', '10.244.0.0/16', '10.244.0.1'],
  ['192.168.5.64/26', '192.168.5.64/26', '192.168.5.65'],
];
for (const [cidr, subnet, gateway] of cidrs) {
  test(`parsePodCidr(${cidr})`, () => assert.deepEqual(parsePodCidr(cidr), { subnet, gateway }));
}

test('parsePodCidr rejects what is not an IPv4 network', () => {
  for (const bad of ['10.244.1.0', '10.244.1.0/33', '10.244.1.0/4', '300.1.1.1/24', 'fd00::/64']) {
    assert.throws(() => parsePodCidr(bad), /is not an IPv4 network/, bad);
  }
});

test('bridge names fit a Linux interface name', () => {
  assert.equal(bridgeNameFor('skiff-pods'), 'skiff-pods');
  assert.equal(bridgeNameFor('a-very-long-network-name'), 'a-very-long-net');
  assert.equal(bridgeNameFor('***'), 'skiff0');
});

test('dockerConnection reads unix and tcp addresses', () => {
  assert.deepEqual(dockerConnection('unix:///var/run/docker.sock'), {
    socketPath: '/var/run/docker.sock',
  });
  assert.deepEqual(dockerConnection('tcp://127.0.0.1:2375'), {
    protocol: 'http',
    host: '127.0.0.1',
    port: 2375,
  });
  assert.throws(() => dockerConnection('/var/run/docker.sock'), /is not unix:\/\/\/path/);
});
