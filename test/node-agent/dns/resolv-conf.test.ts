/**
 * A pod's resolv.conf per dnsPolicy and dnsConfig, as the kubelet writes
 * it, and parsing the node's resolv.conf.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../../../control-plane/api/types.ts';
import {
  formatResolvConf,
  parseResolvConf,
  podResolvConf,
  type PodDnsSettings,
} from '../../../node-agent/dns/resolv-conf.ts';

const NODE_TEXT = `# written by the host
nameserver 192.168.1.1 ; router
nameserver 192.168.1.2
search old.example
search corp.example. lab.example .
options timeout:2 attempts:3
options timeout:1
garbage line
`;

const settings: PodDnsSettings = {
  clusterDns: ['10.96.0.10'],
  clusterDomain: 'cluster.local',
  node: parseResolvConf(NODE_TEXT),
};

function pod(spec: Partial<Pod['spec']>, ns = 'apps'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: ns },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
  };
}

test('parse the node resolv.conf', () => {
  assert.deepEqual(settings.node, {
    nameservers: ['192.168.1.1', '192.168.1.2'],
    searches: ['corp.example', 'lab.example'],
    options: ['timeout:1', 'attempts:3'],
  });
});

describe('pod resolv.conf', () => {
  const cluster = [
    'nameserver 10.96.0.10',
    'search apps.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example',
    'options ndots:5',
  ];
  const host = [
    'nameserver 192.168.1.1',
    'nameserver 192.168.1.2',
    'search corp.example lab.example',
    'options timeout:1 attempts:3',
  ];
  const cases: { name: string; pod: Pod; want: string[]; settings?: PodDnsSettings }[] = [
    { name: 'ClusterFirst (also the default)', pod: pod({}), want: cluster },
    { name: 'ClusterFirst named', pod: pod({ dnsPolicy: 'ClusterFirst' }), want: cluster },
    { name: 'Default: the node', pod: pod({ dnsPolicy: 'Default' }), want: host },
    {
      name: 'hostNetwork with ClusterFirst falls back to Default',
      pod: pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }),
      want: host,
    },
    {
      name: 'hostNetwork with ClusterFirstWithHostNet',
      pod: pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }),
      want: cluster,
    },
    {
      name: 'None: only dnsConfig',
      pod: pod({
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['1.1.1.1'],
          searches: ['a.test'],
          options: [{ name: 'ndots', value: '2' }],
        },
      }),
      want: ['nameserver 1.1.1.1', 'search a.test', 'options ndots:2'],
    },
    {
      name: 'dnsConfig merged into ClusterFirst: appended, deduplicated, options by name',
      pod: pod({
        dnsConfig: {
          nameservers: ['10.96.0.10', '10.0.0.53'],
          searches: ['svc.cluster.local', 'extra.test'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
      }),
      want: [
        'nameserver 10.96.0.10',
        'nameserver 10.0.0.53',
        'search apps.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.test',
        'options ndots:2 edns0',
      ],
    },
    {
      name: 'at most 3 nameservers',
      pod: pod({ dnsPolicy: 'Default', dnsConfig: { nameservers: ['10.0.0.1', '10.0.0.2'] } }),
      want: [
        'nameserver 192.168.1.1',
        'nameserver 192.168.1.2',
        'nameserver 10.0.0.1',
        ...host.slice(2),
      ],
    },
    {
      name: 'at most 32 search domains',
      pod: pod({
        dnsPolicy: 'None',
        dnsConfig: { searches: Array.from({ length: 40 }, (_, i) => `d${i}.test`) },
      }),
      want: [`search ${Array.from({ length: 32 }, (_, i) => `d${i}.test`).join(' ')}`],
    },
    {
      name: 'no cluster DNS configured: the node resolv.conf',
      pod: pod({}),
      settings: { ...settings, clusterDns: [] },
      want: host,
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const { conf } = podResolvConf(tc.pod, tc.settings ?? settings);
      assert.equal(formatResolvConf(conf), tc.want.map((l) => l + '\n').join(''));
    });
  }

  test('limits exceeded are reported', () => {
    const r = podResolvConf(
      pod({
        dnsPolicy: 'None',
        dnsConfig: { nameservers: ['1.0.0.1', '1.0.0.2', '1.0.0.3', '1.0.0.4'] },
      }),
      settings,
    );
    assert.equal(r.conf.nameservers.length, 3);
    assert.match(r.warnings.join('\n'), /nameserver limit exceeded/);
  });

  test('a search line over 2048 characters is cut from the end', () => {
    const long = Array.from({ length: 20 }, (_, i) => `${'x'.repeat(120)}.d${i}.test`);
    const { conf, warnings } = podResolvConf(
      pod({ dnsPolicy: 'None', dnsConfig: { searches: long } }),
      settings,
    );
    assert.ok(conf.searches.join(' ').length <= 2048);
    assert.deepEqual(conf.searches, long.slice(0, conf.searches.length));
    assert.ok(conf.searches.length < 20 && warnings.length === 1);
  });

  test('an unknown dnsPolicy is an error naming the pod', () => {
    assert.throws(
      () => podResolvConf(pod({ dnsPolicy: 'Sometimes' }), settings),
      /apps\/p.*Sometimes/,
    );
  });
});
